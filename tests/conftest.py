import contextvars
from importlib import import_module

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from tests.factories import UserFactory, enable_totp

# The shared world (role users, two states, worlds built once) and the shared headless browser.
pytest_plugins = ["tests.worlds", "tests.browsers", "tests.timing"]
# Until the network parts of issue #17 are merged: their use cases, for the demo (delete at merge).


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
