"""Funders, their commitments to the initiative, a state or a zone, and what is spent."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import Q, Sum
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from core.concurrency import VersionedModel
from core.fields import money_field
from core.reasons import ReasonedStatusModel
from core.tenancy import DirectoryQuerySet, TenantModel, viewer_manager
from core.validators import validate_not_after_today, validate_single_line_text

POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]


class Source(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class FunderQuerySet(DirectoryQuerySet):
    def able_to_fund(self, state):
        """Funders that may commit money to ``state``: national and private funders, and that
        state's own funds (another state's funds stay in their state)."""
        return self.filter(Q(state__isnull=True) | Q(state=state))


class Funder(models.Model):
    """Who gives money. Its kind fixes whether the money is public or private; state funds
    belong to one state and are committed there only."""

    class Kind(models.TextChoices):
        PRIVATE_FOUNDATION = "private_foundation", "Private foundation"
        FEDERAL_FORMULA = "federal_formula", "Federal formula (e.g. 1003(g) SIG)"
        FEDERAL_COMPETITIVE = "federal_competitive", "Federal competitive (e.g. Race to the Top)"
        STATE = "state", "State"
        DISTRICT = "district", "District"

    name = models.CharField(max_length=200, unique=True, validators=[validate_single_line_text])
    kind = models.CharField(max_length=30, choices=Kind.choices)
    website = models.URLField(blank=True)
    state = models.ForeignKey(
        "zones.State",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funders",
        help_text="The state whose own funds these are; they are committed in that state only.",
    )

    objects = viewer_manager(FunderQuerySet)
    history = HistoricalRecords()

    # Kinds of money that belong to one state (required for state funds, allowed for a district's).
    STATE_BOUND_KINDS = (Kind.STATE, Kind.DISTRICT)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_private(self) -> bool:
        return self.kind == self.Kind.PRIVATE_FOUNDATION

    @property
    def source(self) -> str:
        """Public or private: fixed by the kind of funder."""
        return Source.PRIVATE if self.is_private else Source.PUBLIC

    def clean(self):
        super().clean()
        if self.kind == self.Kind.STATE and not self.state_id:
            raise ValidationError({"state": "State funds belong to one state: choose it."})
        if self.state_id and self.kind not in self.STATE_BOUND_KINDS:
            kind = self.get_kind_display()
            raise ValidationError({"state": f"{kind} money is not one state's: leave the state empty."})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A changed kind changes whether its money is public or private, on every commitment (in any state).
        with scopes_disabled():
            self.commitments.exclude(source=self.source).update(source=self.source)


class Commitment(ReasonedStatusModel, VersionedModel, TenantModel):
    """Money a funder puts toward the initiative, a state or a zone.

    Status moves forward only: pledged → committed → received, each step with its reason
    (core.reasons). Totals count a commitment at every stage it has reached (a received commitment
    is also committed and pledged).
    """

    class RecipientLevel(models.TextChoices):
        INITIATIVE = "initiative", "Initiative"
        STATE = "state", "State"
        ZONE = "zone", "Zone"

    class Status(models.TextChoices):
        PLEDGED = "pledged", "Pledged"
        COMMITTED = "committed", "Committed"
        RECEIVED = "received", "Received"

    STATUS_ORDER = [Status.PLEDGED, Status.COMMITTED, Status.RECEIVED]

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="commitments")
    initiative = models.ForeignKey("zones.Initiative", on_delete=models.PROTECT, related_name="commitments")
    recipient_level = models.CharField(max_length=20, choices=RecipientLevel.choices)
    state = models.ForeignKey(
        "zones.State", null=True, blank=True, on_delete=models.PROTECT, related_name="commitments"
    )
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.PROTECT, related_name="commitments")
    description = models.CharField(max_length=300, blank=True, validators=[validate_single_line_text])
    amount = money_field("amount", validators=POSITIVE_MONEY)
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        editable=False,
        help_text="Public or private: always the funder's (private foundations are private, the rest public).",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLEDGED)
    pledged_on = models.DateField()
    committed_on = models.DateField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    expected_by = models.DateField(null=True, blank=True, help_text="When the money is due to be received.")

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["-pledged_on", "funder__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="commitment_period"),
        ]

    def __str__(self):
        return f"{self.funder} → {self.recipient_label}: ${self.amount:,.2f} ({self.get_status_display()})"

    @property
    def recipient_label(self) -> str:
        if self.recipient_level == self.RecipientLevel.ZONE and self.zone_id:
            return str(self.zone)
        if self.recipient_level == self.RecipientLevel.STATE and self.state_id:
            return str(self.state)
        return str(self.initiative) if self.initiative_id else "initiative"

    def _derive_defaults(self):
        if self.zone_id:
            self.state_id = self.zone.state_id
        if self.funder_id:
            self.source = self.funder.source

    def source_error(self, source: str) -> str | None:
        """Why ``source`` cannot be this commitment's (it contradicts the funder), or None."""
        if not self.funder_id or source == self.funder.source:
            return None
        funder = self.funder
        what = "a private foundation" if funder.is_private else f"a public funder ({funder.get_kind_display()})"
        return f"{funder} is {what}: its money is {funder.source}, not {source}."

    def save(self, *args, **kwargs):
        """Save; the status rule and the spending limit are checked against the locked row, so two
        concurrent changes cannot move the status back or cut the amount below what was spent."""
        self._derive_defaults()
        with transaction.atomic():
            if not self._state.adding:
                locked = Commitment._base_manager.select_for_update().filter(pk=self.pk)
                stored = locked.values("status", "amount").first()
                if stored is not None:
                    problem = self.backward_error(stored["status"])
                    if problem:
                        raise ValidationError({"status": problem})
                    amount = self._meta.get_field("amount").to_python(self.amount)
                    if amount is not None and amount < stored["amount"]:
                        spent = Expenditure._base_manager.filter(commitment_id=self.pk).aggregate(total=Sum("amount"))
                        if (spent["total"] or 0) > amount:
                            raise ValidationError(
                                {"amount": f"${spent['total']:,.2f} of this commitment is spent; it cannot be less."}
                            )
            super().save(*args, **kwargs)

    def backward_error(self, previous: str) -> str | None:
        """Why moving from ``previous`` to the current status goes backwards, or None."""
        if previous and self.STATUS_ORDER.index(self.status) < self.STATUS_ORDER.index(previous):
            return (
                f"A commitment moves forward only (pledged → committed → received); "
                f"it cannot go back from {previous} to {self.status}."
            )
        return None

    def clean(self):
        super().clean()
        errors = {}
        if self.zone_id and self.state_id and self.state_id != self.zone.state_id:
            errors["state"] = "The zone of a commitment is in another state."
        self._derive_defaults()
        level = self.recipient_level
        if level == self.RecipientLevel.ZONE:
            if not self.zone_id:
                errors["zone"] = "A zone-level commitment names its zone."
        elif level == self.RecipientLevel.STATE:
            if not self.state_id:
                errors["state"] = "A state-level commitment names its state."
            if self.zone_id:
                errors["zone"] = "A state-level commitment names no zone."
        elif level == self.RecipientLevel.INITIATIVE and (self.state_id or self.zone_id):
            errors["recipient_level"] = "An initiative-level commitment names no state or zone."
        if self.state_id and self.initiative_id and self.state.initiative_id != self.initiative_id:
            errors["state"] = "The state is not part of this initiative."
        if self.funder_id and self.funder.state_id and self.funder.state_id != self.state_id:
            home = self.funder.state
            where = f"not to {self.state}" if self.state_id else "not to the whole initiative"
            errors["funder"] = f"{self.funder} are {home}'s own money: commit them to {home} or its zones, {where}."
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = "The period cannot end before it starts."
        errors.update(self._status_errors())
        if errors:
            raise ValidationError(errors)

    def _status_errors(self) -> dict:
        errors = {}
        if self.pk:
            previous = Commitment.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            problem = self.backward_error(previous)
            if problem:
                errors["status"] = problem
        if self.status in (self.Status.COMMITTED, self.Status.RECEIVED) and not self.committed_on:
            errors["committed_on"] = "Give the date the money was committed."
        if self.status == self.Status.RECEIVED and not self.received_on:
            errors["received_on"] = "Give the date the money was received."
        if self.committed_on and self.pledged_on and self.committed_on < self.pledged_on:
            errors["committed_on"] = "Money is committed on or after the day it is pledged."
        if self.received_on and self.committed_on and self.received_on < self.committed_on:
            errors["received_on"] = "Money is received on or after the day it is committed."
        return errors

    def advance(self, status: str, on, *, reason: str) -> None:
        """Move the commitment one or more steps forward, dating each step reached, for ``reason``."""
        if self.STATUS_ORDER.index(status) <= self.STATUS_ORDER.index(self.status):
            raise ValidationError({"status": f"The commitment is already {self.get_status_display().lower()}."})
        if status in (self.Status.COMMITTED, self.Status.RECEIVED) and not self.committed_on:
            self.committed_on = on
        if status == self.Status.RECEIVED:
            self.received_on = on
        self.status = status
        self._change_reason = reason
        self.full_clean()
        self.save()

    @property
    def spent(self) -> Decimal:
        return self.expenditures.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


class Expenditure(VersionedModel, TenantModel):
    """Money spent from a commitment in a zone or at one school."""

    class Category(models.TextChoices):
        ELT_COMPENSATION = "elt_compensation", "Teacher compensation — extended learning time"
        INCENTIVE_PAY = "incentive_pay", "Teacher compensation — incentive pay"
        PARTNER_SERVICES = "partner_services", "Partner services"
        OTHER = "other", "Other"

    TEACHER_COMPENSATION = (Category.ELT_COMPENSATION, Category.INCENTIVE_PAY)

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="expenditures")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="expenditures", editable=False)
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.PROTECT, related_name="expenditures")
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.PROTECT, related_name="expenditures"
    )
    category = models.CharField(max_length=30, choices=Category.choices)
    amount = money_field("amount", validators=POSITIVE_MONEY)
    spent_on = models.DateField(validators=[validate_not_after_today])
    description = models.CharField(max_length=300, blank=True, validators=[validate_single_line_text])

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["-spent_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expenditure_amount_positive"),
            models.CheckConstraint(
                condition=Q(zone__isnull=False) | Q(school__isnull=False), name="expenditure_zone_or_school"
            ),
        ]

    def __str__(self):
        return f"${self.amount:,.2f} {self.get_category_display()} ({self.spent_on})"

    def _derive_place(self):
        """A school's expenditure also counts for its zone; both give the state."""
        if self.school_id and not self.zone_id:
            self.zone_id = self.school.zone_id
        place = self.zone if self.zone_id else (self.school.district if self.school_id else None)
        if place is not None:
            self.state_id = place.state_id

    def save(self, *args, **kwargs):
        """Save; the commitment's row is locked and its spending summed on that locked state, so
        concurrent expenditures cannot together spend more than the commitment (``clean`` sums
        before the write and cannot see the others)."""
        self._derive_place()
        with transaction.atomic():
            if self.commitment_id is not None and self.amount is not None:
                commitment = Commitment._base_manager.select_for_update().get(pk=self.commitment_id)
                problem = self.overspending_error(commitment)
                if problem:
                    raise ValidationError({"amount": problem})
            super().save(*args, **kwargs)

    def overspending_error(self, commitment) -> str | None:
        """Why this expenditure would spend more than ``commitment`` has received, or None: money is
        spent once it has arrived (a pledge or a signed commitment is not yet in the bank)."""
        if commitment.status != Commitment.Status.RECEIVED:
            return (
                f"This commitment is {commitment.get_status_display().lower()}, not yet received; "
                "record its money as received before spending it."
            )
        others = Expenditure._base_manager.filter(commitment_id=commitment.pk).exclude(pk=self.pk)
        already = others.aggregate(total=Sum("amount"))["total"] or 0
        if already + self._meta.get_field("amount").to_python(self.amount) > commitment.amount:
            return f"Only ${commitment.amount - already:,.2f} of this commitment's received money is left to spend."
        return None

    def clean(self):
        super().clean()
        errors = {}
        if not self.zone_id and not self.school_id:
            errors["zone"] = "An expenditure is made in a zone or at a school."
        if self.school_id and self.zone_id and self.school.zone_id != self.zone_id:
            errors["school"] = f"{self.school} is not in {self.zone}."
        if not errors:
            self._derive_place()
            commitment = self.commitment if self.commitment_id else None
            if commitment is not None:
                if commitment.state_id and commitment.state_id != self.state_id:
                    errors["commitment"] = f"This commitment is for {commitment.state}; spend it there."
                if commitment.zone_id and self.zone_id != commitment.zone_id:
                    errors["commitment"] = f"This commitment is for {commitment.zone}; spend it there."
                problem = self.overspending_error(commitment) if self.amount is not None else None
                if problem:
                    errors["amount"] = problem
        if self.spent_on and self.commitment_id and self.spent_on < self.commitment.pledged_on:
            errors["spent_on"] = "Money cannot be spent before it is pledged."
        if errors:
            raise ValidationError(errors)
