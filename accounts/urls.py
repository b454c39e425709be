from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="accept_invitation"),
    path("invitations/<int:invitation_pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:invitation_pk>/resend/", views.invitation_resend, name="invitation_resend"),
]
