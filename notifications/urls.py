from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    # --- notifications pages ---
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:notification_pk>/read/", views.read, name="read"),
    path("notifications/read-all/", views.read_all, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/watch/", views.watch, name="watch"),
    path("notifications/sent/", views.sent, name="sent"),
]
