"""Who may change a state's initiative fields, and saving a zone together with its districts and schools."""

from django.core.exceptions import PermissionDenied

from .models import State


def check_initiative_fields(user, state: State) -> None:
    """Refuse a change to the initiative's decisions about ``state`` (State.INITIATIVE_FIELDS) by a
    user the permission table does not allow, naming the fields; unchanged values pass."""
    changed = state.changed_initiative_fields()
    if changed and not user.has_perm("zones.change_state_initiative_fields", state):
        raise PermissionDenied(f"Only an initiative admin may change a state's {', '.join(changed)}.")
