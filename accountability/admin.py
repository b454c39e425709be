from django.contrib import admin
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
    StatusUpdate,
    Target,
)


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
    list_display = ["school", "metric", "school_year", "period", "value", "source"]
    list_filter = ["metric", "school_year", "period"]


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
