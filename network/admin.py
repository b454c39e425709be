from django.contrib import admin
from django.core.exceptions import PermissionDenied

from web.admin import ScopedAdmin

from .activity import save_activity_report
from .models import ActionItem, ActivityReport, CalendarFeed, Meeting, MeetingDocument


@admin.register(ActivityReport)
class ActivityReportAdmin(ScopedAdmin):
    list_display = ["date", "engagement", "hours", "zone", "school", "author"]
    list_select_related = ["engagement__collaborator", "engagement__state", "zone", "school", "author"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        if not self._allowed(request, "change" if change else "add", obj):
            raise PermissionDenied
        save_activity_report(obj, request.user)


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["starts_at", "kind", "title", "state", "zone"]
    list_filter = ["kind"]
    list_select_related = ["state", "zone"]
    filter_horizontal = ["attendees"]


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(ScopedAdmin):
    list_display = ["title", "meeting", "filename", "uploaded_by", "uploaded_at"]
    readonly_fields = ["filename"]


@admin.register(ActionItem)
class ActionItemAdmin(ScopedAdmin):
    list_display = ["title", "owner", "due_on", "status", "state", "meeting"]
    list_filter = ["status"]
    list_select_related = ["owner", "state", "meeting"]
    # Closing goes through network.actions.close_action_item (a note, the closer, the notifications).
    readonly_fields = ["status", "closed_at", "closed_by", "closing_note"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Feeds are created on the user's calendar page, where the URL is shown once; here they are revoked."""

    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request):
        return False
