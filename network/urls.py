from django.urls import path

from .views import activity, calendar, meetings

app_name = "network"

urlpatterns = [
    # --- activity reports ---
    path("network/activity/", activity.activity_list, name="activity_list"),
    path("network/activity/new/", activity.activity_create, name="activity_create"),
    path("network/activity/<int:activityreport_pk>/", activity.activity_detail, name="activity_detail"),
    path("network/activity/<int:activityreport_pk>/edit/", activity.activity_edit, name="activity_edit"),
    path("network/activity.csv", activity.activity_csv, name="activity_csv"),
    # --- meetings and action items ---
    path("network/meetings/", meetings.meeting_list, name="meeting_list"),
    path("states/<int:state_pk>/meetings/", meetings.state_meetings, name="state_meetings"),
    path("network/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("network/meetings/<int:meeting_pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("network/meetings/<int:meeting_pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("network/meetings/<int:meeting_pk>/documents/new/", meetings.document_upload, name="document_upload"),
    path("network/documents/<int:meetingdocument_pk>/", meetings.document_download, name="document_download"),
    path("network/action-items/", meetings.action_items, name="action_items"),
    path("network/action-items/new/", meetings.action_item_create, name="action_item_create"),
    path("network/action-items/<int:actionitem_pk>/", meetings.action_item_detail, name="action_item_detail"),
    path("network/action-items/<int:actionitem_pk>/close/", meetings.action_item_close, name="action_item_close"),
    # --- calendar feeds ---
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/<int:calendarfeed_pk>/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:feed_key>.ics", calendar.calendar_feed, name="calendar_feed"),
]
