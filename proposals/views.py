"""Proposed changes: propose (from a school, a locked measurement, a commitment), a state's list,
and a proposal's page with the decision. Thin: the use cases are proposals.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accountability.models import Measurement
from funding.models import Commitment
from schools.models import School
from web.forms import add_model_errors
from web.tables import paginate
from zones.models import State

from . import services
from .choices import ProposalKind, ProposalStatus
from .display import shown_changes
from .forms import FORMS, DecisionForm
from .models import ChangeProposal

RELATED = ["state", "zone", "school", "commitment__funder", "measurement__metric", "proposed_by", "decided_by"]


def _propose_page(request, kind, target, title, cancel_url):
    form = FORMS[type(target)](request.POST or None, target=target)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                proposal = services.propose(
                    kind, target, form.after(), reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, "Proposed: the state lead decides.")
                return redirect("proposals:proposal_detail", changeproposal_pk=proposal.pk)
    elif not request.user.has_perm("proposals.add_changeproposal", services.new_proposal(kind, target, request.user)):
        raise PermissionDenied
    context = {"form": form, "title": title, "cancel_url": cancel_url, "target": target}
    return render(request, "proposals/propose.html", context, status=status)


@login_required
def propose_school_status(request, school_pk):
    school = get_object_or_404(School.objects.select_related("district__state", "zone"), pk=school_pk)
    cancel = reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})
    return _propose_page(request, ProposalKind.SCHOOL_STATUS, school, f"Propose a status for {school}", cancel)


@login_required
def propose_correction(request, measurement_pk):
    measurement = get_object_or_404(
        Measurement.objects.select_related("school__district__state", "school__zone", "metric"), pk=measurement_pk
    )
    cancel = reverse("portfolio:school_detail", kwargs={"school_pk": measurement.school_id}) + "#measurements"
    title = f"Propose a correction: {measurement.metric}, {measurement.school_year} {measurement.get_period_display()}"
    return _propose_page(request, ProposalKind.MEASUREMENT_CORRECTION, measurement, title, cancel)


@login_required
def propose_commitment_status(request, commitment_pk):
    commitment = get_object_or_404(Commitment.objects.select_related("funder", "state", "zone"), pk=commitment_pk)
    cancel = reverse("portfolio:state_detail", kwargs={"state_pk": commitment.state_id}) + "#funding"
    return _propose_page(
        request, ProposalKind.COMMITMENT_STATUS, commitment, f"Propose a status for {commitment}", cancel
    )


@require_safe
@login_required
def state_proposals(request, state_pk):
    """A state's proposed changes, pending first, each with its before and after."""
    state = get_object_or_404(State, pk=state_pk)
    proposals = (
        ChangeProposal.objects.filter(state=state)
        .select_related(*RELATED)
        .annotate(decided=Case(When(status=ProposalStatus.PENDING, then=0), default=1))
        .order_by("decided", "-proposed_at", "-pk")
    )
    page = paginate(request, proposals)
    rows = [(proposal, shown_changes(proposal)) for proposal in page]
    return render(request, "proposals/state_proposals.html", {"state": state, "page": page, "rows": rows})


@login_required
def proposal_detail(request, changeproposal_pk):
    """A proposal with its before and after; the state lead approves or rejects it, its proposer
    may withdraw it while it is pending."""
    proposal = get_object_or_404(ChangeProposal.objects.select_related(*RELATED), pk=changeproposal_pk)
    user = request.user
    may_decide = user.has_perm("proposals.decide_changeproposal", proposal)
    may_withdraw = proposal.proposed_by_id == user.pk
    pending = proposal.status == ProposalStatus.PENDING
    form, status = DecisionForm(initial={"version": proposal.version}), 200
    if request.method == "POST":
        form, status = DecisionForm(request.POST), 400
        if form.is_valid():
            step, note, version = (form.cleaned_data[name] for name in ("step", "note", "version"))
            if (step == "withdraw" and not may_withdraw) or (step != "withdraw" and not may_decide):
                raise PermissionDenied
            try:
                if step == "approve":
                    services.approve(proposal, by=user, note=note, version=version)
                elif step == "reject":
                    services.reject(proposal, by=user, note=note, version=version)
                else:
                    services.withdraw(proposal, by=user, version=version)
            except ValidationError as error:
                if hasattr(error, "error_dict") and "decision_note" in error.error_dict:
                    error.error_dict["note"] = error.error_dict.pop("decision_note")
                add_model_errors(form, error)
                status = 409 if getattr(error, "code", None) in ("wrong_step", "changed_since_proposed") else 400
            else:
                messages.success(request, f"Proposal {ProposalStatus(_after_step(step)).label.lower()}.")
                return redirect("proposals:proposal_detail", changeproposal_pk=proposal.pk)
    context = {
        "proposal": proposal,
        "changes": shown_changes(proposal),
        "form": form,
        "may_decide": may_decide and pending,
        "may_withdraw": may_withdraw and pending,
        "target_url": _target_url(proposal),
    }
    return render(request, "proposals/proposal_detail.html", context, status=status)


def _after_step(step: str) -> str:
    return {"approve": ProposalStatus.APPROVED, "reject": ProposalStatus.REJECTED}.get(step, ProposalStatus.WITHDRAWN)


def _target_url(proposal) -> str:
    if proposal.kind == ProposalKind.COMMITMENT_STATUS:
        return reverse("portfolio:state_detail", kwargs={"state_pk": proposal.state_id}) + "#funding"
    suffix = "#measurements" if proposal.kind == ProposalKind.MEASUREMENT_CORRECTION else ""
    return reverse("portfolio:school_detail", kwargs={"school_pk": proposal.school_id}) + suffix
