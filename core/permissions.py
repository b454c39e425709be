"""How permissions are named and asked for, shared by every layer (the table itself, who may do
what, is accounts.permissions)."""

# ``has_perm(name, ANYWHERE)``: may the user do this to an object of this kind in at least one of
# their scopes? The API asks before validating anything (authorization before validation).
ANYWHERE = object()


def permission_name(model, action: str) -> str:
    """``schools.change_school`` for (School, "change") or ("schools.school", "change"): the one
    way a permission name is built (the table itself names models by label, below the apps that
    define them)."""
    label = model if isinstance(model, str) else model._meta.label_lower
    app_label, model_name = label.split(".")
    return f"{app_label}.{action}_{model_name}"


def write_action(obj) -> str:
    """``add`` for an object not saved yet, else ``change``."""
    return "add" if obj.pk is None else "change"
