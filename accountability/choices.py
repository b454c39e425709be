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
        return list(Standing).index(self)


STANDING_COLOURS = {
    Standing.OFF_TRACK: "#b3261e",
    Standing.AT_RISK: "#e07b00",
    Standing.ON_TRACK: "#2e8540",
    Standing.NO_DATA: "#9aa5b1",
}


def worst(standings) -> Standing:
    """The worst of some standings, ignoring ``NO_DATA`` (``NO_DATA`` when none has data)."""
    known = [Standing.of(value) for value in standings if Standing.of(value) != Standing.NO_DATA]
    return min(known, key=lambda standing: standing.severity) if known else Standing.NO_DATA
