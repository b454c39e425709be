"""The vocabularies of comment threads."""

from django.db import models


class Visibility(models.TextChoices):
    """Who reads a comment, besides initiative admins. Declared widest first."""

    EVERYONE = "everyone", "Everyone who sees it"
    PARTNER_AND_STATE = "partner_and_state", "Lead Partner and state"
    STATE_STAFF = "state_staff", "State and initiative staff only"


class Subject(models.TextChoices):
    """What a thread is about."""

    SCHOOL = "school", "School"
    ZONE = "zone", "Zone"
    STATUS_UPDATE = "status_update", "Status update"
    ANNUAL_REVIEW = "annual_review", "Annual review"
    PERIOD_SUBMISSION = "period_submission", "Period submission"
