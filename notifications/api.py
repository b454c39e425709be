"""API v1 endpoints of a user's own notifications (read; mark one or all read), their preferences
(a delivery per kind of event) and their watches (a state, zone or school they read). Every row is
the requester's own: another user's is a 404 (an admin's wall would read everyone's, so each
viewset filters by the user); the actions are ``notifications.services``'."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from web.rest import ModelCleanSerializer, ScopedModelViewSet, ScopedReadOnlyViewSet
from web.sync import ChangeStampsMixin
from web.transport import UtcDateTimeField

from . import services
from .links import local_path
from .models import Notification, Preference, Watch


class NotificationSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    kind = serializers.CharField(source="event.kind", read_only=True)
    kind_label = serializers.CharField(source="event.get_kind_display", read_only=True)
    summary = serializers.CharField(source="event.summary", read_only=True)
    link = serializers.SerializerMethodField()
    where = serializers.CharField(source="event.where", read_only=True)
    state = serializers.PrimaryKeyRelatedField(source="event.state", read_only=True)
    zone = serializers.PrimaryKeyRelatedField(source="event.zone", read_only=True)
    school = serializers.PrimaryKeyRelatedField(source="event.school", read_only=True)
    actor_name = serializers.StringRelatedField(source="event.actor", read_only=True, allow_null=True)
    occurred_at = UtcDateTimeField(source="event.occurred_at", read_only=True)
    delivery_label = serializers.CharField(source="get_delivery_display", read_only=True)
    emailed = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "summary",
            "link",
            "where",
            "state",
            "zone",
            "school",
            "actor_name",
            "occurred_at",
            "delivery",
            "delivery_label",
            "created_at",
            "read_at",
            "emailed",
        ]
        read_only_fields = fields

    def get_link(self, notification) -> str | None:
        """The page of what happened, a path on this site."""
        return local_path(notification.event.link)

    def get_emailed(self, notification) -> bool:
        return notification.email_id is not None


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only the unread (true) or read")

    class Meta:
        model = Notification
        fields = ["unread", "delivery"]


class OwnRowsMixin:
    """The requester's own rows only; they may add, change and delete their own (a row of anyone
    else is not found: 404, before any input is looked at)."""

    owner_field = "user"
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return super().get_queryset().filter(**{self.owner_field: self.request.user})

    def check_may_add(self) -> None:
        """Anyone signed in keeps their own preferences and watches."""

    def check_write(self, obj, action: str) -> None:
        if getattr(obj, f"{self.owner_field}_id") != self.request.user.pk:
            raise exceptions.PermissionDenied(f"You may not {action} another user's {obj._meta.verbose_name}.")


class NotificationViewSet(OwnRowsMixin, ScopedReadOnlyViewSet):
    """The requester's notifications, newest first (``?unread=true``: the unread ones). ``read``
    marks one read, ``read-all`` every one."""

    owner_field = "recipient"
    queryset = Notification.objects.select_related("event__actor", "event__state", "event__zone", "event__school")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(summary="Mark the notification read", request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.mark_read(notification)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark every notification read",
        request=None,
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(request.user)})


class PreferenceSerializer(ModelCleanSerializer):
    user = serializers.HiddenField(default=serializers.CurrentUserDefault())
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    delivery_label = serializers.CharField(source="get_delivery_display", read_only=True)

    class Meta:
        model = Preference
        fields = ["id", "user", "kind", "kind_label", "delivery", "delivery_label"]


class PreferenceViewSet(OwnRowsMixin, ScopedModelViewSet):
    """How the requester hears of each kind of event: one preference per kind (a second is a 400);
    a kind without one follows its default (``EventKind.default_delivery``)."""

    queryset = Preference.objects.all()
    serializer_class = PreferenceSerializer
    filterset_fields = ["kind", "delivery"]
    ordering = ["kind", "id"]


class WatchSerializer(ModelCleanSerializer):
    """Exactly one of ``state``, ``zone``, ``school``, among those the requester reads (any other
    id "does not exist")."""

    user = serializers.HiddenField(default=serializers.CurrentUserDefault())

    class Meta:
        model = Watch
        fields = ["id", "user", "state", "zone", "school", "created_at"]
        read_only_fields = ["created_at"]


class WatchViewSet(OwnRowsMixin, ScopedModelViewSet):
    """The states, zones and schools the requester watches: their events reach them."""

    queryset = Watch.objects.all()
    serializer_class = WatchSerializer
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "delete", "head", "options"]
