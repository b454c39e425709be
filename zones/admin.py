from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from web.admin import ChangeReasonAdminForm, ScopedAdmin

from .models import District, Initiative, State, Zone
from .services import check_initiative_fields


@admin.register(Initiative)
class InitiativeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "initial_term_start", "initial_term_end", "public_funding_target", "private_funding_target"]
    search_fields = ["name"]


@admin.register(State)
class StateAdmin(ScopedAdmin):
    list_display = [
        "name",
        "postal_code",
        "network_status",
        "planned_launch_school_year",
        "commissioner_name",
        "audit_trail",
    ]
    list_filter = ["network_status"]
    search_fields = ["name", "postal_code"]

    def get_readonly_fields(self, request, obj=None):
        """Staff who may not change the initiative's decisions about a state see them read-only."""
        readonly = super().get_readonly_fields(request, obj)
        if request.user.has_perm("zones.change_state_initiative_fields", obj):
            return readonly
        return [*readonly, *State.INITIATIVE_FIELDS]

    def save_model(self, request, obj, form, change):
        """The fields are read-only in the change form, but reverting to an older version (the
        history pages) would restore them too: the same rule decides every save."""
        check_initiative_fields(request.user, obj)
        super().save_model(request, obj, form, change)

    @admin.display(description="Audit trail")
    def audit_trail(self, state):
        """The state-wide trail (every object of the state); each object's own History is in its page."""
        return format_html('<a href="{}">All changes</a>', reverse("portfolio:state_history", args=[state.pk]))


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ["name", "state", "nces_lea_id"]
    list_filter = ["state"]
    list_select_related = ["state"]
    search_fields = ["name", "nces_lea_id"]


class ZoneAdminForm(ChangeReasonAdminForm):
    class Meta:
        model = Zone
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("districts") is not None and cleaned.get("state"):
            self.instance.state = cleaned["state"]
            self.instance.validate_districts(cleaned["districts"])
        return cleaned


@admin.register(Zone)
class ZoneAdmin(ScopedAdmin):
    form = ZoneAdminForm
    list_display = ["name", "state", "lead_partner", "status", "launch_school_year"]
    list_filter = ["status", "state"]
    list_select_related = ["state", "lead_partner"]
    search_fields = ["name"]
    filter_horizontal = ["districts"]
    autocomplete_fields = ["lead_partner"]
