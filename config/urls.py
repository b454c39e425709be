from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth's login: its rate limits and two-factor step apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("accounts/tokens/", include("accounts.token_urls")),
    path("accounts/webhooks/", include("webhooks.urls")),
    path("api/", include("config.api_urls")),
    path("", include("accounts.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("", include("portfolio.urls")),
    path("", include("schools.urls")),
    path("", include("funding.urls")),
    path("", include("partners.urls")),
    path("", include("accountability.urls")),
    path("", include("contracts.urls")),
    path("", include("autonomy.urls")),
    path("", include("proposals.urls")),
    path("", include("comments.urls")),
    path("", include("notifications.urls")),
    path("", include("network.urls")),
]
