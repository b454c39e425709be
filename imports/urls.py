from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="list"),
    path("new/", views.import_new, name="new"),
    path("new/ccd/", views.import_new_directory, name="new_directory"),
    path("template/<str:kind>.csv", views.import_template, name="template"),
    path("<int:importbatch_pk>/", views.import_detail, name="detail"),
    path("<int:importbatch_pk>/apply/", views.import_apply, name="apply"),
    path("<int:importbatch_pk>/file/", views.import_file, name="file"),
]
