from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse

from web.forms import object_form_page
from zones.models import State

from .forms import CommitmentForm, ExpenditureForm
from .models import Commitment, Expenditure


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
