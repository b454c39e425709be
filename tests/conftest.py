import pytest

from tests.factories import UserFactory


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
