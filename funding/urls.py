from django.urls import path

from . import views

app_name = "funding"

urlpatterns = [
    path("states/<int:state_pk>/commitments/new/", views.commitment_create, name="commitment_create"),
    path("commitments/<int:commitment_pk>/edit/", views.commitment_edit, name="commitment_edit"),
    path("states/<int:state_pk>/expenditures/new/", views.expenditure_create, name="expenditure_create"),
    path("expenditures/<int:expenditure_pk>/edit/", views.expenditure_edit, name="expenditure_edit"),
]


# --- planning (budgets, sustainability, match rules) ---
