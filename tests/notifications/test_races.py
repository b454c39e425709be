"""Two workers (real threads, each with its own PostgreSQL connection) sending the same digest or
the same immediate mail at once send it once: the ``EmailDelivery`` key is claimed before the mail
goes. PostgreSQL only, like tests/faults."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from notifications import tasks
from notifications.choices import Delivery
from notifications.digests import send_digests
from tests.factories import StateFactory
from tests.faults.conftest import CONCURRENT_CLIENTS, concurrently
from tests.worlds import member

from .conftest import notify

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="concurrent claims need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def in_own_connection(call):
    def run():
        try:
            return call()
        finally:
            connection.close()

    return run


def test_concurrent_digest_senders_send_one_mail(mailoutbox):
    state = StateFactory()
    viewer = member(Role.STATE_VIEWER, state=state)
    today = timezone.localdate()
    made = timezone.now() - datetime.timedelta(days=1, hours=1)
    for _ in range(3):
        notify(viewer, state=state, delivery=Delivery.DAILY, made=made)
    results = concurrently([in_own_connection(lambda: send_digests(Delivery.DAILY, today))] * CONCURRENT_CLIENTS)
    assert sorted(results) == [0] * (CONCURRENT_CLIENTS - 1) + [1]
    (mail,) = mailoutbox
    assert "3 notifications" in mail.subject


def test_concurrent_deliveries_of_one_notification_send_one_mail(mailoutbox):
    state = StateFactory()
    lead = member(Role.STATE_LEAD, state=state)
    notification = notify(lead, state=state, delivery=Delivery.IMMEDIATE)
    results = concurrently([in_own_connection(lambda: tasks.deliver(notification.pk))] * CONCURRENT_CLIENTS)
    assert results.count(True) == 1 and results.count(False) == CONCURRENT_CLIENTS - 1
    assert len(mailoutbox) == 1
