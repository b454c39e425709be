from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ScopedAdmin

from .models import (
    Baseline,
    ExitCriterion,
    Measurement,
    Metric,
    PeriodSubmission,
    ReminderDigest,
    RenewalDecision,
    ReportingPeriod,
    SchoolMetricProgress,
    SchoolProgress,
    StatusUpdate,
    Target,
)
from .recording import change_measurement, record_measurements


@admin.register(Metric)
class MetricAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "unit", "direction", "lowest_grade", "highest_grade", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["code", "name"]


class SchoolMetricAdmin(ScopedAdmin):
    list_select_related = ["school", "metric"]
    list_filter = ["metric"]
    search_fields = ["school__name", "school__nces_id"]
    autocomplete_fields = ["school"]


@admin.register(Baseline)
class BaselineAdmin(SchoolMetricAdmin):
    list_display = ["school", "metric", "school_year", "value"]


@admin.register(Target)
class TargetAdmin(SchoolMetricAdmin):
    list_display = ["school", "metric", "target_school_year", "value"]


@admin.register(Measurement)
class MeasurementAdmin(SchoolMetricAdmin):
    """Measurements are saved and deleted through ``recording``, like everywhere: one in a
    submitted or approved period is refused with the reason (the page's message)."""

    list_display = ["school", "metric", "school_year", "period", "value", "source"]
    list_filter = ["metric", "school_year", "period"]

    def save_model(self, request, obj, form, change):
        if change:
            change_measurement(request.user, obj)
        else:
            record_measurements(request.user, [obj], reason="Recorded in the admin")

    def delete_model(self, request, obj):
        record_measurements(request.user, [], deleted=[obj], reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        record_measurements(request.user, [], deleted=list(queryset), reason="Deleted in the admin")

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusal_as_message(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):  # the delete action
        return self._refusal_as_message(request, super().changelist_view, extra_context)

    def _refusal_as_message(self, request, view, *args):
        try:
            return view(request, *args)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(StatusUpdate)
class StatusUpdateAdmin(ScopedAdmin):
    list_display = ["school", "reported_on", "rating", "author"]
    list_filter = ["rating"]
    list_select_related = ["school", "author"]
    search_fields = ["school__name", "narrative"]
    autocomplete_fields = ["school"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ScopedAdmin):
    list_display = ["state", "school_year", "period", "due_on"]
    list_filter = ["state", "school_year", "period"]
    filter_horizontal = ["indicators"]


@admin.register(PeriodSubmission)
class PeriodSubmissionAdmin(ScopedAdmin):
    list_display = ["school", "reporting_period", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status"]
    list_select_related = ["school", "reporting_period__state"]
    search_fields = ["school__name", "school__nces_id"]
    autocomplete_fields = ["school"]


@admin.register(RenewalDecision)
class RenewalDecisionAdmin(ScopedAdmin):
    list_display = ["zone", "decision", "decided_on", "decided_by"]
    list_filter = ["decision"]
    list_select_related = ["zone", "decided_by"]


@admin.register(ExitCriterion)
class ExitCriterionAdmin(ScopedAdmin):
    list_display = ["state", "kind", "years", "metric"]


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ScopedAdmin):
    list_display = ["recipient", "state", "sent_on", "items", "escalated"]
    list_filter = ["sent_on", "escalated"]


class ProgressAdmin(ScopedAdmin):
    """The progress read model (``accountability.progress``): written by the writes of its inputs
    and ``manage.py rebuild_progress``, read here, never edited."""

    list_select_related = ["school"]
    search_fields = ["school__name", "school__nces_id"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        raise Http404  # rewritten on every write: no history of its own


@admin.register(SchoolMetricProgress)
class SchoolMetricProgressAdmin(ProgressAdmin):
    list_display = ["school", "metric", "latest", "projected", "status", "refreshed_at"]
    list_filter = ["metric", "status"]
    list_select_related = ["school", "metric"]


@admin.register(SchoolProgress)
class SchoolProgressAdmin(ProgressAdmin):
    list_display = ["school", "projection", "rating", "reported_on", "metrics", "refreshed_at"]
    list_filter = ["projection", "rating"]
