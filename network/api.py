"""API v1 endpoints of the network, one section per part: activity reports (saved through
``activity.save_activity_report``, like on the pages)."""

from django_filters import rest_framework as filters
from rest_framework import serializers

from partners.models import ServiceArea
from web.rest import IdFilter, ModelCleanSerializer, ScopedModelViewSet

from .activity import filter_reports, save_activity_report
from .models import ActivityReport

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
        data = self.form.cleaned_data
        reports = filter_reports(
            queryset,
            state=data.get("state"),
            collaborator=data.get("collaborator"),
            service_area=data.get("service_area") or "",
            since=data.get("date_after"),
            until=data.get("date_before"),
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
