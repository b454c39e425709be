"""The multi-node suite (marker ``multinode``): the app as it runs on several machines, each node a
process of its own with its own local folders, sharing only PostgreSQL, Redis and an S3-compatible
object store. Needs PostgreSQL and Redis (``.ci/run``); skipped otherwise, saying which."""

import os

import pytest
from django.conf import settings

from tests.faults.workers import big_state, broker, files_root, workers  # noqa: F401 (fixtures)
from tests.objectstore import object_store  # noqa: F401 (fixture)


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    on_postgresql = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.multinode)
            if not on_postgresql:
                reason = "the multi-node suite needs PostgreSQL (DATABASE_URL, as .ci/run)"
                item.add_marker(pytest.mark.skip(reason=reason))
            elif not os.environ.get("REDIS_URL"):
                item.add_marker(pytest.mark.skip(reason="the multi-node suite needs REDIS_URL (a Redis broker)"))
