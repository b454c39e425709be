from django.urls import path

from .views import activity
from .views import calendar

app_name = "network"

urlpatterns = [
    # --- activity reports (helper activity) ---
    path("network/activity/", activity.activity_list, name="activity_list"),
    path("network/activity/new/", activity.activity_create, name="activity_create"),
    path("network/activity/<int:activityreport_pk>/", activity.activity_detail, name="activity_detail"),
    path("network/activity/<int:activityreport_pk>/edit/", activity.activity_edit, name="activity_edit"),
    path("network/activity.csv", activity.activity_csv, name="activity_csv"),
    # --- meetings and action items (helper meetings) ---
    # --- calendar feeds (helper calendar) ---
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<int:calendarfeed_pk>/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:feed_key>.ics", calendar.calendar_feed, name="calendar_feed"),
]
