"""The API tests' two-state world, role memberships and token clients, plus a signed-in page
client per role: each use case is driven through every interface over the same world."""

import pytest

from tests.api.conftest import _fresh_throttles, clients, memberships, world  # noqa: F401 (fixtures)


@pytest.fixture
def pages(memberships, client_factory):  # noqa: F811 (the imported fixture)
    """A signed-in page client per role."""
    signed_in = {}
    for role, membership in memberships.items():
        signed_in[role] = client_factory()
        signed_in[role].force_login(membership.user)
    return signed_in


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client
