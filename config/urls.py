from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through allauth's login: its rate limits and two-factor step apply there too.
admin.site.login = secure_admin_login(admin.site.login)

admin.site.site_header = admin.site.site_title = admin.site.index_title = "Zone Portfolio administration"

# The site's error pages (web.errors); the API answers its own errors as problem details.
handler403 = "web.errors.permission_denied"
handler404 = "web.errors.page_not_found"
handler500 = "web.errors.server_error"

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
