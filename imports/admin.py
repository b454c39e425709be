from django.contrib import admin
from django.urls import reverse

from web.admin import ScopedAdmin
from web.files import download_link

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdmin):
    list_display = ["pk", "kind", "state", "lead_partner", "original_name", "uploaded_by", "uploaded_at", "status"]
    list_filter = ["kind", "status", "state"]
    list_select_related = ["state", "lead_partner", "uploaded_by"]
    search_fields = ["original_name", "uploaded_by__email"]
    exclude = ["file", "lea_file"]  # downloaded through the checked views only
    readonly_fields = ["download", "uploaded_at", "applied_at", "summary"]

    @admin.display(description="File")
    def download(self, batch):
        return download_link(batch.file, lambda: reverse("imports:file", kwargs={"importbatch_pk": batch.pk}))

    def has_add_permission(self, request):
        """Imports are made by uploading a file (dry run, then apply), never typed in here."""
        return False
