"""The daily and weekly digests: one mail per recipient carrying every notification of that
cadence not yet mailed, made before the digest's day began (local time).

Grouped by state (the network's events in their own group, last), then by kind of event (in the
order ``EventKind`` declares them), each line with its summary, when, and the page's address.

Once: the digest's key (``digest:<cadence>:<user id>:<day>``) and its notifications are claimed
(``mail.claim``) before the mail goes, so two beats, a retried task or two workers send it once; a
failed send releases the claim for the next try. What the recipient no longer reads (a state they
left) is dropped at send time: ``Notification.objects.visible_to`` decides, as for their inbox.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django_scopes import scopes_disabled

from .choices import DIGESTS, Delivery, EventKind
from .links import absolute_link
from .mail import claim, send
from .models import Notification

KIND_ORDER = {kind: index for index, kind in enumerate(EventKind)}


@dataclass(frozen=True)
class DigestLine:
    summary: str
    occurred_at: datetime.datetime
    where: str
    url: str


@dataclass(frozen=True)
class KindGroup:
    kind: EventKind
    lines: list[DigestLine]


@dataclass(frozen=True)
class StateGroup:
    state: object  # None: the network's events
    kinds: list[KindGroup]

    @property
    def label(self) -> str:
        return self.state.name if self.state is not None else "The network"

    @property
    def count(self) -> int:
        return sum(len(group.lines) for group in self.kinds)


def digest_groups(notifications) -> list[StateGroup]:
    """``notifications`` by state (by name, the network last), then by kind, oldest line first."""
    states, by_state = {}, defaultdict(lambda: defaultdict(list))
    for notification in sorted(notifications, key=lambda n: (n.event.occurred_at, n.event.pk)):
        event = notification.event
        states[event.state_id] = event.state
        by_state[event.state_id][EventKind(event.kind)].append(
            DigestLine(event.summary, event.occurred_at, event.where, absolute_link(event.link))
        )
    order = sorted(states, key=lambda state_id: (state_id is None, states[state_id].name if state_id else ""))
    return [StateGroup(states[state_id], kind_groups(by_state[state_id])) for state_id in order]


def kind_groups(by_kind: dict) -> list[KindGroup]:
    return [KindGroup(kind, by_kind[kind]) for kind in sorted(by_kind, key=KIND_ORDER.__getitem__)]


def still_read(recipient, notifications) -> list:
    """Those of ``notifications`` the recipient still reads (their inbox's rule), now."""
    kept = set(
        Notification.objects.visible_to(recipient)
        .filter(pk__in=[notification.pk for notification in notifications])
        .values_list("pk", flat=True)
    )
    return [notification for notification in notifications if notification.pk in kept]


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def send_digests(cadence: Delivery, day: datetime.date) -> int:
    """Send the ``cadence`` digests of ``day`` (see the module docstring); how many mails went."""
    cadence = Delivery(cadence)
    if cadence not in DIGESTS:
        raise ValueError(f"{cadence} is not a digest")
    with scopes_disabled():  # every recipient's digest: no one user's wall applies here
        pending = (
            Notification.objects.filter(
                delivery=cadence, email__isnull=True, created_at__lt=day_start(day), recipient__is_active=True
            )
            .exclude(recipient__email="")
            .select_related("recipient", "event__state", "event__zone", "event__school")
            .order_by("recipient_id", "pk")
        )
        by_recipient = defaultdict(list)
        for notification in pending:
            by_recipient[notification.recipient].append(notification)
        return sum(send_digest(recipient, cadence, day, carried) for recipient, carried in by_recipient.items())


def send_digest(recipient, cadence: Delivery, day: datetime.date, notifications) -> bool:
    """Claim and mail one recipient's digest; False when it was taken, empty or failed."""
    notifications = still_read(recipient, notifications)
    if not notifications:
        return False
    key = f"digest:{cadence}:{recipient.pk}:{day.isoformat()}"
    delivery = claim(recipient, cadence, key, [notification.pk for notification in notifications])
    if delivery is None:
        return False
    carried = set(delivery.notifications.values_list("pk", flat=True))
    notifications = [notification for notification in notifications if notification.pk in carried]
    context = {
        "cadence": cadence,
        "day": day,
        "groups": digest_groups(notifications),
        "count": len(notifications),
    }
    return send(delivery, "notifications/email/digest", context)
