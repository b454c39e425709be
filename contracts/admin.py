from django.contrib import admin

from web.admin import ScopedAdmin

from .models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract, ReviewEvidence


@admin.register(PerformanceContract)
class PerformanceContractAdmin(ScopedAdmin):
    list_display = ["zone", "lead_partner", "status", "starts_on", "ends_on", "signed_on"]
    list_filter = ["status"]
    list_select_related = ["zone", "lead_partner"]


@admin.register(ContractDeliverable)
class ContractDeliverableAdmin(ScopedAdmin):
    list_display = ["title", "contract", "due_on", "delivered_on"]
    list_select_related = ["contract__zone", "contract__lead_partner"]


@admin.register(ContractTarget)
class ContractTargetAdmin(ScopedAdmin):
    list_display = ["contract", "metric", "level", "school_year"]
    list_select_related = ["contract__zone", "contract__lead_partner", "metric"]


@admin.register(AnnualReview)
class AnnualReviewAdmin(ScopedAdmin):
    list_display = ["contract", "school_year", "status", "issued_at", "responded_at"]
    list_filter = ["status"]
    list_select_related = ["contract__zone", "contract__lead_partner"]


@admin.register(ReviewEvidence)
class ReviewEvidenceAdmin(ScopedAdmin):
    list_display = ["title", "review", "part", "url"]
    list_select_related = ["review__contract__zone", "review__contract__lead_partner"]
