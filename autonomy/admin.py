"""The ledger in the admin: terms and check-ins are written through ``autonomy.ledger`` (a term's
status is read-only here: it changes only with a reason, on the status change page or the API);
status changes are the ledger's record and are not added here."""

from django.contrib import admin

from web.admin import ScopedAdmin

from . import ledger
from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange


@admin.register(AutonomyTerm)
class AutonomyTermAdmin(ScopedAdmin):
    list_display = ["zone", "area", "power", "status", "source", "effective_from", "effective_until"]
    list_filter = ["area", "status", "source"]
    list_select_related = ["zone"]

    def get_readonly_fields(self, request, obj=None):
        return ["status"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            ledger.create_term(obj, by=request.user, reason="Recorded in the admin")


@admin.register(AutonomyCheckIn)
class AutonomyCheckInAdmin(ScopedAdmin):
    list_display = ["term", "practice", "observed_on", "recorded_by"]
    list_filter = ["practice"]
    list_select_related = ["term__zone", "recorded_by"]
    exclude = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            made = ledger.record_check_in(
                obj.term, practice=obj.practice, note=obj.note, observed_on=obj.observed_on, by=request.user
            )
            obj.pk, obj.recorded_by, obj.created_at = made.pk, made.recorded_by, made.created_at


@admin.register(AutonomyTermChange)
class AutonomyTermChangeAdmin(ScopedAdmin):
    list_display = ["term", "from_status", "to_status", "effective_on", "changed_by"]
    list_select_related = ["term__zone", "changed_by"]

    def has_add_permission(self, request):
        return False
