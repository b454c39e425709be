"""API v1 endpoints of the network, one section per part: activity reports, meetings and action items.
Every write goes through the network's use cases, as on the pages; a model rule answers 400, a
refused step 409, a stale version 412."""

from functools import reduce
from itertools import product
from operator import or_

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from partners.models import ServiceArea
from web.rest import IdFilter, ModelCleanSerializer, ScopedModelViewSet, ScopedReadOnlyViewSet
from web.sync import ChangeStampsMixin

from .actions import close_action_item, create_action_item
from .activity import filter_reports, save_activity_report
from .choices import CLOSED
from .meetings import members_of, save_meeting
from .models import ActionItem, ActivityReport, Meeting, MeetingDocument

# --- activity ---


class ActivityReportSerializer(ModelCleanSerializer):
    """A collaborator's report under one of its engagements; the collaborator, state and service
    area are the engagement's. The zone and school must be in the engagement's state."""

    collaborator = serializers.IntegerField(source="engagement.collaborator_id", read_only=True)
    collaborator_name = serializers.CharField(source="engagement.collaborator.name", read_only=True)
    state = serializers.IntegerField(source="engagement.state_id", read_only=True)
    service_area = serializers.ChoiceField(
        source="engagement.service_area", choices=ServiceArea.choices, read_only=True
    )
    service_area_label = serializers.CharField(source="engagement.get_service_area_display", read_only=True)

    class Meta:
        model = ActivityReport
        fields = [
            "id",
            "engagement",
            "collaborator",
            "collaborator_name",
            "state",
            "service_area",
            "service_area_label",
            "date",
            "zone",
            "school",
            "hours",
            "participants",
            "topics",
            "outcome",
            "next_steps",
            "author",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["author", "created_at", "updated_at"]


class ActivityReportFilter(filters.FilterSet):
    """The list page's filters (``activity.filter_reports``): state, collaborator, service area,
    and a date range."""

    state = IdFilter(method="applied_together")
    collaborator = IdFilter(method="applied_together")
    service_area = filters.ChoiceFilter(choices=ServiceArea.choices, method="applied_together")
    date_after = filters.DateFilter(method="applied_together", help_text="On or after this date.")
    date_before = filters.DateFilter(method="applied_together", help_text="On or before this date.")
    engagement = IdFilter(field_name="engagement")

    class Meta:
        model = ActivityReport
        fields = ["engagement", "zone", "school"]

    def applied_together(self, queryset, name, value):
        return queryset  # by filter_queryset, through activity.filter_reports

    def filter_queryset(self, queryset):
        """Repeated values match any of them (web.filtering): the reports of any chosen state,
        collaborator and area combination, from the earliest ``date_after`` to the latest ``date_before``."""
        data = self.form.cleaned_data
        chosen = [data.get(name) or [None] for name in ("state", "collaborator", "service_area")]
        since, until = min(data.get("date_after") or [None]), max(data.get("date_before") or [None])
        reports = reduce(
            or_,
            (
                filter_reports(
                    queryset, state=state, collaborator=collaborator, service_area=area or "", since=since, until=until
                )
                for state, collaborator, area in product(*chosen)
            ),
        )
        return super().filter_queryset(reports)


class ActivityReportViewSet(ScopedModelViewSet):
    """Activity reports the user reads, latest first. A collaborator files one under its own
    engagement that grants access now (an admin under any); the report's collaborator or an admin
    changes or deletes it."""

    queryset = ActivityReport.objects.select_related("engagement__collaborator")
    serializer_class = ActivityReportSerializer
    filterset_class = ActivityReportFilter
    ordering_fields = ["id", "date", "hours"]
    ordering = ["-date", "-id"]

    def perform_create(self, serializer):
        self.check_write(serializer.candidate, "add")
        serializer.instance = save_activity_report(serializer.candidate, self.request.user)

    def perform_update(self, serializer):
        self.check_write(serializer.candidate, "change")
        serializer.instance = save_activity_report(serializer.candidate, self.request.user)


# --- meetings ---

NOT_A_MEMBER = "Choose members of the state (of the network for an SDG call)."


class MeetingSerializer(ModelCleanSerializer):
    """A meeting: an SDG call (no state) or a state's meeting or site visit. ``attendees`` are user
    ids among the members who read it; the newly added ones are told."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "zone",
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "agenda",
            "minutes",
            "decisions",
            "attendees",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]

    def validate_related(self, candidate, many):
        wanted = {person.pk for person in many.get("attendees", [])}
        if wanted - set(members_of(candidate.state).filter(pk__in=wanted).values_list("pk", flat=True)):
            raise DjangoValidationError({"attendees": NOT_A_MEMBER})


class MeetingFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    zone = IdFilter(field_name="zone")
    starts_after = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["kind", "state", "zone"]


class MeetingViewSet(ScopedModelViewSet):
    """SDG calls and the states' meetings and site visits the user reads, latest first. Admins
    schedule SDG calls, state leads their states' meetings (network.meetings.save_meeting)."""

    queryset = Meeting.objects.prefetch_related("attendees")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["id", "starts_at"]
    ordering = ["-starts_at", "-id"]

    def _save(self, serializer, action_name: str):
        self.check_write(serializer.candidate, action_name)
        meeting = serializer.candidate
        attendees = serializer.validated_data.get("attendees")
        if attendees is None:
            attendees = list(meeting.attendees.all()) if meeting.pk else []
        serializer.instance = save_meeting(meeting, attendees, self.request.user)

    def perform_create(self, serializer):
        self._save(serializer, "add")

    def perform_update(self, serializer):
        self._save(serializer, "change")


class MeetingDocumentSerializer(ChangeStampsMixin, serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(help_text="The file, for those who read the meeting.")

    class Meta:
        model = MeetingDocument
        fields = ["id", "meeting", "title", "filename", "uploaded_by", "uploaded_at", "download_url"]

    def get_download_url(self, document) -> str:
        path = reverse("network:document_download", kwargs={"meetingdocument_pk": document.pk})
        return self.context["request"].build_absolute_uri(path)


class MeetingDocumentFilter(filters.FilterSet):
    meeting = IdFilter(field_name="meeting")

    class Meta:
        model = MeetingDocument
        fields = ["meeting"]


class MeetingDocumentViewSet(ScopedReadOnlyViewSet):
    """The documents of the meetings the user reads (uploaded on the meeting's page)."""

    queryset = MeetingDocument.objects.all()
    serializer_class = MeetingDocumentSerializer
    filterset_class = MeetingDocumentFilter
    ordering = ["meeting_id", "title", "id"]


CLOSE_THROUGH_ACTION = "An item is closed through POST /api/v1/action-items/{id}/close/ with a status and a note."


class ActionItemSerializer(ModelCleanSerializer):
    """An action item with its owner, due date and status, and what it concerns (a meeting, annual
    review, comment, zone or school; no state: the network's). Created through
    ``network.actions.create_action_item`` (the owner must read it and is told); its status moves
    between open and in progress here, and closes only through the close action."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "description",
            "state",
            "zone",
            "school",
            "meeting",
            "annual_review",
            "comment",
            "owner",
            "due_on",
            "status",
            "status_label",
            "created_by",
            "created_at",
            "closed_at",
            "closed_by",
            "closing_note",
        ]
        read_only_fields = ["created_by", "created_at", "closed_at", "closed_by", "closing_note"]

    def validate(self, attrs):
        current = self.instance.status if self.instance is not None else None
        if "status" in attrs and attrs["status"] != current and (attrs["status"] in CLOSED or current in CLOSED):
            raise serializers.ValidationError({"status": CLOSE_THROUGH_ACTION})
        if self.instance is not None and "owner" in attrs and attrs["owner"] != self.instance.owner:
            raise serializers.ValidationError({"owner": "An item keeps its owner: close it and create another."})
        attrs = super().validate(attrs)
        candidate = self.candidate
        if self.instance is None and not members_of(candidate.state).filter(pk=candidate.owner_id).exists():
            raise serializers.ValidationError({"owner": NOT_A_MEMBER})
        return attrs


class CloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[(s.value, s.label) for s in CLOSED])
    closing_note = serializers.CharField(help_text="How the item was closed (required).")


class ActionItemFilter(filters.FilterSet):
    state = IdFilter(field_name="state")
    meeting = IdFilter(field_name="meeting")
    owner = IdFilter(field_name="owner")

    class Meta:
        model = ActionItem
        fields = ["state", "meeting", "owner", "status"]


class ActionItemViewSet(ScopedModelViewSet):
    """Action items the user reads (their own among them), soonest due first."""

    queryset = ActionItem.objects.select_related("owner")
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["id", "due_on", "created_at"]
    ordering = ["due_on", "id"]

    def perform_create(self, serializer):
        self.check_write(serializer.candidate, "add")
        serializer.instance = create_action_item(serializer.candidate, self.request.user)

    @extend_schema(summary="Close the item as done or dropped, with a note", request=CloseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request, pk=None):
        """Asks ``network.close_actionitem`` (the owner closes their item), not the change permission."""
        item = self.get_object()
        if not request.user.has_perm("network.close_actionitem", item):
            raise exceptions.PermissionDenied("You may not close this action item.")
        given = CloseSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        closed = close_action_item(item, request.user, data["status"], data["closing_note"])
        self.etag_object = closed
        return Response(self.get_serializer(closed).data, status=status.HTTP_200_OK)
