from network.activity import reads_activity_reports
from zones.models import State


def navigation(request):
    """Top navigation for the signed-in user's roles: portfolio, their states, the school list, the
    workspace, invitations, activity reports."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user.scope
    states = [] if scope.is_admin else list(State.objects.visible_to(user).values_list("pk", "name"))
    return {
        "nav": {
            "portfolio": scope.is_admin or len(states) > 1,
            "states": states,
            "schools": scope.is_admin or bool(scope.state_ids),  # the cross-portfolio school list
            "workspace": scope.is_admin or bool(scope.lead_partner_ids),
            "invitations": scope.is_admin or bool(scope.lead_state_ids),
            "activity": reads_activity_reports(user),
            "directory": scope.is_admin,  # funders, metrics, Lead Partners, collaborators
        }
    }
