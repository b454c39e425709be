"""Template helpers of meetings and action items: their coloured choices, the "Your action items"
and state panels other apps' pages include, and the "Add action item" link where one may add it."""

from django import template
from django.utils import timezone

from ..actions import days_overdue, item_about, new_item_url
from ..choices import ActionStatus, MeetingKind
from ..models import ActionItem

register = template.Library()
PANEL_SIZE = 10


@register.filter
def meeting_kind(meeting) -> MeetingKind:
    return MeetingKind(meeting.kind)


@register.filter
def item_status(item) -> ActionStatus:
    return ActionStatus(item.status)


def _rows(items) -> list:
    today = timezone.localdate()
    return [(item, days_overdue(item, today)) for item in items]


@register.inclusion_tag("network/_action_items_panel.html", takes_context=True)
def your_action_items(context):
    """The reader's open action items, soonest due first (overdue flagged)."""
    user = context["request"].user
    items = ActionItem.objects.filter(owner=user).open().select_related("state")
    return {"heading": "Your action items", "rows": _rows(items[:PANEL_SIZE]), "count": items.count(), "state": None}


@register.inclusion_tag("network/_action_items_panel.html")
def state_action_items(state):
    """A state's open action items, soonest due first (overdue flagged), and its meetings page."""
    items = ActionItem.objects.filter(state=state).open().select_related("owner", "state")
    return {"heading": "Action items", "rows": _rows(items[:PANEL_SIZE]), "count": items.count(), "state": state}


@register.simple_tag(takes_context=True)
def add_action_item_url(context, concern) -> str:
    """The page adding an action item about ``concern`` when the reader may add one, else ""."""
    user = context["request"].user
    return new_item_url(concern) if user.has_perm("network.add_actionitem", item_about(concern)) else ""
