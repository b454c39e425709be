"""The admin base for tenant-owned models: rows, choices and changes kept to the user's scope."""

import rules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from core.permissions import permission_name

from .forms import ChangeReasonForm
from .models import IdempotencyRecord


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin pages for tenant-owned models, for staff of any role.

    Rows and related choices are the user's: the admin runs inside the request's tenant wall
    (core.tenancy), so a row outside it does not exist for the user. Adding, changing and deleting
    follow the permission table (accounts.permissions), checked again on the object as it would be
    saved.
    """

    def get_object(self, request, object_id, from_field=None):
        """Out of scope is the same as missing: 404 (the admin would otherwise redirect)."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A rule the model checks again on locked rows while saving (a zone's size, spending, a
        stale version: another change got there first) is the page's error message, not a 500; the
        admin's own transaction has rolled the save back."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_view(self, request, object_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_visible(self, request, object_id):
        """simple_history's views fall back to the history of objects outside the queryset; only
        admins (who see everything, deleted objects included) may use that."""
        if not request.user.scope.is_admin and not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def get_list_filter(self, request):
        """Filters on a relation offer only the related rows that occur in the visible rows."""
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation
            else item
            for item in super().get_list_filter(request)
        ]

    def _allowed(self, request, action, obj=None) -> bool:
        return rules.has_perm(permission_name(self.model, action), request.user, obj)

    def has_module_permission(self, request):
        return request.user.scope.is_member

    def has_view_permission(self, request, obj=None):
        return request.user.scope.is_member

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj) if obj is not None else request.user.scope.is_member

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete", obj)

    def save_model(self, request, obj, form, change):
        if not self._allowed(request, "change" if change else "add", obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class ChangeReasonAdminForm(ChangeReasonForm, forms.ModelForm):
    """The admin form of a model whose status changes only with a reason (core.reasons): the
    admin asks "Reason for the change" like the pages do."""


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    """Written by web.idempotency only: read (who retried what, and when the key expires), never edited."""

    list_display = ["created_at", "user", "method", "path", "status", "expires_at"]
    search_fields = ["key", "path", "user__email"]
    fields = ["user", "token", "key", "method", "path", "body_sha256", "status", "headers", "created_at", "expires_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
