from django.contrib import admin

from .models import EmailDelivery, Event, Notification, Preference, Watch


class LogAdmin(admin.ModelAdmin):
    """The log is written by ``events.emit`` and the mail tasks only: read, never added by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(LogAdmin):
    list_display = ["occurred_at", "kind", "summary", "state", "zone", "school", "actor"]
    list_filter = ["kind"]
    list_select_related = ["state", "zone", "school", "actor"]
    search_fields = ["summary", "key"]


@admin.register(Notification)
class NotificationAdmin(LogAdmin):
    list_display = ["created_at", "recipient", "event", "delivery", "read_at", "email"]
    list_filter = ["delivery"]
    list_select_related = ["recipient", "event", "email"]


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(LogAdmin):
    list_display = ["claimed_at", "to_email", "cadence", "subject", "sent_at"]
    list_filter = ["cadence"]
    search_fields = ["to_email", "key", "subject"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery"]
    list_filter = ["kind", "delivery"]


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ["user", "state", "zone", "school", "created_at"]
