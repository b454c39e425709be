from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ChangeReasonAdminForm, ScopedAdmin

from .models import Award, AwardAmendment, Budget, Commitment, Expenditure, Funder, MatchRule, RecurringCost


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

    def has_delete_permission(self, request, obj=None):
        """Once money has moved a commitment is withdrawn, never deleted."""
        return super().has_delete_permission(request, obj) and (obj is None or not obj.money_moved())


@admin.register(Expenditure)
class ExpenditureAdmin(ScopedAdmin):
    list_display = ["commitment", "category", "zone", "school", "amount", "spent_on", "voided_on"]
    list_filter = ["category", "state"]
    list_select_related = ["commitment__funder", "commitment__state", "commitment__zone", "zone", "school"]
    readonly_fields = ["voided_on", "void_reason"]

    def has_delete_permission(self, request, obj=None):
        """Money has moved: a mistaken expenditure is voided with its reason, not deleted."""
        return False


@admin.register(Award)
class AwardAdmin(ScopedAdmin):
    list_display = ["name", "funder", "state", "amount", "period_start", "obligation_deadline", "liquidation_deadline"]
    list_filter = ["state", "funder"]
    list_select_related = ["funder", "state"]
    search_fields = ["name", "reference"]
    AMENDED_FIELDS = ["amount", "obligation_deadline", "liquidation_deadline"]

    def get_readonly_fields(self, request, obj=None):
        """An award's amount and dates change by amendment (its page), kept as its timeline."""
        return self.AMENDED_FIELDS if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or not obj.commitments.exists())


@admin.register(AwardAmendment)
class AwardAmendmentAdmin(ScopedAdmin):
    list_display = ["award", "effective_on", "previous_amount", "amount", "obligation_deadline", "recorded_by"]
    list_select_related = ["award", "recorded_by"]
    readonly_fields = [field.name for field in AwardAmendment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MatchRule)
class MatchRuleAdmin(ScopedAdmin):
    list_display = ["initiative", "state", "target_ratio", "counted_stage"]
    list_select_related = ["initiative", "state"]


@admin.register(Budget)
class BudgetAdmin(ScopedAdmin):
    list_display = ["zone", "fiscal_year", "category", "amount"]
    list_filter = ["fiscal_year", "category", "state"]
    list_select_related = ["zone"]


@admin.register(RecurringCost)
class RecurringCostAdmin(ScopedAdmin):
    list_display = ["school", "category", "annual_cost", "paid_by", "funder_after_grant", "amount_after_grant"]
    list_filter = ["category", "state"]
    list_select_related = ["school", "paid_by__funder", "funder_after_grant"]
