"""The vocabularies of Lead Partner contracts and reviews, with label and colour."""

from django.db import models


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    TERMINATED = "terminated", "Terminated"

    @property
    def colour(self) -> str:
        return CONTRACT_COLOURS[self]


class ReviewStatus(models.TextChoices):
    """A review is written as a draft (the state's only), then issued to the Lead Partner, who
    may respond."""

    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


class ReviewPart(models.TextChoices):
    ACADEMIC = "academic", "Academic"
    OPERATIONAL = "operational", "Operational"
    FINANCIAL = "financial", "Financial"


class ReviewRating(models.TextChoices):
    """The reviewer's rating of one part of a review. Declared best first."""

    EXCEEDS = "exceeds", "Exceeds expectations"
    MEETS = "meets", "Meets expectations"
    APPROACHING = "approaching", "Approaching expectations"
    DOES_NOT_MEET = "does_not_meet", "Does not meet expectations"

    @property
    def colour(self) -> str:
        return REVIEW_RATING_COLOURS[self]


REVIEW_RATING_COLOURS = {
    ReviewRating.EXCEEDS: "#1b6e3a",
    ReviewRating.MEETS: "#2e7d32",
    ReviewRating.APPROACHING: "#e07b00",
    ReviewRating.DOES_NOT_MEET: "#b3261e",
}


class DeliverableStatus(models.TextChoices):
    """Where a deliverable stands on a day: delivered (on time or late), still due, or overdue.
    Declared worst first."""

    OVERDUE = "overdue", "Overdue"
    DUE = "due", "Due"
    DELIVERED_LATE = "delivered_late", "Delivered late"
    DELIVERED = "delivered", "Delivered"

    @property
    def colour(self) -> str:
        return DELIVERABLE_COLOURS[self]


DELIVERABLE_COLOURS = {
    DeliverableStatus.OVERDUE: "#b3261e",
    DeliverableStatus.DUE: "#9aa5b1",
    DeliverableStatus.DELIVERED_LATE: "#e07b00",
    DeliverableStatus.DELIVERED: "#2e7d32",
}

CONTRACT_COLOURS = {
    ContractStatus.DRAFT: "#9aa5b1",
    ContractStatus.ACTIVE: "#2e7d32",
    ContractStatus.ENDED: "#5b6b7b",
    ContractStatus.TERMINATED: "#b3261e",
}
