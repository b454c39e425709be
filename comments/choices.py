"""The vocabularies of comment threads."""

from django.db import models


class Visibility(models.TextChoices):
    """Who reads a comment, besides initiative admins. Declared widest first: a reply is never
    wider than its parent (``is_wider_than``)."""

    EVERYONE = "everyone", "Everyone who sees it"
    PARTNER_AND_STATE = "partner_and_state", "Lead Partner and state"
    STATE_STAFF = "state_staff", "State and initiative staff only"

    @property
    def colour(self) -> str:
        return VISIBILITY_COLOURS[self]

    @property
    def breadth(self) -> int:
        """2 for everyone … 0 for state staff only: larger reaches more readers."""
        return len(Visibility) - 1 - list(Visibility).index(self)

    def is_wider_than(self, other: "Visibility") -> bool:
        return self.breadth > Visibility(other).breadth


VISIBILITY_COLOURS = {
    Visibility.EVERYONE: "#2e7d32",
    Visibility.PARTNER_AND_STATE: "#1f5fa8",
    Visibility.STATE_STAFF: "#b3261e",
}


class Subject(models.TextChoices):
    """What a thread is about."""

    SCHOOL = "school", "School"
    ZONE = "zone", "Zone"
    STATUS_UPDATE = "status_update", "Status update"
    ANNUAL_REVIEW = "annual_review", "Annual review"
    PERIOD_SUBMISSION = "period_submission", "Period submission"
