"""Login brute force is limited (allauth rate limits) and sessions expire."""

import datetime
import random
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory


@pytest.fixture
def member(db):
    """A user with a fresh email, logging in from a fresh address: rate-limit counters kept in a shared
    cache (Redis in CI) from earlier runs never apply."""
    user = UserFactory(email=f"{uuid.uuid4().hex}@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.address = ".".join(["10"] + [str(random.randrange(256)) for _ in range(3)])
    return user


def log_in(client, user, password):
    return client.post(
        reverse("account_login"),
        {"login": user.email, "password": password},
        secure=True,
        REMOTE_ADDR=user.address,
    )


def test_the_right_password_logs_in(client, member):
    assert log_in(client, member, "correct-horse-battery").status_code == 302
    assert "_auth_user_id" in client.session


def test_after_five_failures_even_the_right_password_is_refused(client, member):
    for _attempt in range(5):
        assert log_in(client, member, "wrong-password").status_code == 200

    response = log_in(client, member, "correct-horse-battery")

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_expires(client, member, monkeypatch):
    client.force_login(member)
    assert client.get(reverse("imports:list")).status_code == 200

    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
