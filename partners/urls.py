from . import views

app_name = "partners"

urlpatterns = [
    *views.LEAD_PARTNER_PAGES.urls(),
    *views.COLLABORATOR_PAGES.urls(),
]
