import contextvars
from importlib import import_module

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django_scopes import scopes_disabled

from tests.factories import UserFactory, enable_totp

# Each process's test database is a copy of one migrated template, the seeded demo one per run
# (PostgreSQL; tests/testdb.py); the shared world (role users, two states, worlds built once); the
# shared headless browser.
pytest_plugins = ["tests.testdb", "tests.worlds", "tests.browsers", "tests.timing"]


# Rows the data migrations ship with the schema (the SIG indicator catalog, the monthly briefs' beat
# entry). A transactional test's flush empties every table, then sends post_migrate: the migrations'
# own idempotent steps put the rows back there, for the tests that follow in the same process.
SHIPPED_ROWS = {
    "accountability": ("accountability.migrations.0007_sig_indicator_catalog", "add_catalog"),
    "reports": ("reports.migrations.0002_monthly_briefs_schedule", "create_schedule"),
}


def _restore_shipped_rows(sender, apps=global_apps, **kwargs):
    """A flush may send the signal without the migration state's ``apps``: the project's models then."""
    if sender.label in SHIPPED_ROWS:
        module, step = SHIPPED_ROWS[sender.label]
        with scopes_disabled():
            getattr(import_module(module), step)(apps, None)


post_migrate.connect(_restore_shipped_rows, dispatch_uid="tests.restore_shipped_rows")


def pytest_collection_modifyitems(items):
    """The browser tests first (after pytest-django's ordering by database use): under pytest-xdist's
    ``--dist loadfile`` their files, the accessibility check the longest of all, then start while
    the other process takes the rest, instead of running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)


@pytest.fixture(scope="session", autouse=True)
def _views_imported_outside_scopes():
    """Import every view, form and serializer module outside any scope, as the middleware does at
    startup, so class-level querysets take the scope of each request (not of the first test)."""
    contextvars.Context().run(import_module, settings.ROOT_URLCONF)


@pytest.fixture(autouse=True)
def _scopes_disabled():
    """Test bodies set up and inspect every state's rows freely (as pretix's tests do); requests
    made through the test client still enter their user's scope in the middleware."""
    with scopes_disabled():
        yield


@pytest.fixture
def superuser(db):
    """A superuser with a TOTP authenticator (initiative admins must have one to use the app)."""
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    enable_totp(user)
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
