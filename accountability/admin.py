from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ScopedAdmin

from .models import Baseline, Measurement, Metric, StatusUpdate, Target


@admin.register(Metric)
class MetricAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit", "direction", "lowest_grade", "highest_grade"]
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
