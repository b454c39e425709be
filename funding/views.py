from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.permissions import permission_name, write_action
from schools.models import School
from web.forms import add_model_errors, object_form_page
from web.tables import Column, Table, csv_export
from zones.models import Initiative, State, Zone

from .budgets import zone_budgets
from .forms import BudgetForm, CommitmentForm, ExpenditureForm, MatchRuleForm, RecurringCostForm
from .match import initiative_terms, terms_by_state
from .models import Budget, Commitment, Expenditure, MatchRule, RecurringCost
from .sustainability import StateSustainability, state_sustainability


def _funding_form_page(request, form_class, instance, state, title):
    """Create or edit a state's commitment or expenditure; back to the state's funding section after."""
    state_url = reverse("portfolio:state_detail", kwargs={"state_pk": state.pk}) + "#funding"
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
    expenditure = get_object_or_404(Expenditure.objects.select_related("state"), pk=expenditure_pk)
    return _funding_form_page(request, ExpenditureForm, expenditure, expenditure.state, f"Edit {expenditure}")


# --- planning (budgets, sustainability, match rules) ---

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
