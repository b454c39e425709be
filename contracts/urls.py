from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("zones/<int:zone_pk>/contracts/", views.zone_contracts, name="zone_contracts"),
    path("zones/<int:zone_pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:performancecontract_pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:performancecontract_pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:performancecontract_pk>/step/", views.contract_step, name="contract_step"),
    path("contracts/<int:performancecontract_pk>/document/", views.contract_document, name="contract_document"),
    path(
        "contracts/<int:performancecontract_pk>/deliverables/new/",
        views.deliverable_create,
        name="deliverable_create",
    ),
    path("deliverables/<int:contractdeliverable_pk>/edit/", views.deliverable_edit, name="deliverable_edit"),
    path("contracts/<int:performancecontract_pk>/targets/new/", views.target_create, name="target_create"),
    path("contract-targets/<int:contracttarget_pk>/edit/", views.target_edit, name="target_edit"),
    path("contracts/<int:performancecontract_pk>/reviews/new/", views.review_start, name="review_start"),
    path("reviews/compare/", views.review_compare, name="review_compare"),
    path("reviews/<int:annualreview_pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:annualreview_pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:annualreview_pk>/evidence/", views.evidence_create, name="evidence_create"),
    path("reviews/<int:annualreview_pk>/issue/", views.review_issue, name="review_issue"),
    path("reviews/<int:annualreview_pk>/respond/", views.review_respond, name="review_respond"),
    path("states/<int:state_pk>/reviews/", views.state_reviews, name="state_reviews"),
    path("lead-partners/<int:leadpartner_pk>/", views.lead_partner_history, name="lead_partner"),
]
