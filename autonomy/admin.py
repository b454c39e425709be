from django.contrib import admin

from web.admin import ScopedAdmin

from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange


@admin.register(AutonomyTerm)
class AutonomyTermAdmin(ScopedAdmin):
    list_display = ["zone", "area", "power", "status", "source", "effective_from", "effective_until"]
    list_filter = ["area", "status", "source"]
    list_select_related = ["zone"]


@admin.register(AutonomyCheckIn)
class AutonomyCheckInAdmin(ScopedAdmin):
    list_display = ["term", "practice", "observed_on", "recorded_by"]
    list_filter = ["practice"]
    list_select_related = ["term__zone", "recorded_by"]


@admin.register(AutonomyTermChange)
class AutonomyTermChangeAdmin(ScopedAdmin):
    list_display = ["term", "from_status", "to_status", "effective_on", "changed_by"]
    list_select_related = ["term__zone", "changed_by"]
