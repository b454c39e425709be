from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
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
]


# --- planning (budgets, sustainability, match rules) ---
