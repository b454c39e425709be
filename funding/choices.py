"""The money engine's vocabularies, with label and colour: how an award's spending stands against
its period of availability, and how a place stands against its match."""

from django.db import models


class Outlook(models.TextChoices):
    """An award's spending against its period of availability (``funding.availability``)."""

    LAPSED = "lapsed", "Lapsed"
    AT_RISK = "at_risk", "At risk of lapsing"
    NOT_STARTED = "not_started", "Not yet available"
    ON_PACE = "on_pace", "On pace"
    SPENT = "spent", "Spent"

    @property
    def colour(self) -> str:
        return OUTLOOK_COLOURS[self]

    @property
    def flagged(self) -> bool:
        return self in (Outlook.LAPSED, Outlook.AT_RISK)


OUTLOOK_COLOURS = {
    Outlook.LAPSED: "#b3261e",
    Outlook.AT_RISK: "#e07b00",
    Outlook.NOT_STARTED: "#9aa5b1",
    Outlook.ON_PACE: "#2e7d32",
    Outlook.SPENT: "#2e7d32",
}


class MatchStatus(models.TextChoices):
    """A place's match ratio against the ratio its rule aims for (``funding.match``)."""

    BELOW = "below", "Below its match"
    MET = "met", "Match met"
    NO_PUBLIC = "no_public", "No public money yet"

    @property
    def colour(self) -> str:
        return MATCH_COLOURS[self]


MATCH_COLOURS = {MatchStatus.BELOW: "#b3261e", MatchStatus.MET: "#2e7d32", MatchStatus.NO_PUBLIC: "#9aa5b1"}
