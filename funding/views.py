from dataclasses import dataclass, field
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.concurrency import StaleRecord
from core.permissions import permission_name, write_action
from schools.models import School
from web.forms import add_model_errors, object_form_page
from web.pages import DirectoryPages
from web.tables import Column, Table, csv_export
from zones.models import Initiative, State, Zone

from . import lifecycle
from .availability import award_outlooks
from .budgets import zone_budgets
from .forms import (
    AmendAwardForm,
    AwardForm,
    BudgetForm,
    CommitmentForm,
    ExpenditureForm,
    FunderForm,
    MatchRuleForm,
    NewAwardForm,
    RecurringCostForm,
    VoidForm,
    WithdrawForm,
)
from .match import initiative_terms, terms_by_state
from .models import Award, AwardAmendment, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost
from .sustainability import StateSustainability, state_sustainability


def funding_url(state_id, anchor="funding") -> str:
    """The state page's funding section (its commitments, expenditures and awards)."""
    return reverse("portfolio:state_detail", kwargs={"state_pk": state_id}) + f"#{anchor}"


def _funding_form_page(request, form_class, instance, state, title):
    """Create or edit a state's commitment or expenditure; back to the state's funding section after."""
    state_url = funding_url(state.pk)
    return object_form_page(
        request,
        form_class(request.POST or None, instance=instance, user=request.user, state=state),
        title=title,
        cancel_url=state_url,
        success_url=lambda saved: state_url,
    )


@login_required
def commitment_create(request, state_pk):
    state = get_object_or_404(State.objects.select_related("initiative"), pk=state_pk)
    commitment = Commitment(state=state, initiative=state.initiative, recipient_level=Commitment.RecipientLevel.STATE)
    return _funding_form_page(request, CommitmentForm, commitment, state, f"New commitment to {state.name}")


@login_required
def commitment_edit(request, commitment_pk):
    commitment = get_object_or_404(Commitment.objects.select_related("state", "funder"), pk=commitment_pk)
    return _funding_form_page(request, CommitmentForm, commitment, commitment.state, f"Edit {commitment}")


@login_required
def expenditure_create(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    return _funding_form_page(
        request, ExpenditureForm, Expenditure(state=state), state, f"New expenditure in {state.name}"
    )


@login_required
def expenditure_edit(request, expenditure_pk):
    """Edit an expenditure; a voided one is kept as it was: its page says so and changes nothing."""
    expenditure = get_object_or_404(
        Expenditure.objects.select_related("state", "commitment__funder", "zone", "school"), pk=expenditure_pk
    )
    if expenditure.is_voided:
        if not request.user.has_perm("funding.change_expenditure", expenditure):
            raise PermissionDenied
        context = {"expenditure": expenditure, "cancel_url": funding_url(expenditure.state_id, "expenditures")}
        return render(
            request, "funding/expenditure_voided.html", context, status=409 if request.method == "POST" else 200
        )
    return _funding_form_page(request, ExpenditureForm, expenditure, expenditure.state, f"Edit {expenditure}")


def _lifecycle_page(request, record, form, template, step, *, permission, success, context):
    """A lifecycle step's page: the form, then ``step(cleaned_data)`` (a funding.lifecycle use
    case) on the record as the user saw it (its version); the use case's refusals are form errors."""
    if not request.user.has_perm(permission, record):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record.expect_version(data["version"])
            step(data)
        except ValidationError as error:
            add_model_errors(form, error)
            if isinstance(error, StaleRecord):
                form.data = form.data.copy()
                form.data["version"] = type(record)._base_manager.get(pk=record.pk).version
        else:
            messages.success(request, success)
            return redirect(context["cancel_url"])
    context = {**context, "form": form}
    return render(request, template, context, status=400 if form.is_bound else 200)


@login_required
def commitment_withdraw(request, commitment_pk):
    """The funder withdrew the commitment: the date and the reason. It is kept, never counted."""
    commitment = get_object_or_404(Commitment.objects.select_related("state", "funder", "zone"), pk=commitment_pk)
    form = WithdrawForm(request.POST or None, record=commitment)

    def withdraw(data):
        lifecycle.withdraw_commitment(commitment, on=data["withdrawn_on"], reason=data["reason"], user=request.user)

    return _lifecycle_page(
        request,
        commitment,
        form,
        "funding/commitment_withdraw.html",
        withdraw,
        permission="funding.change_commitment",
        success=f"Withdrew {commitment.funder}'s commitment of ${commitment.amount:,.2f}.",
        context={"commitment": commitment, "cancel_url": funding_url(commitment.state_id, "commitments")},
    )


@login_required
def commitment_delete(request, commitment_pk):
    """Delete a commitment recorded by mistake, once confirmed; one on which money has moved is
    withdrawn instead (the page says so)."""
    commitment = get_object_or_404(Commitment.objects.select_related("state", "funder", "zone"), pk=commitment_pk)
    if not request.user.has_perm("funding.delete_commitment", commitment):
        raise PermissionDenied
    cancel_url = funding_url(commitment.state_id, "commitments")
    context = {"commitment": commitment, "cancel_url": cancel_url, "money_moved": commitment.money_moved()}
    if request.method == "POST":
        try:
            lifecycle.delete_commitment(commitment, user=request.user)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return render(request, "funding/commitment_delete.html", context, status=409)
        messages.success(request, f"Deleted {commitment.funder}'s commitment of ${commitment.amount:,.2f}.")
        return redirect(cancel_url)
    return render(request, "funding/commitment_delete.html", context)


@login_required
def expenditure_void(request, expenditure_pk):
    """Void an expenditure recorded by mistake, with the reason: kept, never counted, never changed."""
    expenditure = get_object_or_404(
        Expenditure.objects.select_related("state", "commitment__funder", "zone", "school"), pk=expenditure_pk
    )
    form = VoidForm(request.POST or None, record=expenditure)

    def void(data):
        lifecycle.void_expenditure(expenditure, reason=data["reason"], user=request.user)

    return _lifecycle_page(
        request,
        expenditure,
        form,
        "funding/expenditure_void.html",
        void,
        permission="funding.change_expenditure",
        success=f"Voided the expenditure {expenditure}.",
        context={"expenditure": expenditure, "cancel_url": funding_url(expenditure.state_id, "expenditures")},
    )


# --- Funders (the directory) ------------------------------------------------------------------------

FUNDERS = Table(
    "funders",
    (
        Column.of("Funder", "name"),
        Column.of("Kind", "get_kind_display"),
        Column.of("State", "state.name"),
        Column.of("Website", "website"),
    ),
)


FUNDER_PAGES = DirectoryPages(
    namespace="funding",
    name="funder",
    segment="funders",
    model=Funder,
    form=FunderForm,
    table=FUNDERS,
    title="Funders",
    lede="Who gives money. A funder's kind fixes whether its money is public or private; a state's own "
    "funds are committed in that state only. A funder that commitments or awards name cannot be deleted.",
    objects=lambda: Funder.objects.select_related("state"),
)


# --- Awards ----------------------------------------------------------------------------------------


def award_url(award) -> str:
    return reverse("funding:award_detail", kwargs={"award_pk": award.pk})


def _award_form_page(request, form_class, award, title, cancel_url):
    return object_form_page(
        request,
        form_class(request.POST or None, instance=award, user=request.user, state=award.state),
        title=title,
        cancel_url=cancel_url,
        success_url=award_url,
        save=lambda form: lifecycle.save_award(form.instance, user=request.user),
    )


@login_required
def award_create(request, state_pk):
    """A public award to the state: its amount and period of availability (the law's deadlines by
    default for a federal formula grant)."""
    state = get_object_or_404(State, pk=state_pk)
    return _award_form_page(
        request, NewAwardForm, Award(state=state), f"New award to {state.name}", funding_url(state.pk)
    )


def _award(award_pk) -> Award:
    return get_object_or_404(Award.objects.select_related("funder", "state"), pk=award_pk)


@login_required
def award_edit(request, award_pk):
    """An award's name, reference, funder and dates; its amount and deadlines change by amendment."""
    award = _award(award_pk)
    return _award_form_page(request, AwardForm, award, f"Edit {award}", award_url(award))


@dataclass
class Change:
    label: str
    before: object
    after: object
    money: bool


@dataclass
class TimelineEntry:
    """One step of an award's timeline: the award as first made, or an amendment."""

    on: date
    title: str
    reason: str = ""
    by: object = None
    changes: list = field(default_factory=list)
    values: list = field(default_factory=list)  # (label, value, is money) as first awarded


def award_timeline(award: Award, amendments) -> list[TimelineEntry]:
    """The award as first made (the values before its first amendment), then each amendment with
    what it changed, before → after."""
    amendments = list(amendments)
    source, prefix = (amendments[0], "previous_") if amendments else (award, "")
    first = {name: getattr(source, prefix + name) for name in lifecycle.AMENDED_FIELDS}
    labels = {name: Award._meta.get_field(name).verbose_name.capitalize() for name in lifecycle.AMENDED_FIELDS}
    original = TimelineEntry(
        award.awarded_on,
        "Awarded",
        values=[(labels[name], value, name == "amount") for name, value in first.items()],
    )
    entries = [original]
    for amendment in amendments:
        changes = [
            Change(labels[name], getattr(amendment, f"previous_{name}"), getattr(amendment, name), name == "amount")
            for name in lifecycle.AMENDED_FIELDS
            if getattr(amendment, f"previous_{name}") != getattr(amendment, name)
        ]
        entries.append(
            TimelineEntry(amendment.effective_on, "Amended", amendment.reason, amendment.recorded_by, changes)
        )
    return entries


@login_required
def award_detail(request, award_pk):
    """An award: its amount and period of availability, its outlook (funding.availability), the
    commitments drawing on it and its timeline of amendments."""
    award = _award(award_pk)
    (outlook,) = award_outlooks(Award.objects.filter(pk=award.pk), Expenditure.objects.all())
    amendments = AwardAmendment.objects.filter(award=award).select_related("recorded_by")
    context = {
        "award": award,
        "outlook": outlook,
        "commitments": Commitment.objects.filter(award=award).select_related("funder", "zone", "state"),
        "timeline": award_timeline(award, amendments),
        "can_change": request.user.has_perm("funding.change_award", award),
        "can_amend": request.user.has_perm(
            "funding.add_awardamendment", AwardAmendment(award=award, state=award.state)
        ),
    }
    return render(request, "funding/award_detail.html", context)


@login_required
def award_amend(request, award_pk):
    """Amend the award's amount or deadlines, effective a date, for a reason (its timeline)."""
    award = _award(award_pk)
    form = AmendAwardForm(request.POST or None, record=award)

    def amend(data):
        lifecycle.amend_award(
            award,
            amount=data["amount"],
            obligation_deadline=data["obligation_deadline"],
            liquidation_deadline=data["liquidation_deadline"],
            effective_on=data["effective_on"],
            reason=data["reason"],
            user=request.user,
        )

    return _lifecycle_page(
        request,
        award,
        form,
        "funding/award_amend.html",
        amend,
        permission="funding.change_award",
        success=f"Amended {award}.",
        context={"award": award, "cancel_url": award_url(award)},
    )


# --- Budgets, sustainability and match rules ---


BUDGET_LINES = Table(
    "budget",
    (
        Column.of("Fiscal year", "fiscal_year"),
        Column.of("Category", "category_label"),
        Column.of("Budget", "budget"),
        Column.of("Actual", "actual"),
        Column.of("Remaining", "remaining"),
        Column.of("Share used", "used_share"),
        Column.of("Flag", "flag"),
    ),
)


@login_required
def zone_budget(request, zone_pk):
    """Budget vs actual by fiscal year and category (``funding.budgets``), and its CSV."""
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    budget = zone_budgets([zone.pk], Budget.objects.all(), Expenditure.objects.all(), Commitment.objects.all())[zone.pk]
    if response := csv_export(request, f"{zone.name} budget", {BUDGET_LINES.name: (BUDGET_LINES, budget.lines)}):
        return response
    context = {
        "zone": zone,
        "budget": budget,
        "table": BUDGET_LINES.name,
        "can_edit": request.user.has_perm("funding.add_budget", Budget(zone=zone, state=zone.state)),
    }
    return render(request, "funding/budget_zone.html", context)


def _planning_form_page(request, form, title, page_url):
    """Add or edit a budget line or a recurring cost; back to the page listing it after."""
    return object_form_page(request, form, title=title, cancel_url=page_url, success_url=lambda saved: page_url)


def _budget_form_page(request, budget, title):
    zone_url = reverse("funding:zone_budget", kwargs={"zone_pk": budget.zone_id})
    return _planning_form_page(request, BudgetForm(request.POST or None, instance=budget), title, zone_url)


@login_required
def budget_create(request, zone_pk):
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    return _budget_form_page(request, Budget(zone=zone, state=zone.state), f"New budget line for {zone.name}")


@login_required
def budget_edit(request, budget_pk):
    budget = get_object_or_404(Budget.objects.select_related("zone__state"), pk=budget_pk)
    return _budget_form_page(request, budget, f"Edit {budget}")


def _sustainability_of(costs):
    """The one state's sustainability among ``costs`` (empty when none is recorded)."""
    found = state_sustainability(costs)
    return next(iter(found.values()), StateSustainability())


@login_required
def school_sustainability(request, school_pk):
    """Each recurring cost of the school, the grant paying for it, who pays after and the gap."""
    school = get_object_or_404(School.objects.select_related("district__state", "zone"), pk=school_pk)
    sustainability = _sustainability_of(RecurringCost.objects.filter(school=school))
    context = {
        "school": school,
        "state": school.district.state,
        "outlook": next(iter(sustainability.schools), None),
        "can_edit": request.user.has_perm(
            "funding.add_recurringcost", RecurringCost(school=school, state=school.district.state)
        ),
    }
    return render(request, "funding/sustainability_school.html", context)


@login_required
def state_sustainability_page(request, state_pk):
    """The state's gap per fiscal year after the grants, the schools flagged and those without a plan."""
    state = get_object_or_404(State, pk=state_pk)
    costs = RecurringCost.objects.filter(state=state, school__zone__isnull=False)
    context = {"state": state, "sustainability": _sustainability_of(costs)}
    return render(request, "funding/sustainability_state.html", context)


def _recurring_cost_form_page(request, cost, title):
    school_url = reverse("funding:school_sustainability", kwargs={"school_pk": cost.school_id})
    form = RecurringCostForm(request.POST or None, instance=cost, user=request.user)
    return _planning_form_page(request, form, title, school_url)


@login_required
def recurring_cost_create(request, school_pk):
    school = get_object_or_404(School.objects.select_related("district__state"), pk=school_pk)
    cost = RecurringCost(school=school, state=school.district.state)
    return _recurring_cost_form_page(request, cost, f"New recurring cost at {school.name}")


@login_required
def recurring_cost_edit(request, recurringcost_pk):
    cost = get_object_or_404(RecurringCost.objects.select_related("school__district__state"), pk=recurringcost_pk)
    return _recurring_cost_form_page(request, cost, f"Edit {cost}")


def _match_rule_page(request, rule, terms, *, place, back_url):
    """The rule in words for every reader; its form for those who may change it (admins). A
    state's own rule can also be removed: the state then follows the initiative's."""
    may_edit = request.user.has_perm(permission_name(MatchRule, write_action(rule)), rule)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    if request.method == "POST" and "follow_initiative" in request.POST:
        if rule.pk is None or not rule.state_id:
            raise Http404
        rule.delete()
        messages.success(request, f"{place} now follows the initiative's match rule.")
        return redirect(request.path)
    form = MatchRuleForm(request.POST or None, instance=rule) if may_edit else None
    if form is not None and form.is_bound and form.is_valid():
        try:
            saved = form.save()
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Saved the {saved}.")
            return redirect(request.path)
    context = {"rule": rule, "terms": terms, "place": place, "form": form, "back_url": back_url}
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "funding/match_rule.html", context, status=status)


@login_required
def state_match_rule(request, state_pk):
    state = get_object_or_404(State.objects.select_related("initiative"), pk=state_pk)
    rule = MatchRule.objects.filter(state=state).first() or MatchRule(initiative=state.initiative, state=state)
    back_url = reverse("portfolio:state_detail", kwargs={"state_pk": state.pk})
    return _match_rule_page(request, rule, terms_by_state([state])[state.pk], place=state.name, back_url=back_url)


@login_required
def initiative_match_rule(request):
    initiative = Initiative.objects.first()
    if initiative is None:
        raise Http404
    rule = MatchRule.objects.filter(initiative=initiative, state__isnull=True).first() or MatchRule(
        initiative=initiative
    )
    back_url = reverse("portfolio:portfolio")
    return _match_rule_page(request, rule, initiative_terms(initiative), place=initiative.name, back_url=back_url)
