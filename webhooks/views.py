"""Pages where a user manages their own webhook subscriptions (the secret shown once, at creation)
and reads and redelivers their deliveries. Another user's subscription is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .forms import SubscriptionForm
from .models import WebhookDelivery, WebhookSubscription

DELIVERIES_SHOWN = 50


def _own(user):
    return WebhookSubscription.objects.filter(membership__user=user).select_related(
        "membership__state", "membership__lead_partner", "membership__collaborator"
    )


@never_cache
@login_required
def subscription_list(request):
    """The user's subscriptions and the form to add one; a new secret is shown on this response only."""
    form = SubscriptionForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subscription, secret = services.create_subscription(
            data["membership"], data["name"], data["target_url"], data["event_types"]
        )
        return render(request, "webhooks/created.html", {"subscription": subscription, "secret": secret})
    return render(request, "webhooks/list.html", {"form": form, "subscriptions": _own(request.user)})


@never_cache
@login_required
def subscription_detail(request, webhooksubscription_pk):
    subscription = get_object_or_404(_own(request.user), pk=webhooksubscription_pk)
    deliveries = subscription.deliveries.all()[:DELIVERIES_SHOWN]
    return render(request, "webhooks/detail.html", {"subscription": subscription, "deliveries": deliveries})


@require_POST
@login_required
def subscription_toggle(request, webhooksubscription_pk):
    subscription = get_object_or_404(_own(request.user), pk=webhooksubscription_pk)
    services.set_active(subscription, not subscription.active)
    messages.success(request, f"Webhook “{subscription.name}” is {'enabled' if subscription.active else 'disabled'}.")
    return redirect("webhooks:detail", webhooksubscription_pk=subscription.pk)


@never_cache
@require_POST
@login_required
def subscription_rotate(request, webhooksubscription_pk):
    subscription = get_object_or_404(_own(request.user), pk=webhooksubscription_pk)
    secret = services.rotate_secret(subscription)
    return render(request, "webhooks/created.html", {"subscription": subscription, "secret": secret, "rotated": True})


@never_cache
@login_required
def subscription_delete(request, webhooksubscription_pk):
    """Asks first: only a POST that confirms deletes (its deliveries and log go with it)."""
    subscription = get_object_or_404(_own(request.user), pk=webhooksubscription_pk)
    if request.method == "POST" and request.POST.get("confirm") == "delete":
        subscription.delete()
        messages.success(request, f"Webhook “{subscription.name}” is deleted.")
        return redirect("webhooks:list")
    return render(request, "webhooks/delete.html", {"subscription": subscription})


@require_POST
@login_required
def delivery_redeliver(request, webhookdelivery_pk):
    delivery = get_object_or_404(
        WebhookDelivery.objects.filter(subscription__membership__user=request.user), pk=webhookdelivery_pk
    )
    services.redeliver(delivery)
    messages.success(request, f"Message {delivery.message_id} is being sent again.")
    return redirect("webhooks:detail", webhooksubscription_pk=delivery.subscription_id)
