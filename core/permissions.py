"""How permissions are named and asked for, shared by every layer (the table itself, who may do
what, is accounts.permissions)."""

# ``has_perm(name, ANYWHERE)``: may the user do this to an object of this kind in at least one of
# their scopes? The API asks before validating anything (authorization before validation).
ANYWHERE = object()


def permission_name(model, action: str) -> str:
    """``schools.change_school`` for (School, "change"): the names used by accounts.permissions."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"
