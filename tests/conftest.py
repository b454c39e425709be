import pytest

from tests.factories import UserFactory, enable_totp


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
