from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ScopedAdmin

from .models import CollaboratorEngagement, LeadPartner, NationalCollaborator


@admin.register(LeadPartner)
class LeadPartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "district", "contact_name", "contact_email"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(NationalCollaborator)
class NationalCollaboratorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]


@admin.register(CollaboratorEngagement)
class CollaboratorEngagementAdmin(ScopedAdmin):
    list_display = ["collaborator", "state", "service_area", "status", "start_date", "end_date"]
    list_filter = ["service_area", "status", "state"]
    list_select_related = ["collaborator", "state"]
