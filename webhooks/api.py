"""API v1: the requester's webhook subscriptions (``/webhook-subscriptions/``: the secret is in the
create and rotate-secret answers only) and their delivery log (``/webhook-deliveries/``, read-only,
with ``redeliver``). Another user's rows are 404s; with an API token, only the subscriptions of the
token's own membership (a token cannot subscribe with a wider role of its holder)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import ApiToken, Membership
from notifications.api import OwnRowsMixin
from web.rest import ModelCleanSerializer, ScopedModelViewSet, ScopedReadOnlyViewSet
from web.sync import ChangeStampsMixin

from . import services
from .choices import EventType
from .models import WebhookDelivery, WebhookSubscription


def own_memberships(request):
    """The memberships a request may subscribe with: the token's one, or every one of the user's."""
    memberships = Membership.objects.filter(user_id=request.user.pk)  # none for an anonymous request
    if isinstance(request.auth, ApiToken):
        return memberships.filter(pk=request.auth.membership_id)
    return memberships


class WebhookSubscriptionSerializer(ModelCleanSerializer):
    event_types = serializers.MultipleChoiceField(
        choices=EventType.choices, allow_empty=False, help_text="The events to be sent."
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "membership",
            "name",
            "target_url",
            "event_types",
            "active",
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
        ]
        read_only_fields = ["active", "disabled_at", "disabled_reason", "consecutive_failures"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and "membership" in fields:
            fields["membership"].queryset = own_memberships(request)
        return fields

    def validate_event_types(self, value):
        return sorted(value)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if "event_types" in data:
            data["event_types"] = sorted(data["event_types"])
        return data


class CreatedSubscriptionSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown in this answer only: keep it to verify signatures.")

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookSubscriptionViewSet(OwnRowsMixin, ScopedModelViewSet):
    """Any member may subscribe, with one of their own memberships, to what that role reads."""

    owner_field = "membership__user"
    queryset = WebhookSubscription.objects.select_related("membership")
    serializer_class = WebhookSubscriptionSerializer
    ordering = ["name", "id"]
    filterset_fields = ["active"]

    def get_queryset(self):
        return super().get_queryset().filter(membership__in=own_memberships(self.request))

    def check_write(self, obj, action: str) -> None:
        if obj.membership.user_id != self.request.user.pk:
            raise exceptions.PermissionDenied(f"You may not {action} another user's webhook subscription.")

    @extend_schema(responses={201: CreatedSubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, secret = services.create_subscription(
            data["membership"], data["name"], data["target_url"], data["event_types"]
        )
        answer = CreatedSubscriptionSerializer(subscription, context=self.get_serializer_context()).data
        return Response({**answer, "secret": secret}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace the signing secret",
        request=None,
        responses=inline_serializer("RotatedSecret", {"secret": serializers.CharField()}),
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        return Response({"secret": services.rotate_secret(self.get_object())})


class WebhookDeliverySerializer(ChangeStampsMixin, serializers.ModelSerializer):
    subscription_name = serializers.CharField(source="subscription.name", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "subscription_name",
            "message_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "duration_ms",
            "next_retry_at",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookDeliveryViewSet(OwnRowsMixin, ScopedReadOnlyViewSet):
    """The delivery log of the requester's subscriptions, newest first."""

    owner_field = "subscription__membership__user"
    queryset = WebhookDelivery.objects.select_related("subscription")
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["subscription", "status", "event_type"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().filter(subscription__membership__in=own_memberships(self.request))

    @extend_schema(summary="Send the delivery again (same message id)", request=None)
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        delivery = services.redeliver(self.get_object())
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
