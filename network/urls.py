from django.urls import path

from .views import calendar

app_name = "network"

urlpatterns = [
    # --- activity reports (helper activity) ---
    # --- meetings and action items (helper meetings) ---
    # --- calendar feeds (helper calendar) ---
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<int:calendarfeed_pk>/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:feed_key>.ics", calendar.calendar_feed, name="calendar_feed"),
]
