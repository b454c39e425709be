"""REST API v1: one router over the viewsets in each app's ``api.py`` (mounted at /api/v1/),
plus the OpenAPI schema and its offline Swagger UI (mounted at /api/), for signed-in members only:
the schema with a session or an API token (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]), the docs
page with a session (a visitor is sent to the sign-in)."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accountability import api as accountability
from autonomy import api as autonomy
from changes import api as changes
from changes import resources
from comments import api as comments
from contracts import api as contracts
from funding import api as funding
from imports import api as imports
from network import api as network
from notifications import api as notifications
from partners import api as partners
from portfolio import api as portfolio
from proposals import api as proposals
from reports import api as reports
from schools import api as schools
from web import problems, sync
from webhooks import api as webhooks
from zones import api as zones

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("states", zones.StateViewSet)
router.register("districts", zones.DistrictViewSet)
router.register("zones", portfolio.ZoneViewSet)
router.register("portfolio", portfolio.PortfolioViewSet, basename="portfolio")
router.register("schools", schools.SchoolViewSet)
router.register("lead-partners", partners.LeadPartnerViewSet)
router.register("collaborators", partners.NationalCollaboratorViewSet)
router.register("engagements", partners.CollaboratorEngagementViewSet)
router.register("funders", funding.FunderViewSet)
router.register("commitments", funding.CommitmentViewSet)
router.register("expenditures", funding.ExpenditureViewSet)
router.register("metrics", accountability.MetricViewSet)
router.register("baselines", accountability.BaselineViewSet)
router.register("targets", accountability.TargetViewSet)
router.register("measurements", imports.MeasurementViewSet)  # accountability's, with the bulk upload
router.register("status-updates", accountability.StatusUpdateViewSet)
router.register("state-funding", funding.StateFundingViewSet, basename="state-funding")
router.register("zone-funding", funding.ZoneFundingViewSet, basename="zone-funding")
router.register("school-progress", accountability.SchoolProgressViewSet, basename="school-progress")
router.register("reporting-periods", accountability.ReportingPeriodViewSet)
router.register("period-submissions", accountability.PeriodSubmissionViewSet)
router.register("collection", accountability.CollectionViewSet, basename="collection")
router.register("renewal-decisions", accountability.RenewalDecisionViewSet)
router.register("exit-criteria", accountability.ExitCriterionViewSet)
router.register("report-runs", reports.ReportRunViewSet, basename="reportrun")
router.register("imports", imports.ImportBatchViewSet, basename="importbatch")
# Lead Partner contracts and annual reviews.
router.register("contracts", contracts.PerformanceContractViewSet)
router.register("contract-deliverables", contracts.ContractDeliverableViewSet)
router.register("contract-targets", contracts.ContractTargetViewSet)
router.register("annual-reviews", contracts.AnnualReviewViewSet)
router.register("review-evidence", contracts.ReviewEvidenceViewSet)
# The autonomy ledger.
router.register("autonomy-terms", autonomy.AutonomyTermViewSet)
router.register("autonomy-check-ins", autonomy.AutonomyCheckInViewSet)
router.register("autonomy-term-changes", autonomy.AutonomyTermChangeViewSet)
# proposals
router.register("change-proposals", proposals.ChangeProposalViewSet)
# comments
router.register("comments", comments.CommentViewSet)
# the money engine: awards and their amendments, zone budgets, recurring costs, match rules, each state's money
router.register("awards", funding.AwardViewSet)
router.register("award-amendments", funding.AwardAmendmentViewSet)
router.register("budgets", funding.BudgetViewSet)
router.register("recurring-costs", funding.RecurringCostViewSet)
router.register("match-rules", funding.MatchRuleViewSet)
router.register("state-money", portfolio.StateMoneyViewSet, basename="state-money")
# --- notifications API ---
router.register("notifications", notifications.NotificationViewSet)
router.register("notification-preferences", notifications.PreferenceViewSet)
router.register("watches", notifications.WatchViewSet)
# --- activity reports API ---
router.register("activity-reports", network.ActivityReportViewSet)
# --- meetings and action items API ---
router.register("meetings", network.MeetingViewSet)
router.register("meeting-documents", network.MeetingDocumentViewSet)
router.register("action-items", network.ActionItemViewSet)
# --- webhooks API ---
router.register("webhook-subscriptions", webhooks.WebhookSubscriptionViewSet)
router.register("webhook-deliveries", webhooks.WebhookDeliveryViewSet)
# --- incremental sync: the deletes feed, and which resource lists which model ---
router.register("deletes", changes.DeleteViewSet)
for prefix, viewset, _basename in router.registry:
    if sync.tracked_model(viewset) is not None:
        resources.register(prefix, sync.tracked_model(viewset))

urlpatterns = [
    path("v1/", include((router.urls, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    # Any other path under /api/: a JSON 404, not the site's HTML page.
    re_path(r"", problems.api_not_found, name="api-not-found"),
]
