from django.contrib import admin

from web.admin import ScopedAdmin

from .models import PurgeHorizon, Tombstone, TombstoneReader


class ReadOnlyAdminMixin:
    """Written by deletes (changes.tombstones) and purged after the retention period: read, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TombstoneReaderInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TombstoneReader
    extra = 0


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["model", "object_id", "natural_key", "change_version", "updated_at", "audience"]
    list_filter = ["model", "audience"]
    inlines = [TombstoneReaderInline]


@admin.register(TombstoneReader)
class TombstoneReaderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["tombstone", "lead_partner_id"]


@admin.register(PurgeHorizon)
class PurgeHorizonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["change_version", "deleted_through"]
