from django.contrib import admin

from accounts import enrolment
from core.permissions import ANYWHERE
from network.activity import reads_activity_reports
from zones.models import State


def navigation(request):
    """Top navigation for the signed-in user's roles: portfolio, their states, the school list, the
    workspace, imports, invitations, reports, activity reports, and the account's API tokens,
    webhooks and the admin site. A link is shown to those the permission table lets do its work
    somewhere (accounts.permissions), so no role is offered a page that refuses it; during an
    admin's two-factor enrolment only its step."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if step := enrolment.step(request):  # an admin setting up two-factor: only that step, no link that bounces
        return {"nav": {"enrolling": step}}
    scope = user.scope
    states = [] if scope.is_admin else list(State.objects.visible_to(user).values_list("pk", "name"))
    return {
        "nav": {
            "portfolio": scope.is_admin or len(states) > 1,
            "states": states,
            "schools": scope.is_admin or bool(scope.state_ids),  # the cross-portfolio school list
            "workspace": user.has_perm("accountability.add_statusupdate", ANYWHERE),
            "imports": user.has_perm("imports.add_importbatch", ANYWHERE),
            "invitations": user.has_perm("accounts.view_invitation"),
            "reports": user.has_perm("reports.add_reportrun", ANYWHERE),
            "activity": reads_activity_reports(user),
            "tokens": user.has_perm("accounts.add_apitoken", ANYWHERE),
            "webhooks": user.has_perm("webhooks.add_webhooksubscription", ANYWHERE),
            "admin": admin.site.has_permission(request),
            "directory": scope.is_admin,  # funders, metrics, Lead Partners, collaborators
        }
    }
