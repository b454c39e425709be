from django.contrib import admin

from .models import DispatchCursor, SeenStatus, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    """Read and disable; subscriptions are made by their owners, who alone see the secret once."""

    list_display = ["name", "membership", "target_url", "active", "consecutive_failures", "disabled_at"]
    list_filter = ["active"]
    search_fields = ["name", "target_url", "membership__user__email"]
    readonly_fields = ["active", "disabled_at", "disabled_reason", "consecutive_failures"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "subscription", "event_type", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "subscription__name"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(DispatchCursor)
class DispatchCursorAdmin(admin.ModelAdmin):
    list_display = ["version", "started_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SeenStatus)
class SeenStatusAdmin(admin.ModelAdmin):
    list_display = ["model", "object_id", "status"]
    search_fields = ["model"]

    def has_add_permission(self, request):
        return False
