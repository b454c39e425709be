"""The API's world (Colorado and Kansas) and a token client per role (tests/api/conftest.py)."""

from tests.api.conftest import _fresh_throttles, clients, memberships, world_builder  # noqa: F401
