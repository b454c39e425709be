import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    """A superuser with a TOTP authenticator (initiative admins must have one to use the app)."""
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
