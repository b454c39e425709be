from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    *views.FUNDER_PAGES.urls(),
    path("states/<int:state_pk>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:commitment_pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("states/<int:state_pk>/expenditures/new/", views.expenditure_create, name="expenditure_create"),
    path("expenditures/<int:expenditure_pk>/edit/", views.expenditure_edit, name="expenditure_edit"),
    path("commitments/<int:commitment_pk>/withdraw/", views.commitment_withdraw, name="commitment_withdraw"),
    path("commitments/<int:commitment_pk>/delete/", views.commitment_delete, name="commitment_delete"),
    path("expenditures/<int:expenditure_pk>/void/", views.expenditure_void, name="expenditure_void"),
    path("states/<int:state_pk>/awards/new/", views.award_create, name="award_create"),
    path("awards/<int:award_pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:award_pk>/edit/", views.award_edit, name="award_edit"),
    path("awards/<int:award_pk>/amend/", views.award_amend, name="award_amend"),
    path("zones/<int:zone_pk>/budgets/", views.zone_budget, name="zone_budget"),
    path("zones/<int:zone_pk>/budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:budget_pk>/edit/", views.budget_edit, name="budget_edit"),
    path("schools/<int:school_pk>/sustainability/", views.school_sustainability, name="school_sustainability"),
    path("states/<int:state_pk>/sustainability/", views.state_sustainability_page, name="state_sustainability"),
    path("schools/<int:school_pk>/recurring-costs/new/", views.recurring_cost_create, name="recurring_cost_create"),
    path("recurring-costs/<int:recurringcost_pk>/edit/", views.recurring_cost_edit, name="recurring_cost_edit"),
    path("states/<int:state_pk>/match-rule/", views.state_match_rule, name="state_match_rule"),
    path("match-rule/", views.initiative_match_rule, name="initiative_match_rule"),
]
