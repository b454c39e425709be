"""The use cases of webhooks, one function each, called by the pages, the API and the admin."""

from django.db import transaction
from django.utils import timezone

from .choices import DeliveryStatus
from .models import WebhookDelivery, WebhookSubscription
from .tasks import queue_sending


@transaction.atomic
def create_subscription(membership, name: str, target_url: str, event_types: list) -> tuple[WebhookSubscription, str]:
    """A subscription of one of the user's memberships; returns it with its secret (shown once)."""
    subscription = WebhookSubscription(membership=membership, name=name, target_url=target_url, event_types=event_types)
    secret = subscription.issue_secret()
    subscription.full_clean()
    subscription.save()
    return subscription, secret


@transaction.atomic
def rotate_secret(subscription: WebhookSubscription) -> str:
    """A new secret (shown once); the old one stops signing at once."""
    secret = subscription.issue_secret()
    subscription.save(update_fields=["secret_encrypted"])
    return secret


@transaction.atomic
def set_active(subscription: WebhookSubscription, active: bool, reason: str = "Disabled by its owner.") -> None:
    """Disable, or enable again (counting failures afresh); pending deliveries wait while disabled."""
    subscription.active = active
    subscription.disabled_at = None if active else timezone.now()
    subscription.disabled_reason = "" if active else reason
    subscription.consecutive_failures = 0
    subscription.save(update_fields=["active", "disabled_at", "disabled_reason", "consecutive_failures"])
    if active:
        queue_sending(
            subscription.deliveries.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.RETRYING)).values_list(
                "pk", flat=True
            )
        )


@transaction.atomic
def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the delivery again now, with the same message id (receivers deduplicate on it)."""
    WebhookDelivery._base_manager.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, next_retry_at=None)
    delivery.refresh_from_db()
    queue_sending([delivery.pk], manual=True)
    return delivery
