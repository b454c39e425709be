"""Webhook subscriptions and their deliveries.

A ``WebhookSubscription`` belongs to one membership, as an API token does: it hears only of what
that one role reads through the API (``scope``). A ``WebhookDelivery`` is one message to one
subscription, the outbox row the sender works from and the log its owner reads. The
``DispatchCursor`` and ``SeenStatus`` rows are the dispatcher's memory (webhooks.dispatch).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django_scopes import scopes_disabled

from accounts.scoping import scope_for_memberships
from core.changes import TrackedModel
from core.tenancy import OwnedQuerySet, Scope, viewer_manager
from core.validators import validate_single_line_text

from . import signing
from .choices import DeliveryStatus, EventType


def validate_event_types(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event type.", code="required")
    unknown = sorted({str(item) for item in value} - set(EventType.values))
    if unknown:
        raise ValidationError(f"Unknown event type: {', '.join(unknown)}.", code="invalid_choice")


def validate_target_url(value: str) -> None:
    """https only; plain http where ``WEBHOOK_ALLOW_HTTP_TARGETS`` (development and tests)."""
    parts = urlsplit(value)
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP_TARGETS else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValidationError("Give an https:// address.", code="invalid")
    if parts.username or parts.password:
        raise ValidationError("Leave credentials out of the address; deliveries are signed.", code="invalid")


class SubscriptionQuerySet(OwnedQuerySet):
    owner_field = "membership__user"

    def active(self):
        return self.filter(active=True, membership__user__is_active=True)


class WebhookSubscription(TrackedModel):
    """Where to send which events, signed with a secret shown to its owner once."""

    membership = models.ForeignKey(
        "accounts.Membership",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text="The role whose API reach the subscription has: it hears only of what this role reads.",
    )
    name = models.CharField(max_length=100, validators=[validate_single_line_text])
    target_url = models.URLField(
        "target URL", max_length=500, validators=[validate_target_url], help_text="Where deliveries are POSTed."
    )
    event_types = models.JSONField(default=list, validators=[validate_event_types])
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)

    objects = viewer_manager(SubscriptionQuerySet)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def secret(self) -> str:
        return signing.decrypt(self.secret_encrypted)

    def issue_secret(self) -> str:
        """Set a fresh secret and return it (shown once); only its encrypted form is stored."""
        secret = signing.new_secret()
        self.secret_encrypted = signing.encrypt(secret)
        return secret

    @cached_property
    def scope(self) -> Scope:
        """What the subscription may hear of: its membership's reach, as an API token's
        (accounts.tokens.user_for_token); nothing once its holder is deactivated."""
        user = self.membership.user
        if not user.is_active:
            return Scope()
        with scopes_disabled():
            return scope_for_memberships([self.membership], user_id=user.pk)

    def get_event_types_display(self) -> list[str]:
        return [EventType(value).label for value in self.event_types if value in EventType.values]


class DeliveryQuerySet(OwnedQuerySet):
    owner_field = "subscription__membership__user"


class WebhookDelivery(TrackedModel):
    """One message to one subscription, and how sending it went (the latest attempt's answer)."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True, editable=False, help_text="The webhook-id header.")
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = viewer_manager(DeliveryQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_retry_at"])]

    def __str__(self):
        return f"{self.event_type} → {self.subscription} ({self.get_status_display()})"


class DispatchCursor(models.Model):
    """The one row saying up to which change version events were dispatched, and since when the
    dispatcher runs (rows created before it are not announced as new)."""

    version = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Webhook events dispatched up to change {self.version}"


class SeenStatus(models.Model):
    """The status a row had when the dispatcher last saw it: a status event fires on a real
    transition only (a save that leaves the status as it was announces nothing)."""

    model = models.CharField(max_length=100, editable=False)
    object_id = models.BigIntegerField()
    status = models.CharField(max_length=40, editable=False)

    class Meta:
        verbose_name_plural = "seen statuses"
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="one_seen_status_per_row")]

    def __str__(self):
        return f"{self.model} #{self.object_id}: {self.status}"
