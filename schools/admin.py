from django.contrib import admin

from web.admin import ChangeReasonAdminForm, ScopedAdmin

from .models import School


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    form = ChangeReasonAdminForm
    list_display = ["name", "nces_id", "district", "zone", "improvement_tier", "turnaround_status", "enrollment"]
    list_filter = ["improvement_tier", "turnaround_status", "district__state"]
    list_select_related = ["district__state", "zone"]
    search_fields = ["name", "nces_id"]
    autocomplete_fields = ["district", "zone"]
