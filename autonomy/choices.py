"""The vocabularies of the autonomy ledger, with label and colour."""

from django.db import models


class Area(models.TextChoices):
    """The four areas of autonomy a zone's schools trade for accountability."""

    PEOPLE = "people", "People"
    TIME = "time", "Time"
    MONEY = "money", "Money"
    PROGRAM = "program", "Program"


class Power(models.TextChoices):
    """What, within an area, a term lets the zone decide."""

    STAFFING = "staffing", "Staffing"
    HIRING = "hiring", "Hiring"
    PLACEMENT = "placement", "Placement"
    SCHEDULE = "schedule", "Schedule"
    EXTENDED_LEARNING_TIME = "extended_learning_time", "Extended learning time"
    BUDGET = "budget", "Budget"
    CURRICULUM = "curriculum", "Curriculum"
    INSTRUCTION = "instruction", "Instruction"

    @property
    def area(self) -> Area:
        return POWER_AREAS[self]


POWER_AREAS = {
    Power.STAFFING: Area.PEOPLE,
    Power.HIRING: Area.PEOPLE,
    Power.PLACEMENT: Area.PEOPLE,
    Power.SCHEDULE: Area.TIME,
    Power.EXTENDED_LEARNING_TIME: Area.TIME,
    Power.BUDGET: Area.MONEY,
    Power.CURRICULUM: Area.PROGRAM,
    Power.INSTRUCTION: Area.PROGRAM,
}


class LegalSource(models.TextChoices):
    MOU_CLAUSE = "mou_clause", "MOU clause"
    BARGAINING_ARTICLE = "bargaining_article", "Collective-bargaining article"
    STATE_WAIVER = "state_waiver", "State waiver"
    BOARD_POLICY = "board_policy", "Board policy"


class TermStatus(models.TextChoices):
    """Declared in the order the state reads them: contested first."""

    CONTESTED = "contested", "Contested"
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    REVOKED = "revoked", "Revoked"

    @property
    def colour(self) -> str:
        return TERM_STATUS_COLOURS[self]


TERM_STATUS_COLOURS = {
    TermStatus.CONTESTED: "#b3261e",
    TermStatus.REQUESTED: "#e07b00",
    TermStatus.GRANTED: "#2e7d32",
    TermStatus.REVOKED: "#6b7785",
}


class Practice(models.TextChoices):
    """A Lead Partner's check-in: does a granted term hold in practice?"""

    HOLDS = "holds", "Holds in practice"
    PARTLY = "partly", "Holds only in part"
    DOES_NOT_HOLD = "does_not_hold", "Does not hold"

    @property
    def colour(self) -> str:
        return PRACTICE_COLOURS[self]


PRACTICE_COLOURS = {
    Practice.HOLDS: "#2e7d32",
    Practice.PARTLY: "#e07b00",
    Practice.DOES_NOT_HOLD: "#b3261e",
}
