from django.contrib import admin

from web.files import download_link

from .models import ReportRun
from .tasks import enqueue


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Report runs in the admin's scope; adding one here queues it like the pages do."""

    list_display = ["kind", "state", "zone", "period", "status", "requested_by", "requested_at", "superseded"]
    list_filter = ["kind", "status", "superseded", "period"]
    list_select_related = ["state", "zone", "requested_by"]
    search_fields = ["state__name", "zone__name", "period"]
    autocomplete_fields = ["state", "zone"]
    exclude = ["file"]  # shown as a link to the permission-checked download (private files have no URL)
    readonly_fields = [
        "requested_by",
        "status",
        "superseded",
        "sent_at",
        "started_at",
        "heartbeat_at",
        "worker",
        "finished_at",
        "attempts",
        "download",
        "error",
        "email_commissioners",
        "emailed_at",
    ]

    @admin.display(description="File")
    def download(self, run):
        return download_link(run.file, run.get_download_url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.requested_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            enqueue(obj)
