"""``emit``: the one way a use case records that something happened and tells the people concerned.

Who is told: the ``recipients`` the use case names (an action item's owner, the people a comment
mentions, whoever asked for a report), and everyone watching the event's school, zone or state;
never the actor, never an inactive user, and only people who read the subject through the tenant
wall as their own requests would (``core.tenancy.reads``: a state-only comment never reaches a
Lead Partner, a Colorado event never reaches Louisiana). How they are told is their ``Preference``
for the kind (``EventKind.default_delivery`` when they chose none); "off" makes no notification.

Call it inside the use case's transaction: the event and its notifications commit with the change,
and immediate mails are queued only after the commit (``tasks.deliver``). If the queue is down,
the notification row waits: ``tasks.deliver_pending`` (beat) picks it up.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q

from core.tenancy import reads, scope_of

from . import tasks
from .choices import Delivery, EventKind
from .models import Event, Notification, Preference, Watch

logger = logging.getLogger(__name__)


def emit(
    kind: EventKind,
    *,
    summary: str,
    subject=None,
    state=None,
    zone=None,
    school=None,
    link: str = "",
    actor=None,
    recipients=(),
    key: str | None = None,
    watched: bool = True,
) -> Event | None:
    """Record one event and notify the people concerned (see the module docstring); None when an
    event with the same ``key`` was already recorded. ``watched=False`` for an event addressed to
    people (an item assigned to someone, a report someone asked for, a comment's people): it is still
    placed in its school, zone and state, but their watchers are not told."""
    if school is not None and zone is None:
        zone = school.zone
    if zone is not None and state is None:
        state = zone.state
    event = Event(
        kind=kind,
        state=state,
        zone=zone,
        school=school,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        summary=summary[:300],
        link=link,
        actor=actor,
        key=key,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if key is None:
            raise
        return None
    notify(event, candidates(event, recipients, watched), subject)
    return event


def watchers(event: Event) -> list:
    """The users watching the event's school, zone or state."""
    targets = Q(pk__in=[])
    for target in Watch.TARGETS:
        target_id = getattr(event, f"{target}_id")
        if target_id is not None:
            targets |= Q(**{f"{target}_id": target_id})
    return [watch.user for watch in Watch._base_manager.filter(targets).select_related("user")]


def candidates(event: Event, recipients, watched: bool = True) -> list:
    """The named recipients and (``watched``) the watchers, each once, without the actor or
    inactive users."""
    people = {}
    for person in [*recipients, *(watchers(event) if watched else [])]:
        if person is not None and person.is_active and person.pk != event.actor_id:
            people.setdefault(person.pk, person)
    return list(people.values())


def reads_event(person, event: Event, subject) -> bool:
    """Whether ``person`` reads what the event is about: its subject, else its state, else (a
    network event) whether they are in the network."""
    about = subject if subject is not None else event.state
    if about is None:
        return scope_of(person).in_network
    return reads(person, about)


def deliveries(people, kind: EventKind) -> dict:
    """Each person's chosen delivery for ``kind`` (the kind's default when they chose none)."""
    chosen = dict(
        Preference._base_manager.filter(user__in=[person.pk for person in people], kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    default = EventKind(kind).default_delivery
    return {person.pk: Delivery(chosen.get(person.pk, default)) for person in people}


def notify(event: Event, people, subject) -> list[Notification]:
    """Make the notifications of ``event`` for the ``people`` who read it and want to hear of it,
    and queue the immediate mails after the commit."""
    readers = [person for person in people if reads_event(person, event, subject)]
    how = deliveries(readers, event.kind)
    made = Notification._base_manager.bulk_create(
        [
            Notification(recipient=person, event=event, delivery=how[person.pk])
            for person in readers
            if how[person.pk] != Delivery.OFF
        ]
    )
    immediate = [notification.pk for notification in made if notification.delivery == Delivery.IMMEDIATE]
    if immediate:
        transaction.on_commit(lambda: queue(immediate))
    return made


def queue(notification_ids) -> None:
    """Hand the immediate mails to the workers; if the broker is down they wait for the beat."""
    for notification_id in notification_ids:
        try:
            tasks.deliver.delay(notification_id)
        except Exception as error:  # broker down: tasks.deliver_pending sends it later
            logger.warning("Notification %s not queued (%r); the beat will send it", notification_id, error)
