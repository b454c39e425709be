"""Funders, their commitments to the initiative, a state or a zone, and what is spent."""

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django_scopes import scopes_disabled
from simple_history.models import HistoricalRecords

from accounts.models import Membership
from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.fields import money_field
from core.reasons import REASON_MAX_LENGTH, ReasonedStatusModel
from core.tenancy import DirectoryQuerySet, TenantModel, TenantQuerySet, tenant_manager, viewer_manager
from core.validators import validate_not_after_today, validate_single_line_text
from notifications.choices import EventKind
from notifications.events import emit

POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]


class Source(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class FunderQuerySet(DirectoryQuerySet):
    def able_to_fund(self, state):
        """Funders that may commit money to ``state``: national and private funders, and that
        state's own funds (another state's funds stay in their state)."""
        return self.filter(Q(state__isnull=True) | Q(state=state))


class Funder(TrackedModel):
    """Who gives money. Its kind fixes whether the money is public or private; state funds
    belong to one state and are committed there only."""

    natural_key_fields = {"name": "name"}

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


class Commitment(TrackedModel, ReasonedStatusModel, VersionedModel, TenantModel):
    """Money a funder puts toward the initiative, a state or a zone.

    Status moves forward only: pledged → committed → received, each step with its reason
    (core.reasons). Totals count a commitment at every stage it has reached (a received commitment
    is also committed and pledged). Becoming received (or recorded as received) is an event
    (``notifications``), told from ``save``, the one place every write path goes through.
    """

    class RecipientLevel(models.TextChoices):
        INITIATIVE = "initiative", "Initiative"
        STATE = "state", "State"
        ZONE = "zone", "Zone"

    class Status(models.TextChoices):
        PLEDGED = "pledged", "Pledged"
        COMMITTED = "committed", "Committed"
        RECEIVED = "received", "Received"
        WITHDRAWN = "withdrawn", "Withdrawn"

    STATUS_ORDER = [Status.PLEDGED, Status.COMMITTED, Status.RECEIVED]
    # Statuses whose money counts in totals (a withdrawn commitment is kept, never counted).
    LIVE_STATUSES = STATUS_ORDER

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="commitments")
    award = models.ForeignKey(
        "Award",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        help_text="The public award this money comes from; its commitments together stay within its amount.",
    )
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
    withdrawn_on = models.DateField(null=True, blank=True, help_text="When the funder withdrew the commitment.")

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["-pledged_on", "funder__name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="commitment_amount_positive"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="commitment_period"),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_on__isnull=False)
                | (~Q(status="withdrawn") & Q(withdrawn_on__isnull=True)),
                name="commitment_withdrawn_dated",
            ),
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
        """Save; the status rule, the spending limit and the award's limit are checked against
        locked rows, so concurrent changes cannot move the status back, cut the amount below what
        was spent, withdraw money being spent, or commit more than the award together."""
        self._derive_defaults()
        with transaction.atomic():
            if self.award_id is not None:
                award = Award._base_manager.select_for_update().get(pk=self.award_id)
                problem = self.award_error(award)
                if problem:
                    raise ValidationError({"amount": problem})
            previous = None
            if not self._state.adding:
                locked = Commitment._base_manager.select_for_update().filter(pk=self.pk)
                stored = locked.values("status", "amount").first()
                if stored is not None:
                    previous = stored["status"]
                    problem = self.backward_error(stored["status"])
                    if problem:
                        raise ValidationError({"status": problem})
                    spent = Expenditure._base_manager.filter(Expenditure.LIVE, commitment_id=self.pk).aggregate(
                        total=Sum("amount")
                    )
                    spent = spent["total"] or 0
                    if self.status == self.Status.WITHDRAWN and spent:
                        raise ValidationError({"status": self.spent_withdrawal_error(spent)})
                    amount = self._meta.get_field("amount").to_python(self.amount)
                    if amount is not None and amount < stored["amount"] and spent > amount:
                        raise ValidationError(
                            {"amount": f"${spent:,.2f} of this commitment is spent; it cannot be less."}
                        )
            super().save(*args, **kwargs)
            if self.status == self.Status.RECEIVED and previous != self.Status.RECEIVED:
                self._announce_received()

    def _announce_received(self) -> None:
        """Tell the state's leads, and whoever watches its state or zone, that the money came in (an
        event, in the saving transaction). Every write path saves here, so it is told once, by the
        person the history row names."""
        amount = self._meta.get_field("amount").to_python(self.amount)
        latest = self.history.only("history_user").first()
        leads = Membership.objects.state_leads(self.state_id).active().select_related("user") if self.state_id else ()
        emit(
            EventKind.COMMITMENT_RECEIVED,
            summary=f"{self.funder}: ${amount:,.2f} received for {self.recipient_label}",
            subject=self,
            state=self.state,
            zone=self.zone,
            link=reverse("portfolio:state_money", kwargs={"state_pk": self.state_id}) if self.state_id else "",
            actor=latest.history_user if latest is not None else None,
            recipients=[membership.user for membership in leads],
        )

    @staticmethod
    def spent_withdrawal_error(spent) -> str:
        return (
            f"${spent:,.2f} of this commitment is spent; it cannot be withdrawn. "
            "Void its expenditures first if they were recorded by mistake."
        )

    def award_error(self, award, already=0) -> str | None:
        """Why this commitment would take more than ``award`` has left (its other live
        commitments counted, and ``already``: what is not saved yet but takes it first, e.g. an
        import file's earlier rows), or None. A withdrawn commitment takes nothing."""
        if self.status == self.Status.WITHDRAWN or self.amount is None:
            return None
        amount = self._meta.get_field("amount").to_python(self.amount)
        others = Commitment._base_manager.filter(award_id=award.pk, status__in=self.LIVE_STATUSES).exclude(pk=self.pk)
        taken = (others.aggregate(total=Sum("amount"))["total"] or 0) + already
        if taken + amount > award.amount:
            return (
                f"{award} is ${award.amount:,.2f}, of which ${award.amount - taken:,.2f} is left to commit; "
                f"this commitment asks for ${amount:,.2f}."
            )
        return None

    def backward_error(self, previous: str) -> str | None:
        """Why moving from ``previous`` to the current status goes backwards, or None. Any live
        status may become withdrawn; a withdrawn commitment stays withdrawn."""
        if not previous or previous == self.status:
            return None
        if previous == self.Status.WITHDRAWN:
            return "A withdrawn commitment stays withdrawn; record a new commitment if the funder commits again."
        if self.status == self.Status.WITHDRAWN:
            return None
        if self.STATUS_ORDER.index(self.status) < self.STATUS_ORDER.index(previous):
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
        if self.award_id and self.funder_id and self.award.funder_id != self.funder_id:
            errors["award"] = f"{self.award} is {self.award.funder}'s; this commitment is from {self.funder}."
        if self.award_id and self.award.state_id != self.state_id:
            errors["award"] = f"{self.award} is an award to {self.award.state}; commit it there."
        if self.award_id and "award" not in errors:
            problem = self.award_error(self.award)
            if problem:
                errors["amount"] = problem
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
        if self.status == self.Status.WITHDRAWN and not self.withdrawn_on:
            errors["withdrawn_on"] = "Give the date the commitment was withdrawn."
        if self.status != self.Status.WITHDRAWN and self.withdrawn_on:
            errors["withdrawn_on"] = "Only a withdrawn commitment has a withdrawal date."
        if self.withdrawn_on and self.pledged_on and self.withdrawn_on < self.pledged_on:
            errors["withdrawn_on"] = "A commitment is withdrawn on or after the day it is pledged."
        if self.committed_on and self.pledged_on and self.committed_on < self.pledged_on:
            errors["committed_on"] = "Money is committed on or after the day it is pledged."
        if self.received_on and self.committed_on and self.received_on < self.committed_on:
            errors["received_on"] = "Money is received on or after the day it is committed."
        return errors

    def advance(self, status: str, on, *, reason: str) -> None:
        """Move the commitment one or more steps forward, dating each step reached, for ``reason``."""
        if self.status == self.Status.WITHDRAWN:
            raise ValidationError({"status": "The commitment is withdrawn."})
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
        return self.expenditures.live().aggregate(total=Sum("amount"))["total"] or Decimal("0.00")

    @property
    def is_withdrawn(self) -> bool:
        return self.status == self.Status.WITHDRAWN

    def money_moved(self) -> bool:
        """Received, or spent from (a voided expenditure included): then the commitment is kept
        for good (withdrawn, never deleted)."""
        return self.received_on is not None or Expenditure._base_manager.filter(commitment_id=self.pk).exists()


class ExpenditureQuerySet(TenantQuerySet):
    def live(self):
        """Expenditures that count: not voided."""
        return self.filter(Expenditure.LIVE)


class Expenditure(TrackedModel, VersionedModel, TenantModel):
    """Money spent from a commitment in a zone or at one school. A mistaken one is voided with its
    reason (kept, never counted), not deleted: money has moved."""

    LIVE = Q(voided_on__isnull=True)

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
    voided_on = models.DateField(null=True, blank=True, editable=False)
    void_reason = models.TextField(blank=True, editable=False, max_length=REASON_MAX_LENGTH)

    objects = tenant_manager(ExpenditureQuerySet)
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
            models.CheckConstraint(
                condition=Q(voided_on__isnull=True) | ~Q(void_reason=""), name="expenditure_void_has_reason"
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

    @property
    def is_voided(self) -> bool:
        return self.voided_on is not None

    def save(self, *args, **kwargs):
        """Save; the commitment's row is locked and its spending summed on that locked state, so
        concurrent expenditures cannot together spend more than the commitment (``clean`` sums
        before the write and cannot see the others). A voided expenditure is not changed again."""
        self._derive_place()
        with transaction.atomic():
            if not self._state.adding:
                stored = Expenditure._base_manager.select_for_update().filter(pk=self.pk).values("voided_on").first()
                if stored is not None and stored["voided_on"] is not None:
                    raise ValidationError(self.VOIDED_ERROR)
            if self.commitment_id is not None and self.amount is not None and not self.is_voided:
                commitment = Commitment._base_manager.select_for_update().get(pk=self.commitment_id)
                problem = self.overspending_error(commitment)
                if problem:
                    raise ValidationError({"amount": problem})
            super().save(*args, **kwargs)

    VOIDED_ERROR = "This expenditure is voided; it is kept as it was and cannot be changed."

    def overspending_error(self, commitment, already=0) -> str | None:
        """Why this expenditure would spend more than ``commitment`` has received (its other live
        expenditures counted, and ``already``: spending not saved yet that comes first, e.g. an
        import file's earlier rows), or None: money is spent once it has arrived (a pledge or a
        signed commitment is not yet in the bank)."""
        if commitment.status != Commitment.Status.RECEIVED:
            return (
                f"This commitment is {commitment.get_status_display().lower()}, not yet received; "
                "record its money as received before spending it."
            )
        others = Expenditure._base_manager.filter(self.LIVE, commitment_id=commitment.pk).exclude(pk=self.pk)
        spent = (others.aggregate(total=Sum("amount"))["total"] or 0) + already
        if spent + self._meta.get_field("amount").to_python(self.amount) > commitment.amount:
            return f"Only ${commitment.amount - spent:,.2f} of this commitment's received money is left to spend."
        return None

    def clean(self):
        super().clean()
        if self.pk and Expenditure._base_manager.filter(pk=self.pk, voided_on__isnull=False).exists():
            raise ValidationError(self.VOIDED_ERROR)
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
                problem = (
                    self.overspending_error(commitment) if self.amount is not None and not self.is_voided else None
                )
                if problem:
                    errors["amount"] = problem
        if self.spent_on and self.commitment_id and self.spent_on < self.commitment.pledged_on:
            errors["spent_on"] = "Money cannot be spent before it is pledged."
        if errors:
            raise ValidationError(errors)


# The initiative's fiscal year runs July to June and is named by the calendar year it ends in
# (FY2011 = July 2010 – June 2011), as most states' and the federal education grants' do.
FISCAL_YEAR_START_MONTH = 7


def fiscal_year_of(day) -> int:
    return day.year + 1 if day.month >= FISCAL_YEAR_START_MONTH else day.year


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of ``fiscal_year``."""
    return date(fiscal_year - 1, FISCAL_YEAR_START_MONTH, 1), date(fiscal_year, FISCAL_YEAR_START_MONTH, 1) - timedelta(
        days=1
    )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class Award(TrackedModel, VersionedModel, TenantModel):
    """A public grant to a state (its 1003(g) School Improvement Grant, its Race to the Top award):
    the money its commitments draw on, and the period in which it must be obligated and spent.

    Money not obligated by ``obligation_deadline`` (the end of the period of availability,
    carryover included) nor liquidated by ``liquidation_deadline`` lapses. Changes to the amount or
    the dates are amendments (``AwardAmendment``), made through ``funding.lifecycle.amend_award``."""

    natural_key_fields = {"state_postal_code": "state__postal_code", "name": "name"}

    # Federal formula funds: 15 months of availability plus 12 months of carryover (the Tydings
    # amendment), then 120 days to liquidate obligations (2 CFR 200.344).
    FORMULA_AVAILABILITY_MONTHS = 15
    FORMULA_CARRYOVER_MONTHS = 12
    LIQUIDATION_DAYS = 120

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="awards")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="awards")
    name = models.CharField(
        max_length=200, validators=[validate_single_line_text], help_text="E.g. FY2010 1003(g) SIG."
    )
    reference = models.CharField(
        max_length=60, blank=True, validators=[validate_single_line_text], help_text="The grant's award number."
    )
    amount = money_field("amount", validators=POSITIVE_MONEY)
    awarded_on = models.DateField()
    period_start = models.DateField(help_text="First day the money may be obligated.")
    obligation_deadline = models.DateField(
        help_text="Last day of the period of availability (carryover included): unobligated money lapses after it."
    )
    liquidation_deadline = models.DateField(help_text="Last day to liquidate (pay out) obligations.")

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["obligation_deadline", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_amount_positive"),
            models.CheckConstraint(
                condition=Q(obligation_deadline__gt=models.F("period_start")), name="award_availability_period"
            ),
            models.CheckConstraint(
                condition=Q(liquidation_deadline__gte=models.F("obligation_deadline")), name="award_liquidation_after"
            ),
            models.UniqueConstraint(fields=["state", "name"], name="award_name_unique_in_state"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def default_deadlines(cls, kind: str, period_start: date) -> tuple[date, date] | None:
        """(obligation, liquidation) deadlines the law sets for ``kind`` from ``period_start``;
        None where the grant itself sets them (competitive grants, state and district money)."""
        if kind != Funder.Kind.FEDERAL_FORMULA:
            return None
        months = cls.FORMULA_AVAILABILITY_MONTHS + cls.FORMULA_CARRYOVER_MONTHS
        obligation = add_months(period_start, months) - timedelta(days=1)
        return obligation, obligation + timedelta(days=cls.LIQUIDATION_DAYS)

    def clean(self):
        super().clean()
        errors = {}
        if self.funder_id and self.funder.is_private:
            errors["funder"] = "An award is public money; private money is recorded as commitments."
        if self.funder_id and self.funder.state_id and self.state_id and self.funder.state_id != self.state_id:
            errors["funder"] = f"{self.funder} are {self.funder.state}'s own money."
        if self.period_start and self.obligation_deadline and self.obligation_deadline <= self.period_start:
            errors["obligation_deadline"] = "The period of availability ends after it starts."
        if (
            self.obligation_deadline
            and self.liquidation_deadline
            and self.liquidation_deadline < self.obligation_deadline
        ):
            errors["liquidation_deadline"] = "Obligations are liquidated on or after the obligation deadline."
        if self.pk and self.amount is not None:
            committed = self.committed_amount()
            if committed > self.amount:
                errors["amount"] = f"${committed:,.2f} of this award is committed; it cannot be less."
        if errors:
            raise ValidationError(errors)

    def committed_amount(self) -> Decimal:
        """What its live commitments take of it."""
        live = self.commitments.model._base_manager.filter(award_id=self.pk, status__in=Commitment.LIVE_STATUSES)
        return live.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


class AwardAmendment(TrackedModel, TenantModel):
    """A change to an award's amount or dates, with its reason: the award's timeline. Written only
    by ``funding.lifecycle.amend_award``, which applies it to the locked award."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="amendments")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="+", editable=False)
    effective_on = models.DateField()
    previous_amount = money_field("amount before")
    amount = money_field("amount after")
    previous_obligation_deadline = models.DateField()
    obligation_deadline = models.DateField()
    previous_liquidation_deadline = models.DateField()
    liquidation_deadline = models.DateField()
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()  # an admin's correction is kept too

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["award", "effective_on", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="award_amendment_has_reason")]

    def __str__(self):
        return f"{self.award}: amendment of {self.effective_on}"

    def save(self, *args, **kwargs):
        self.state_id = self.award.state_id
        super().save(*args, **kwargs)


class MatchRule(TrackedModel, TenantModel):
    """What counts as match and the ratio aimed for: the initiative's rule (no state) and a state's
    own. A state without its own rule follows the initiative's; an initiative without a target
    ratio aims for its private target per public target (``Initiative.target_match_ratio``).

    Private commitments at the counted levels and at least the counted stage are the match; public
    commitments at that stage are what they match."""

    class Stage(models.TextChoices):
        PLEDGED = "pledged", "Pledged"
        COMMITTED = "committed", "Committed"
        RECEIVED = "received", "Received"

    initiative = models.ForeignKey("zones.Initiative", on_delete=models.CASCADE, related_name="match_rules")
    state = models.OneToOneField(
        "zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="match_rule"
    )
    target_ratio = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="Private dollars per public dollar. Empty: the initiative's private target per public target.",
    )
    counted_stage = models.CharField(
        max_length=20,
        choices=Stage.choices,
        default=Stage.COMMITTED,
        help_text="Money counts once it has reached this stage (a received commitment is also committed).",
    )
    counts_initiative_level = models.BooleanField(
        default=True, help_text="Private money given to the whole initiative counts in the initiative's match."
    )
    counts_state_level = models.BooleanField(default=True)
    counts_zone_level = models.BooleanField(default=True)

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["initiative", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(state__isnull=True), name="match_rule_one_per_initiative"
            ),
        ]

    def __str__(self):
        return f"Match rule of {self.state or self.initiative}"

    def clean(self):
        super().clean()
        if self.state_id and self.initiative_id and self.state.initiative_id != self.initiative_id:
            raise ValidationError({"state": "The state is not part of this initiative."})
        if not (self.counts_initiative_level or self.counts_state_level or self.counts_zone_level):
            raise ValidationError("Count private money at one level at least.")


class Budget(TrackedModel, VersionedModel, TenantModel):
    """A zone's budget for one fiscal year and spending category. The zone's budgets, all years
    together, stay within what it may draw on: the money committed to it and its state's
    state-level money not budgeted by its other zones (checked on the state's locked row)."""

    zone = models.ForeignKey("zones.Zone", on_delete=models.PROTECT, related_name="budgets")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="+", editable=False)
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="Named by the year it ends: FY2011 runs July 2010 – June 2011.",
    )
    category = models.CharField(max_length=30, choices=Expenditure.Category.choices)
    amount = money_field("amount", validators=[MinValueValidator(Decimal("0.00"))])
    notes = models.CharField(max_length=300, blank=True, validators=[validate_single_line_text])

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["zone", "fiscal_year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "fiscal_year", "category"], name="budget_one_per_year_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.zone} FY{self.fiscal_year} {self.get_category_display()}: ${self.amount:,.2f}"

    def _derive_state(self):
        if self.zone_id:
            self.state_id = self.zone.state_id

    # The money a zone may budget: its zone-level commitments, once committed (a pledge is not yet money).
    AVAILABLE_STATUSES = [Commitment.Status.COMMITTED, Commitment.Status.RECEIVED]

    def available_error(self, already=0) -> str | None:
        """Why this budget would take the zone's budgets past what the zone may draw on (its own
        committed money and its state's state-level money the other zones do not budget), or None.
        ``already``: what changes not saved yet add to the zone's other budgets first (e.g. an
        import file's earlier rows: a new line its amount, a changed line the difference)."""
        if self.amount is None or not self.zone_id:
            return None
        from .budgets import budget_rooms  # the one rule of what a zone may budget

        amount = self._meta.get_field("amount").to_python(self.amount)
        room = budget_rooms([self.zone_id], Commitment._base_manager, Budget._base_manager, leaving_out=self.pk)
        room = room[self.zone_id]
        budgeted = room.budgeted + already
        if budgeted + amount > room.available:
            return (
                f"The zone's budgets would total ${budgeted + amount:,.2f}, more than the ${room.available:,.2f} it "
                f"may draw on (${room.own:,.2f} committed to the zone and ${room.state_level_left:,.2f} of the "
                f"state's own money not budgeted by its other zones); "
                f"${max(room.available - budgeted, Decimal('0.00')):,.2f} is left to budget."
            )
        return None

    def clean(self):
        super().clean()
        self._derive_state()
        problem = self.available_error()
        if problem:
            raise ValidationError({"amount": problem})

    def save(self, *args, **kwargs):
        """Save on the state's locked row: its zones share its state-level money, so concurrent
        budgets anywhere in the state cannot together budget more than there is."""
        self._derive_state()
        with transaction.atomic():
            if self.state_id:
                State = self._meta.get_field("state").related_model
                State._base_manager.select_for_update().filter(pk=self.state_id).values("pk").first()
            problem = self.available_error()
            if problem:
                raise ValidationError({"amount": problem})
            super().save(*args, **kwargs)


class RecurringCost(TrackedModel, VersionedModel, TenantModel):
    """What a school's extended learning time or incentive pay costs each year, the grant paying
    for it now, and who pays after that grant ends (and how much): the sustainability plan."""

    CATEGORIES = [
        (value, label) for value, label in Expenditure.Category.choices if value in Expenditure.TEACHER_COMPENSATION
    ]

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="recurring_costs")
    state = models.ForeignKey("zones.State", on_delete=models.PROTECT, related_name="+", editable=False)
    category = models.CharField(max_length=30, choices=CATEGORIES)
    annual_cost = money_field("annual cost", validators=POSITIVE_MONEY)
    added_minutes_per_day = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(600)], help_text="Extended learning time only."
    )
    paid_by = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="recurring_costs",
        help_text="The grant paying for it now; its period's end is when the grant ends.",
    )
    funder_after_grant = models.ForeignKey(
        Funder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who pays after the grant ends.",
    )
    amount_after_grant = money_field(
        "amount after the grant",
        validators=[MinValueValidator(Decimal("0.00"))],
        default=Decimal("0.00"),
        help_text="What that funder pays each year after the grant ends.",
    )
    plan = models.TextField(blank=True, max_length=5000, help_text="How the school will close the gap.")

    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        collaborator = True

    class Meta:
        ordering = ["school", "category"]
        constraints = [
            models.UniqueConstraint(fields=["school", "category"], name="recurring_cost_one_per_category"),
            models.CheckConstraint(condition=Q(amount_after_grant__gte=0), name="recurring_cost_after_not_negative"),
        ]

    def __str__(self):
        return f"{self.school}: {self.get_category_display()} ${self.annual_cost:,.2f}/year"

    def _derive_state(self):
        if self.school_id:
            self.state_id = self.school.district.state_id

    def clean(self):
        super().clean()
        self._derive_state()
        errors = {}
        if self.paid_by_id and self.paid_by.state_id != self.state_id:
            errors["paid_by"] = f"That commitment is {self.paid_by.state}'s; choose one of {self.school}'s state."
        if self.paid_by_id and self.paid_by.is_withdrawn:
            errors["paid_by"] = "That commitment is withdrawn; choose the grant that pays for it now."
        if self.category != Expenditure.Category.ELT_COMPENSATION and self.added_minutes_per_day:
            errors["added_minutes_per_day"] = "Added minutes are for extended learning time."
        if self.amount_after_grant and not self.funder_after_grant_id:
            errors["funder_after_grant"] = "Name who pays the amount after the grant."
        if self.funder_after_grant_id and self.funder_after_grant.state_id not in (None, self.state_id):
            errors["funder_after_grant"] = f"{self.funder_after_grant} are another state's own money."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self._derive_state()
        super().save(*args, **kwargs)
