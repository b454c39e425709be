"""Sessions expire on the server after SESSION_COOKIE_AGE, whatever the browser keeps.
(The failed-login rate limit, admin two-factor and browser-close expiry are tested in tests/accounts.)"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory


def test_a_session_expires(client, db, monkeypatch):
    client.force_login(UserFactory())
    assert client.get(reverse("imports:list")).status_code == 200

    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)

    response = client.get(reverse("imports:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
