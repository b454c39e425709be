from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("comments/school/<int:school_pk>/", views.school_thread, name="school"),
    path("comments/zone/<int:zone_pk>/", views.zone_thread, name="zone"),
    path("comments/status-update/<int:statusupdate_pk>/", views.status_update_thread, name="status_update"),
    path("comments/submission/<int:periodsubmission_pk>/", views.submission_thread, name="submission"),
    path("comments/review/<int:annualreview_pk>/", views.review_thread, name="review"),
    path("comments/<int:comment_pk>/resolve/", views.resolve_comment, name="resolve"),
    path("comments/<int:comment_pk>/reopen/", views.reopen_comment, name="reopen"),
    path("comments/needs-action/", views.needs_action, name="needs_action"),
]
