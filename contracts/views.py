"""Contract and review pages: thin views over the use cases (contracts.services) and the read
models (contracts.scorecard, contracts.records). Reads are walled by the request's scope: a
Lead Partner's staff reach their own contracts and issued reviews only (404 otherwise)."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners.models import LeadPartner
from web.files import private_file_response
from web.forms import add_model_errors, object_form_page
from web.tables import csv_export
from zones.models import State, Zone

from . import services
from .choices import ReviewPart
from .forms import (
    ContractForm,
    DeliverableForm,
    EvidenceForm,
    ResponseForm,
    ReviewForm,
    StartReviewForm,
    TargetForm,
    TerminationForm,
)
from .models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract
from .records import compare_lead_partners, deliverable_records
from .scorecard import review_figures, review_parts
from .tables import COMPARISON

CONTRACTS = PerformanceContract.objects.select_related("zone__state", "lead_partner")
REVIEWS = AnnualReview.objects.select_related("contract__zone__state", "contract__lead_partner", "reviewer")


def _page_of(saved):
    return saved.get_absolute_url()


def _require(request, permission: str, obj) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


# --- Contracts ---


@login_required
def zone_contracts(request, zone_pk):
    zone = get_object_or_404(Zone.objects.select_related("state", "lead_partner"), pk=zone_pk)
    contracts = list(CONTRACTS.filter(zone=zone))
    context = {
        "zone": zone,
        "contracts": contracts,
        "can_add": request.user.has_perm("contracts.add_performancecontract", PerformanceContract(zone=zone)),
    }
    return render(request, "contracts/zone_contracts.html", context)


def _contract_form_page(request, contract, title, cancel_url):
    form = ContractForm(request.POST or None, request.FILES or None, instance=contract)

    def save(form):
        return services.save_contract(request.user, form.instance)

    return object_form_page(request, form, title=title, cancel_url=cancel_url, success_url=_page_of, save=save)


@login_required
def contract_create(request, zone_pk):
    zone = get_object_or_404(Zone.objects.select_related("state", "lead_partner"), pk=zone_pk)
    contract = PerformanceContract(zone=zone)
    cancel = reverse("contracts:zone_contracts", kwargs={"zone_pk": zone.pk})
    return _contract_form_page(request, contract, f"New performance contract for {zone}", cancel)


@login_required
def contract_edit(request, performancecontract_pk):
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    return _contract_form_page(request, contract, f"Edit {contract}", contract.get_absolute_url())


@login_required
def contract_detail(request, performancecontract_pk):
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    deliverables = list(contract.deliverables.all())
    today = timezone.localdate()
    context = {
        "contract": contract,
        "deliverables": [(item, item.status_on(today)) for item in deliverables],
        "record": deliverable_records(deliverables, lambda item: item.contract_id, today)[contract.pk],
        "targets": contract.targets.select_related("metric"),
        "reviews": contract.reviews.all(),
        "can_edit": request.user.has_perm("contracts.change_performancecontract", contract),
        "termination_form": TerminationForm(),
        "start_form": StartReviewForm(instance=AnnualReview(contract=contract)),
        "document_name": PurePath(contract.document.name).name if contract.document else "",
    }
    return render(request, "contracts/contract_detail.html", context)


@login_required
def contract_document(request, performancecontract_pk):
    """The signed document: only for those who read the contract."""
    contract = get_object_or_404(PerformanceContract, pk=performancecontract_pk)
    if not contract.document:
        raise Http404("No signed document.")
    name = PurePath(contract.document.name).name
    return private_file_response(contract.document, filename=name, content_type="application/pdf")


@login_required
@require_POST
def contract_step(request, performancecontract_pk):
    """Activate, end or terminate (with the reason) a contract."""
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    _require(request, "contracts.change_performancecontract", contract)
    step = request.POST.get("step")
    try:
        if step == "terminate":
            services.terminate_contract(request.user, contract, reason=request.POST.get("reason", ""))
        elif step in services.CONTRACT_STEPS:
            services.CONTRACT_STEPS[step](request.user, contract)
        else:
            messages.error(request, "Choose a step: activate, end or terminate.")
            return redirect(contract)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The contract is now {contract.get_status_display().lower()}.")
    return redirect(contract)


# --- Deliverables and targets ---


def _part_page(request, form_class, instance, noun: str, save):
    contract = instance.contract
    form = form_class(request.POST or None, instance=instance)
    title = f"New {noun} of {contract}" if instance.pk is None else f"Edit {noun}: {instance}"

    def save_and_return(form):
        save(request.user, form.instance)
        return contract

    return object_form_page(
        request, form, title=title, cancel_url=contract.get_absolute_url(), success_url=_page_of, save=save_and_return
    )


@login_required
def deliverable_create(request, performancecontract_pk):
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    deliverable = ContractDeliverable(contract=contract)
    return _part_page(request, DeliverableForm, deliverable, "deliverable", services.save_deliverable)


@login_required
def deliverable_edit(request, contractdeliverable_pk):
    deliverable = get_object_or_404(
        ContractDeliverable.objects.select_related("contract__zone__state", "contract__lead_partner"),
        pk=contractdeliverable_pk,
    )
    return _part_page(request, DeliverableForm, deliverable, "deliverable", services.save_deliverable)


@login_required
def target_create(request, performancecontract_pk):
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    return _part_page(request, TargetForm, ContractTarget(contract=contract), "target", services.save_target)


@login_required
def target_edit(request, contracttarget_pk):
    target = get_object_or_404(
        ContractTarget.objects.select_related("contract__zone__state", "contract__lead_partner", "metric"),
        pk=contracttarget_pk,
    )
    return _part_page(request, TargetForm, target, "target", services.save_target)


# --- Reviews ---


@login_required
def review_start(request, performancecontract_pk):
    contract = get_object_or_404(CONTRACTS, pk=performancecontract_pk)
    review = AnnualReview(contract=contract, reviewer=request.user)
    form = StartReviewForm(request.POST or None, instance=review)

    def save(form):
        return services.start_review(request.user, contract, form.instance.school_year)

    return object_form_page(
        request,
        form,
        title=f"New annual review of {contract}",
        cancel_url=contract.get_absolute_url(),
        save=save,
        success_url=lambda review: reverse("contracts:review_edit", kwargs={"annualreview_pk": review.pk}),
    )


@login_required
def review_detail(request, annualreview_pk):
    review = get_object_or_404(REVIEWS, pk=annualreview_pk)
    user = request.user
    context = {
        "review": review,
        "card": review_figures(review),
        "parts": review_parts(review),
        "can_edit": not review.is_issued and user.has_perm("contracts.change_annualreview", review),
        "can_respond": review.is_issued and user.has_perm("contracts.respond_annualreview", review),
    }
    return render(request, "contracts/review_detail.html", context)


@login_required
def review_edit(request, annualreview_pk):
    """The state lead's draft: ratings and narratives per part ("Save review"), then "Issue review"."""
    review = get_object_or_404(REVIEWS, pk=annualreview_pk)
    _require(request, "contracts.change_annualreview", review)
    if review.is_issued:
        return render(request, "contracts/review_final.html", {"review": review}, status=409 if request.POST else 200)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # "Issue review" saves the input only if the review is issued
                saved = services.save_review(request.user, form.instance)
                if "issue" in request.POST:
                    services.issue_review(request.user, saved)
        except ValidationError as error:
            add_model_errors(form, error)
            if "version" in form.fields:
                form.show_current_version()
        else:
            messages.success(request, "Review issued." if saved.is_issued else "Review saved.")
            return redirect(saved)
    context = {
        "review": review,
        "form": form,
        "evidence_form": EvidenceForm(instance=_new_evidence(review)),
        "parts": review_parts(review),
        "card": review_figures(review),
    }
    return render(request, "contracts/review_edit.html", context, status=400 if form.is_bound else 200)


def _new_evidence(review):
    return review.evidence.model(review=review)


@login_required
@require_POST
def evidence_create(request, annualreview_pk):
    review = get_object_or_404(REVIEWS, pk=annualreview_pk)
    evidence = _new_evidence(review)
    _require(request, "contracts.add_reviewevidence", evidence)
    form = EvidenceForm(request.POST, instance=evidence)
    if form.is_valid():
        try:
            services.save_evidence(request.user, form.instance)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Evidence added: {form.instance.title}.")
            return redirect("contracts:review_edit", annualreview_pk=review.pk)
    else:
        messages.error(request, "The evidence needs a part, a title and a link: " + form.errors.as_text())
    return redirect("contracts:review_edit", annualreview_pk=review.pk)


@login_required
@require_POST
def review_issue(request, annualreview_pk):
    review = get_object_or_404(REVIEWS, pk=annualreview_pk)
    _require(request, "contracts.change_annualreview", review)
    try:
        services.issue_review(request.user, review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("contracts:review_edit", annualreview_pk=review.pk)
    messages.success(request, "Review issued.")
    return redirect(review)


@login_required
def review_respond(request, annualreview_pk):
    """The Lead Partner's response; everyone who reads the review sees it and its earlier versions."""
    review = get_object_or_404(REVIEWS, pk=annualreview_pk)
    may_respond = review.is_issued and request.user.has_perm("contracts.respond_annualreview", review)
    if request.method == "POST" and not may_respond:
        raise PermissionDenied
    form = ResponseForm(request.POST or None, initial={"response": review.response})
    if request.method == "POST" and form.is_valid():
        try:
            services.respond_to_review(request.user, review, form.cleaned_data["response"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, "Response sent.")
            return redirect(review)
    earlier = [
        row
        for row in review.history.filter(history_change_reason="Responded").select_related("responded_by")
        if row.response
    ]
    context = {"review": review, "form": form, "may_respond": may_respond, "earlier": earlier}
    return render(request, "contracts/review_respond.html", context, status=400 if form.is_bound else 200)


@login_required
def state_reviews(request, state_pk):
    state = get_object_or_404(State, pk=state_pk)
    reviews = list(REVIEWS.filter(contract__zone__state=state).order_by("-school_year", "contract__zone__name"))
    return render(request, "contracts/state_reviews.html", {"state": state, "reviews": reviews})


@login_required
def review_compare(request):
    """The initiative's comparison of Lead Partners across states (CSV too)."""
    if not request.user.scope.is_admin:
        raise PermissionDenied
    rows = compare_lead_partners()
    if response := csv_export(request, "lead-partners", {"comparison": (COMPARISON, rows)}):
        return response
    return render(request, "contracts/compare.html", {"rows": rows, "parts": list(ReviewPart)})


@login_required
def lead_partner_history(request, leadpartner_pk):
    """A Lead Partner's contracts and reviews across zones and states, as far as the viewer reads."""
    partner = get_object_or_404(LeadPartner, pk=leadpartner_pk)
    contracts = list(CONTRACTS.filter(lead_partner=partner).order_by("-starts_on", "zone__name"))
    deliverables = ContractDeliverable.objects.filter(contract__in=[c.pk for c in contracts])
    records = deliverable_records(deliverables, lambda item: item.contract_id)
    context = {
        "partner": partner,
        "contracts": [(contract, records[contract.pk]) for contract in contracts],
        "reviews": REVIEWS.filter(contract__lead_partner=partner).order_by("-school_year", "contract__zone__name"),
    }
    return render(request, "contracts/lead_partner.html", context)
