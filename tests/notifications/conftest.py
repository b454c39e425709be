"""The notification tests' helpers: a notification of an event in a state, made at a given time."""

import datetime

import pytest
from django.utils import timezone

from notifications.choices import Delivery, EventKind
from notifications.models import Notification
from tests.factories import EventFactory, NotificationFactory


def notify(recipient, *, state, kind=EventKind.STATUS_UPDATE_POSTED, delivery=Delivery.IN_APP, made=None, **event):
    """A notification for ``recipient`` of a new event in ``state``; ``made``: when it was made."""
    notification = NotificationFactory(
        recipient=recipient, delivery=delivery, event=EventFactory(kind=kind, state=state, **event)
    )
    if made is not None:
        Notification.objects.filter(pk=notification.pk).update(created_at=made)
        notification.refresh_from_db()
    return notification


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def yesterday_noon(today):
    """A time before today's digests' window closes."""
    return timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=1), datetime.time(12)))
