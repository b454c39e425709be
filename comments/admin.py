from django.contrib import admin

from web.admin import ScopedAdmin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(ScopedAdmin):
    list_display = ["subject", "state", "author", "visibility", "needs_action", "owner", "resolved_at", "created_at"]
    list_filter = ["subject", "visibility", "needs_action"]
    list_select_related = ["state", "author", "owner"]
