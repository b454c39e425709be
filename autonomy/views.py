"""The ledger's pages: a zone's ledger, the state-wide ledger, a term's create and edit pages, its
status change and a check-in. Thin: the rules are the model's and ``ledger``'s; the figures are
``services.ledger_summary``'s."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.concurrency import StaleRecord
from web.forms import add_model_errors, object_form_page
from zones.models import State, Zone

from . import ledger
from .choices import Area, TermStatus
from .forms import CheckInForm, StatusChangeForm, TermForm
from .models import AutonomyCheckIn, AutonomyTerm
from .services import ledger_summary


def ledger_url(zone_id, term=None) -> str:
    url = reverse("autonomy:zone_ledger", kwargs={"zone_pk": zone_id})
    return f"{url}#term-{term.pk}" if term is not None else url


@login_required
def zone_ledger(request, zone_pk):
    """A zone's terms grouped by area, each with its check-ins and its history of changes (reasons
    and causes); the counts by status, contested first."""
    user = request.user
    zone = get_object_or_404(Zone.objects.select_related("state", "lead_partner"), pk=zone_pk)
    summary = ledger_summary([zone.pk])
    sample = AutonomyTerm(zone=zone)
    context = {
        "zone": zone,
        "summary": summary,
        "can_add": user.has_perm("autonomy.add_autonomyterm", sample),
        "may_set_status": ledger.may_set_status(user, sample),
        "can_check_in": user.has_perm("autonomy.add_autonomycheckin", AutonomyCheckIn(term=sample)),
    }
    return render(request, "autonomy/zone_ledger.html", context)


class LedgerFilterForm(forms.Form):
    area = forms.ChoiceField(required=False, choices=[("", "Every area"), *Area.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Every status"), *TermStatus.choices])


@login_required
def state_ledger(request, state_pk):
    """Every term of the state's zones the reader may see, contested → requested → granted →
    revoked, filtered by area and status."""
    state = get_object_or_404(State, pk=state_pk)
    filters = LedgerFilterForm(request.GET or None)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    zones = Zone.objects.filter(state=state).values_list("pk", flat=True)
    summary = ledger_summary(zones, area=wanted.get("area"), status=wanted.get("status"), history=False)
    context = {"state": state, "summary": summary, "filters": filters}
    return render(request, "autonomy/state_ledger.html", context)


def _term_form_page(request, term, title):
    may_set_status = ledger.may_set_status(request.user, term)

    def save(form):
        if form.instance._state.adding:
            return ledger.create_term(form.instance, by=request.user, reason=form.cleaned_data.get("reason", ""))
        return form.save()

    form = TermForm(request.POST or None, instance=term, may_set_status=may_set_status)
    return object_form_page(
        request,
        form,
        title=title,
        cancel_url=ledger_url(term.zone_id),
        success_url=lambda saved: ledger_url(saved.zone_id, saved),
        save=save,
    )


@login_required
def term_create(request, zone_pk):
    """Record a term (the state lead: any status) or request one (the zone's Lead Partner staff)."""
    zone = get_object_or_404(Zone.objects.select_related("state"), pk=zone_pk)
    term = AutonomyTerm(zone=zone)
    title = (
        f"New autonomy term for {zone}" if ledger.may_set_status(request.user, term) else f"Request autonomy for {zone}"
    )
    return _term_form_page(request, term, title)


def _term(pk) -> AutonomyTerm:
    return get_object_or_404(AutonomyTerm.objects.select_related("zone__state"), pk=pk)


@login_required
def term_edit(request, autonomyterm_pk):
    """The state lead edits a term's description, source, dates and evidence (not its status)."""
    term = _term(autonomyterm_pk)
    return _term_form_page(request, term, f"Edit {term}")


@login_required
def term_status(request, autonomyterm_pk):
    """The state lead changes a term's status: the new status, the reason, from when, and what caused it."""
    term = _term(autonomyterm_pk)
    if not ledger.may_set_status(request.user, term):
        raise PermissionDenied
    form = StatusChangeForm(request.POST or None, term=term)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            term.expect_version(data["version"])
            ledger.change_term_status(
                term,
                data["to_status"],
                reason=data["reason"],
                by=request.user,
                effective_on=data["effective_on"],
                **form.cited(),
            )
        except ValidationError as error:
            add_model_errors(form, error)
            if isinstance(error, StaleRecord):
                form.data = form.data.copy()
                form.data["version"] = AutonomyTerm._base_manager.get(pk=term.pk).version
        else:
            messages.success(request, f"{term.get_power_display()} is now {term.get_status_display().lower()}.")
            return redirect(ledger_url(term.zone_id, term))
    summary = ledger_summary([term.zone_id])
    row = next(row for row in summary.rows if row.term.pk == term.pk)
    context = {"term": term, "row": row, "form": form}
    return render(request, "autonomy/term_status.html", context, status=400 if form.is_bound else 200)


@login_required
def check_in(request, autonomyterm_pk):
    """Lead Partner staff of the zone (and the state lead) report whether the term holds in practice."""
    term = _term(autonomyterm_pk)
    if not request.user.has_perm("autonomy.add_autonomycheckin", AutonomyCheckIn(term=term)):
        raise PermissionDenied
    form = CheckInForm(request.POST or None, instance=AutonomyCheckIn(term=term))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ledger.record_check_in(
                term, practice=data["practice"], note=data["note"], observed_on=data["observed_on"], by=request.user
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, f"Check-in on {term.get_power_display()} recorded.")
            return redirect(ledger_url(term.zone_id, term))
    context = {"term": term, "form": form}
    return render(request, "autonomy/check_in.html", context, status=400 if form.is_bound else 200)
