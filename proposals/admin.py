from django.contrib import admin

from web.admin import ScopedAdmin

from .models import ChangeProposal


@admin.register(ChangeProposal)
class ChangeProposalAdmin(ScopedAdmin):
    list_display = ["kind", "state", "zone", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["state", "zone", "proposed_by", "decided_by"]
