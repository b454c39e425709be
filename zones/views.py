from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import State, Zone


@require_safe
@login_required
def home(request):
    """The signed-in user's starting point: the states and zones in their scope."""
    states = State.objects.visible_to(request.user)
    zones = Zone.objects.visible_to(request.user).select_related("state", "lead_partner")
    return render(request, "zones/home.html", {"states": states, "zones": zones})
