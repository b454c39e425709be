"""The one vocabulary of how a school stands: a Lead Partner's rating, a metric's projection and
a school's standing share these values, labels and colours (as NetBox keeps its ``choices.py``).

Every surface (badges, CSV, API enums, PDFs, charts) reads labels and colours from here, so
"No data" is spelled once.
"""

from django.db import models


class Rating(models.TextChoices):
    """A Lead Partner's overall rating of a school in a status update."""

    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class Standing(models.TextChoices):
    """A rating, a projection or a school's standing; ``NO_DATA`` when there is nothing to go on.

    Declared worst first: the order is the order of severity (and of every count and chart)."""

    OFF_TRACK = Rating.OFF_TRACK.value, Rating.OFF_TRACK.label
    AT_RISK = Rating.AT_RISK.value, Rating.AT_RISK.label
    ON_TRACK = Rating.ON_TRACK.value, Rating.ON_TRACK.label
    NO_DATA = "no_data", "No data"

    @classmethod
    def of(cls, value) -> "Standing":
        """The standing a stored value (a rating, a status string, None or "") stands for."""
        return cls(value) if value else cls.NO_DATA

    @property
    def colour(self) -> str:
        return STANDING_COLOURS[self]

    @property
    def severity(self) -> int:
        """0 for off track … 3 for no data: smaller is worse."""
        return SEVERITY[self]


SEVERITY = {standing: rank for rank, standing in enumerate(Standing)}  # read per school on every list

STANDING_COLOURS = {
    Standing.OFF_TRACK: "#b3261e",
    Standing.AT_RISK: "#e07b00",
    Standing.ON_TRACK: "#2e7d32",
    Standing.NO_DATA: "#9aa5b1",
}


def worst(standings) -> Standing:
    """The worst of some standings, ignoring ``NO_DATA`` (``NO_DATA`` when none has data)."""
    known = [standing for standing in map(Standing.of, standings) if standing != Standing.NO_DATA]
    return min(known, key=SEVERITY.__getitem__) if known else Standing.NO_DATA


class Submission(models.TextChoices):
    """Where a school's reporting period stands in the cycle, as stored: values saved and still
    being corrected (``IN_PROGRESS``, or ``RETURNED`` by the state with a comment), ``SUBMITTED``
    for review (the Lead Partner can no longer change it), ``APPROVED`` (locked until a state lead
    reopens it with a reason)."""

    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"


class Collection(models.TextChoices):
    """A requirement's status on the collection calendar (what the due / late table shows): a
    period not yet submitted is ``DUE`` until its due date, ``LATE`` after it; then as submitted.

    Declared worst first, like ``Standing``."""

    LATE = "late", "Late"
    RETURNED = Submission.RETURNED.value, Submission.RETURNED.label
    DUE = "due", "Due"
    SUBMITTED = Submission.SUBMITTED.value, Submission.SUBMITTED.label
    APPROVED = Submission.APPROVED.value, Submission.APPROVED.label

    @property
    def colour(self) -> str:
        return COLLECTION_COLOURS[self]


COLLECTION_COLOURS = {
    Collection.LATE: STANDING_COLOURS[Standing.OFF_TRACK],
    Collection.RETURNED: STANDING_COLOURS[Standing.AT_RISK],
    Collection.DUE: STANDING_COLOURS[Standing.NO_DATA],
    Collection.SUBMITTED: "#1a5fb4",
    Collection.APPROVED: STANDING_COLOURS[Standing.ON_TRACK],
}


class Decision(models.TextChoices):
    """The state's renewal decision on a zone and its Lead Partner."""

    CONTINUE = "continue", "Continue"
    INTENSIFY = "intensify", "Intensify support"
    REPLACE_LEAD_PARTNER = "replace_lead_partner", "Replace the Lead Partner"
    EXIT = "exit", "Exit"
