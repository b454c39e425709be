"""The action items' use cases: create one (its owner must read it, and hears of it), close it
(done or dropped, with a note) or reopen it, on its locked row, and flag the overdue ones once.
Pages, API, admin, the beat and the demo call these; the caller has checked the permission."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from comments.models import Comment
from contracts.models import AnnualReview
from core.tenancy import reads
from notifications.choices import EventKind
from notifications.events import emit
from zones.models import Zone

from .choices import CLOSED, ActionStatus
from .meetings import unsaved
from .models import ActionItem, Meeting

NOTE_REQUIRED = "Say how the item was closed."


def action_item_url(item) -> str:
    return reverse("network:action_item_detail", kwargs={"actionitem_pk": item.pk})


def item_about(concern) -> ActionItem:
    """A new action item about ``concern`` (a meeting, annual review, comment or zone), with its
    state and place filled in from it (by id: a thread asks this of each needs-action comment)."""
    if isinstance(concern, Meeting):
        return ActionItem(meeting=concern, state_id=concern.state_id, zone_id=concern.zone_id)
    if isinstance(concern, AnnualReview):
        zone = concern.contract.zone
        return ActionItem(annual_review=concern, state=zone.state, zone=zone)
    if isinstance(concern, Comment):
        return ActionItem(
            comment=concern, state_id=concern.state_id, zone_id=concern.zone_id, school_id=concern.school_id
        )
    return ActionItem(zone=concern, state_id=concern.state_id)


CONCERN_FIELDS = {Meeting: "meeting", AnnualReview: "annual_review", Comment: "comment", Zone: "zone"}


def new_item_url(concern) -> str:
    """The page creating an action item about ``concern``."""
    return f"{reverse('network:action_item_create')}?{CONCERN_FIELDS[type(concern)]}={concern.pk}"


def days_overdue(item: ActionItem, today) -> int:
    """How many days the item is past its due date (0: not overdue, or closed)."""
    return (today - item.due_on).days if item.is_overdue(today) else 0


def create_action_item(item: ActionItem, user) -> ActionItem:
    """Save a new item (its fields set) created by ``user``; its owner must read it (checked on
    the saved row, in the transaction) and is told."""
    item.created_by = user
    item.status = ActionStatus.OPEN
    item.full_clean()
    try:
        with transaction.atomic():
            item.save()
            if not reads(item.owner, item):
                message = f"{item.owner} cannot read this action item: choose one of its state's members."
                raise ValidationError({"owner": message})
            emit(
                EventKind.ACTION_ITEM_ASSIGNED,
                summary=f"Action item for you, due {item.due_on:%b %-d, %Y}: {item.title}",
                subject=item,
                state=item.state,
                zone=item.zone,
                school=item.school,
                link=action_item_url(item),
                actor=user,
                recipients=[item.owner],
                watched=False,
            )
    except ValidationError:
        unsaved(item, adding=True, version=1)
        raise
    return item


def _locked(item: ActionItem, version=None) -> ActionItem:
    """The item's current row, locked until the transaction ends (the version the user saw, if given)."""
    current = ActionItem._base_manager.select_for_update().get(pk=item.pk)
    current.expect_version(version)
    return current


def close_action_item(item: ActionItem, user, status, note: str, *, version=None) -> ActionItem:
    """Close the item as done or dropped, saying how; refused on an item already closed."""
    note = (note or "").strip()
    errors = {}
    if status not in CLOSED:
        errors["status"] = "Close the item as done or dropped."
    if not note:
        errors["closing_note"] = NOTE_REQUIRED
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = _locked(item, version)
        if current.is_closed:
            raise ValidationError("The item is already closed.", code="wrong_step")
        current.status, current.closing_note = status, note
        current.closed_at, current.closed_by = timezone.now(), user
        current.full_clean()
        current.save()
    return current


def reopen_action_item(item: ActionItem, user, *, version=None) -> ActionItem:
    """Open a closed item again (its closing note stays in the history)."""
    with transaction.atomic():
        current = _locked(item, version)
        if not current.is_closed:
            raise ValidationError("The item is open.", code="wrong_step")
        current.status, current.closing_note = ActionStatus.OPEN, ""
        current.closed_at = current.closed_by = None
        current._change_reason = f"Reopened by {user}"
        current.save()
    return current


def flag_overdue_action_items(today=None) -> int:
    """Tell each overdue item's owner and creator, once per item (the event's key); returns how
    many items were flagged now. Every state's items: the wall is off to list them, and ``emit``
    tells only those who read the item."""
    today = today or timezone.localdate()
    flagged = 0
    with scopes_disabled():
        overdue = list(ActionItem.objects.overdue(today).select_related("owner", "created_by", "state", "zone"))
    for item in overdue:
        with transaction.atomic():
            event = emit(
                EventKind.ACTION_ITEM_OVERDUE,
                summary=f"Overdue since {item.due_on:%b %-d, %Y}: {item.title}",
                subject=item,
                state=item.state,
                zone=item.zone,
                school=item.school,
                link=action_item_url(item),
                recipients=[item.owner, item.created_by],
                watched=False,
                key=f"action_item_overdue:{item.pk}",
            )
        flagged += event is not None
    return flagged
