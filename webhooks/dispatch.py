"""From changed rows to queued deliveries: what happened since the last dispatch, read from the
change stamps (``core.changes``) and the deletes feed (``changes.Tombstone``), and who may hear of it.

Each run reads the rows stamped in ``(cursor, change_watermark()]``: a transaction still in flight
holds the watermark below its own version, so a late commit is read by a later run, never skipped.
A subscriber is sent an event only about a row its membership reads through the API (the model's
wall and ``visible_to``, entered with ``reach_scope`` exactly as the API does), a deleted row only
when its tombstone is ``visible_to`` it. Payloads are thin: the resource, its id, API URL, change
version and natural key (and the new status of a status event); the subscriber reads the rest with
its own API token, scoped the same way.

A status event fires on a real transition only: the status last seen (``SeenStatus``) is compared
with the row's. Several transitions between two runs (a minute) are announced as the last one.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from accountability.choices import Submission
from accountability.recording import LOCKED_STATUSES
from changes import resources
from changes.models import Tombstone
from changes.tombstones import natural_key
from core.changes import change_watermark
from core.tenancy import reach_scope

from .choices import EventType
from .models import DispatchCursor, SeenStatus, WebhookDelivery, WebhookSubscription

NEW = "new"  # the SeenStatus of a row announced as created (it has no status of its own)


def period_events(old, new) -> list[str]:
    """A school's reporting period moving through the cycle (accountability.cycle)."""
    events = []
    if new == Submission.SUBMITTED:
        events.append(EventType.PERIOD_SUBMITTED)
    if new == Submission.APPROVED:
        events.append(EventType.PERIOD_APPROVED)
    if new in LOCKED_STATUSES and old not in LOCKED_STATUSES:
        events.append(EventType.PERIOD_LOCKED)
    return events


@dataclass(frozen=True)
class Source:
    """A model whose changes are events: on creation only, on any change, on a status transition
    (``transitions(old, new)`` names the events), and on delete."""

    model_label: str
    created: str | None = None
    changed: str | None = None
    deleted: str | None = None
    transitions: Callable[[str, str], list[str]] | None = None

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def resource(self) -> str:
        """The API's name for it (/api/v1/<resource>/), as the deletes feed names it."""
        return resources.prefix_of(self.model_label.lower())


SOURCES = (
    Source("accountability.StatusUpdate", created=EventType.STATUS_UPDATE_POSTED),
    Source("accountability.PeriodSubmission", transitions=period_events),
    Source(
        "accountability.Measurement",
        changed=EventType.MEASUREMENT_CHANGED,
        deleted=EventType.MEASUREMENT_CHANGED,
    ),
    Source("funding.Commitment", transitions=lambda old, new: [EventType.COMMITMENT_STATUS_CHANGED]),
    Source(
        "reports.ReportRun",
        transitions=lambda old, new: [EventType.REPORT_READY] if new == "done" else [],
    ),
    Source("schools.School", changed=EventType.SCHOOL_CHANGED, deleted=EventType.SCHOOL_DELETED),
    Source("zones.Zone", changed=EventType.ZONE_CHANGED, deleted=EventType.ZONE_DELETED),
)


@dataclass
class Occurrence:
    """One event about one row (live, or deleted: ``tombstone_id``)."""

    type: str
    model: type
    object_id: int
    payload: dict = field(repr=False)
    tombstone_id: int | None = None


def api_url(model, pk) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(f"api:{model._meta.model_name}-detail", kwargs={"pk": pk})


def payload(event_type, source: Source, object_id, stamped, key, status=None, deleted=False) -> dict:
    data = {
        "resource": source.resource,
        "id": object_id,
        "url": None if deleted else api_url(source.model, object_id),
        "change_version": stamped.change_version,
        "natural_key": key,
        "deleted": deleted,
    }
    if status is not None:
        data["status"] = status
    return {"type": str(event_type), "timestamp": stamped.updated_at.isoformat(), "data": data}


def live_occurrences(source: Source, since: int, upto: int, started_at) -> list[Occurrence]:
    """Events of the source's rows stamped in ``(since, upto]``; updates the seen statuses."""
    model = source.model
    rows = list(model._base_manager.filter(change_version__gt=since, change_version__lte=upto).order_by("pk"))
    if not rows:
        return []
    label = model._meta.label_lower
    tracks = source.created or source.transitions
    seen = {}
    if tracks:
        seen = dict(
            SeenStatus.objects.filter(model=label, object_id__in=[row.pk for row in rows]).values_list(
                "object_id", "status"
            )
        )
    found, now_seen = [], {}
    for row in rows:
        events, status = [], None
        if source.changed:
            events.append(source.changed)
        if source.created and row.pk not in seen and row.created_at >= started_at:
            events.append(source.created)
            now_seen[row.pk] = NEW
        if source.transitions:
            status = row.status
            new_row = row.created_at >= started_at
            before = seen.get(row.pk, model._meta.get_field("status").default if new_row else status)
            if status != before:
                events.extend(source.transitions(before, status))
            now_seen[row.pk] = status
        if events:
            key = natural_key(row)
            found += [
                Occurrence(event, model, row.pk, payload(event, source, row.pk, row, key, status)) for event in events
            ]
    for object_id, status in now_seen.items():
        SeenStatus.objects.update_or_create(model=label, object_id=object_id, defaults={"status": status})
    return found


def deleted_occurrences(source: Source, since: int, upto: int) -> list[Occurrence]:
    """Events of the source's rows deleted in ``(since, upto]``; forgets their seen statuses."""
    label = source.model._meta.label_lower
    tombstones = list(
        Tombstone._base_manager.filter(model=label, change_version__gt=since, change_version__lte=upto).order_by("pk")
    )
    SeenStatus.objects.filter(model=label, object_id__in=[t.object_id for t in tombstones]).delete()
    if not source.deleted:
        return []
    return [
        Occurrence(
            source.deleted,
            source.model,
            t.object_id,
            payload(source.deleted, source, t.object_id, t, t.natural_key, deleted=True),
            tombstone_id=t.pk,
        )
        for t in tombstones
    ]


def readable(subscription: WebhookSubscription, occurrences: list[Occurrence]) -> list[Occurrence]:
    """The occurrences about rows the subscription's membership reads through the API."""
    live, deleted = defaultdict(set), set()
    for occurrence in occurrences:
        if occurrence.tombstone_id is None:
            live[occurrence.model].add(occurrence.object_id)
        else:
            deleted.add(occurrence.tombstone_id)
    with reach_scope(subscription.scope):
        visible = {
            model: set(model.objects.filter(pk__in=ids).values_list("pk", flat=True)) for model, ids in live.items()
        }
        visible_tombstones = set(Tombstone.objects.filter(pk__in=deleted).values_list("pk", flat=True))
    return [
        occurrence
        for occurrence in occurrences
        if (
            occurrence.tombstone_id in visible_tombstones
            if occurrence.tombstone_id is not None
            else occurrence.object_id in visible.get(occurrence.model, ())
        )
    ]


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


@scopes_disabled()
def dispatch() -> list[int]:
    """Queue a delivery of each new event to each active subscription that asked for its type and
    reads its row; returns the new deliveries' ids. The first run only sets the cursor."""
    with transaction.atomic():
        DispatchCursor.objects.get_or_create(pk=1, defaults={"version": change_watermark()})
        cursor = DispatchCursor.objects.select_for_update().get(pk=1)
        upto = change_watermark()
        if upto <= cursor.version:
            return []
        occurrences = []
        for source in SOURCES:
            occurrences += live_occurrences(source, cursor.version, upto, cursor.started_at)
            occurrences += deleted_occurrences(source, cursor.version, upto)
        deliveries = []
        if occurrences:
            subscriptions = WebhookSubscription.objects.active().select_related("membership__user")
            for subscription in subscriptions:
                wanted = [o for o in occurrences if o.type in subscription.event_types]
                if not wanted:
                    continue
                deliveries += [
                    WebhookDelivery(
                        subscription=subscription,
                        message_id=new_message_id(),
                        event_type=occurrence.type,
                        payload=occurrence.payload,
                    )
                    for occurrence in readable(subscription, wanted)
                ]
        WebhookDelivery.objects.bulk_create(deliveries)
        cursor.version = upto
        cursor.save(update_fields=["version"])
    return [delivery.pk for delivery in deliveries]
