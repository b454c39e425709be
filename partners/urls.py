from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("lead-partners/", views.lead_partner_list, name="lead_partner_list"),
    path("lead-partners/new/", views.lead_partner_create, name="lead_partner_create"),
    path("lead-partners/<int:leadpartner_pk>/edit/", views.lead_partner_edit, name="lead_partner_edit"),
    path("lead-partners/<int:leadpartner_pk>/delete/", views.lead_partner_delete, name="lead_partner_delete"),
    path("collaborators/", views.collaborator_list, name="collaborator_list"),
    path("collaborators/new/", views.collaborator_create, name="collaborator_create"),
    path("collaborators/<int:nationalcollaborator_pk>/edit/", views.collaborator_edit, name="collaborator_edit"),
    path("collaborators/<int:nationalcollaborator_pk>/delete/", views.collaborator_delete, name="collaborator_delete"),
]
