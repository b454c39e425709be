"""The user's own actions on their notifications, one function each, called by the pages and the
API alike: read one or all, choose how to hear of each kind, watch or stop watching."""

from django.db import transaction
from django.utils import timezone

from .choices import EventKind
from .models import Notification, Preference, Watch


def mark_read(notification: Notification) -> None:
    """Mark it read (once: the first reading's time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    return Notification.objects.filter(recipient=user).unread().update(read_at=timezone.now())


def chosen_deliveries(user) -> dict:
    """{kind: delivery} for every kind: the user's choice, else the kind's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, kind.default_delivery) for kind in EventKind}


@transaction.atomic
def save_preferences(user, deliveries: dict) -> None:
    """Keep ``{kind: delivery}`` as the user's preferences, in one transaction: a row for each kind
    chosen otherwise than its default, none for the others (they follow the default)."""
    for kind, delivery in deliveries.items():
        kind = EventKind(kind)
        if delivery == kind.default_delivery:
            Preference.objects.filter(user=user, kind=kind).delete()
        else:
            Preference.objects.update_or_create(user=user, kind=kind, defaults={"delivery": delivery})


def target_field(target) -> str:
    """The ``Watch`` field that follows ``target`` (a state, zone or school)."""
    name = target._meta.model_name
    if name not in Watch.TARGETS:
        raise ValueError(f"{name} cannot be watched")
    return name


@transaction.atomic
def set_watching(user, target, watching: bool) -> bool:
    """Make ``user`` watch ``target`` or stop; idempotent (a double click, two requests at once:
    the unique constraint and ``get_or_create``), returns whether they now watch it. The caller
    has looked ``target`` up through the user's wall."""
    field = target_field(target)
    if watching:
        Watch.objects.get_or_create(user=user, **{field: target})
    else:
        Watch.objects.filter(user=user, **{field: target}).delete()
    return watching
