from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("schools/<int:school_pk>/propose-status/", views.propose_school_status, name="propose_school_status"),
    path("measurements/<int:measurement_pk>/propose-correction/", views.propose_correction, name="propose_correction"),
    path(
        "commitments/<int:commitment_pk>/propose-status/",
        views.propose_commitment_status,
        name="propose_commitment_status",
    ),
    path("states/<int:state_pk>/proposals/", views.state_proposals, name="state_proposals"),
    path("proposals/<int:changeproposal_pk>/", views.proposal_detail, name="proposal_detail"),
]
