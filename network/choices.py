"""The network's vocabularies with label and colour: kinds of meeting and the states of an action
item. Pages, CSV, API and the calendar feed read them from here."""

from django.db import models


class MeetingKind(models.TextChoices):
    SDG_CALL = "sdg_call", "State Development Group call"
    STATE_MEETING = "state_meeting", "State meeting"
    SITE_VISIT = "site_visit", "Site visit"

    @property
    def colour(self) -> str:
        return {"sdg_call": "#4c2c92", "state_meeting": "#1d70b8", "site_visit": "#2e7d32"}[self.value]

    @property
    def is_network(self) -> bool:
        """An SDG call is the whole network's: it belongs to no one state."""
        return self == MeetingKind.SDG_CALL


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"

    @property
    def colour(self) -> str:
        return {"open": "#1d70b8", "in_progress": "#e07b00", "done": "#2e7d32", "dropped": "#505a5f"}[self.value]

    @property
    def is_closed(self) -> bool:
        return self in CLOSED


CLOSED = (ActionStatus.DONE, ActionStatus.DROPPED)
OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
