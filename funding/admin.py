from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ChangeReasonAdminForm, ScopedAdmin

from .models import Commitment, Expenditure, Funder


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["name"]


@admin.register(Commitment)
class CommitmentAdmin(ScopedAdmin):
    form = ChangeReasonAdminForm
    list_display = ["funder", "recipient_level", "state", "zone", "amount", "source", "status", "pledged_on"]
    list_filter = ["status", "source", "recipient_level", "state"]
    list_select_related = ["funder", "state", "zone", "initiative"]
    search_fields = ["funder__name", "description"]


@admin.register(Expenditure)
class ExpenditureAdmin(ScopedAdmin):
    list_display = ["commitment", "category", "zone", "school", "amount", "spent_on"]
    list_filter = ["category", "state"]
    list_select_related = ["commitment__funder", "commitment__state", "commitment__zone", "zone", "school"]
