"""The vocabularies of notifications: what happened (``EventKind``, with who is told by default and
how) and how a person wants to hear of it (``Delivery``). Every page, mail and API reads the labels
from here."""

from django.db import models


class Delivery(models.TextChoices):
    """How one person hears of one kind of event."""

    IMMEDIATE = "immediate", "Email at once"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    IN_APP = "in_app", "In the app only"
    OFF = "off", "Off"

    @property
    def emailed(self) -> bool:
        return self in (Delivery.IMMEDIATE, Delivery.DAILY, Delivery.WEEKLY)

    @property
    def colour(self) -> str:
        return DELIVERY_COLOURS[self]


DELIVERY_COLOURS = {
    Delivery.IMMEDIATE: "#1d70b8",
    Delivery.DAILY: "#2e7d32",
    Delivery.WEEKLY: "#4c2c92",
    Delivery.IN_APP: "#9aa5b1",
    Delivery.OFF: "#505a5f",
}
DIGESTS = (Delivery.DAILY, Delivery.WEEKLY)


class EventKind(models.TextChoices):
    """What happened. Declared in the order the preferences page lists them."""

    STATUS_UPDATE_POSTED = "status_update_posted", "Status update posted"
    PERIOD_DUE = "period_due", "Reporting period due"
    PERIOD_LATE = "period_late", "Reporting period late"
    PERIOD_RETURNED = "period_returned", "Period returned for correction"
    PERIOD_APPROVED = "period_approved", "Period approved"
    COMMITMENT_RECEIVED = "commitment_received", "Commitment received"
    ACTION_ITEM_ASSIGNED = "action_item_assigned", "Action item assigned to you"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
    MEETING_SCHEDULED = "meeting_scheduled", "Meeting scheduled"
    BRIEF_READY = "brief_ready", "Report ready"
    COMMENT_MENTION = "comment_mention", "Comment mentioning you"
    COMMENT_ASSIGNED = "comment_assigned", "Comment needing your action"
    COMMENT_REPLY = "comment_reply", "Reply in a thread you are in"

    @property
    def default_delivery(self) -> Delivery:
        """How someone who chose nothing hears of it: at once when it asks something of them,
        in a digest when it is news, in the app when the daily reminder digest already mails it."""
        return DEFAULT_DELIVERY[self]

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DEFAULT_DELIVERY = {
    EventKind.STATUS_UPDATE_POSTED: Delivery.DAILY,
    EventKind.PERIOD_DUE: Delivery.IN_APP,
    EventKind.PERIOD_LATE: Delivery.IN_APP,
    EventKind.PERIOD_RETURNED: Delivery.IMMEDIATE,
    EventKind.PERIOD_APPROVED: Delivery.DAILY,
    EventKind.COMMITMENT_RECEIVED: Delivery.DAILY,
    EventKind.ACTION_ITEM_ASSIGNED: Delivery.IMMEDIATE,
    EventKind.ACTION_ITEM_OVERDUE: Delivery.IMMEDIATE,
    EventKind.MEETING_SCHEDULED: Delivery.DAILY,
    EventKind.BRIEF_READY: Delivery.IMMEDIATE,
    EventKind.COMMENT_MENTION: Delivery.IMMEDIATE,
    EventKind.COMMENT_ASSIGNED: Delivery.IMMEDIATE,
    EventKind.COMMENT_REPLY: Delivery.IMMEDIATE,
}
DESCRIPTIONS = {
    EventKind.STATUS_UPDATE_POSTED: "A Lead Partner posted a status update on a school you watch.",
    EventKind.PERIOD_DUE: "A reporting period of your schools comes due (the daily reminder digest also lists it).",
    EventKind.PERIOD_LATE: "A reporting period of your schools is late; escalated ones reach the state lead.",
    EventKind.PERIOD_RETURNED: "The state returned a school's period for correction.",
    EventKind.PERIOD_APPROVED: "The state approved a school's period.",
    EventKind.COMMITMENT_RECEIVED: "A funder's commitment in your state was received.",
    EventKind.ACTION_ITEM_ASSIGNED: "Someone made you the owner of an action item.",
    EventKind.ACTION_ITEM_OVERDUE: "An action item you own, or created, is past its due date.",
    EventKind.MEETING_SCHEDULED: "You were added to a meeting.",
    EventKind.BRIEF_READY: "A report you asked for is ready to download.",
    EventKind.COMMENT_MENTION: "Someone mentioned you (@your.email) in a comment you can read.",
    EventKind.COMMENT_ASSIGNED: "A comment needs your action.",
    EventKind.COMMENT_REPLY: "Someone replied in a comment thread you are in.",
}
