"""The directory's list and delete pages (NetBox-style in-app management): a table with an add
button and each row's edit and delete links, and a delete that asks first and says what keeps a
record. The create/edit page is ``web.forms.object_form_page``."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from core.permissions import permission_name

from .forms import DeleteReasonForm
from .tables import Table


@dataclass(frozen=True)
class Row:
    cells: list
    label: str
    edit_url: str | None
    delete_url: str | None


def object_list_page(request, *, title, lede, table: Table, objects, add_url, edit_url, delete_url, breadcrumbs=()):
    """A directory list: ``table``'s columns per object, with edit and delete links where the user
    may (``edit_url(obj)``/``delete_url(obj)``), and ``add_url`` when they may add."""
    user = request.user
    rows = [
        Row(
            cells=[column.value(obj) for column in table.columns],
            label=str(obj),
            edit_url=edit_url(obj) if user.has_perm(permission_name(type(obj), "change"), obj) else None,
            delete_url=delete_url(obj) if user.has_perm(permission_name(type(obj), "delete"), obj) else None,
        )
        for obj in objects
    ]
    context = {
        "title": title,
        "lede": lede,
        "headers": [column.header for column in table.columns],
        "rows": rows,
        "add_url": add_url,
        "breadcrumbs": breadcrumbs,
    }
    return render(request, "web/object_list.html", context)


def object_delete_page(
    request, obj, *, delete, cancel_url, success_url, kept=None, explanation="", ask_reason=False, label=None
):
    """Confirm (GET), then delete (POST) ``obj`` through ``delete(obj, reason)``, the owning app's
    use case; ``ask_reason``: the history keeps why (a result, a record people relied on).
    ``kept()`` (why it cannot be deleted, shown before asking) and the use case's refusal are shown
    on the page instead of the button (409 after a POST)."""
    if not request.user.has_perm(permission_name(type(obj), "delete"), obj):
        raise PermissionDenied
    label = label or str(obj)
    form = DeleteReasonForm(request.POST or None) if ask_reason else None
    context = {"object": obj, "label": label, "cancel_url": cancel_url, "explanation": explanation, "form": form}
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            delete(obj, form.cleaned_data["reason"] if form else "")
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return render(request, "web/object_delete.html", context, status=409)
        messages.success(request, f"Deleted {obj._meta.verbose_name} {label}.")
        return redirect(success_url)
    context["refusal"] = kept() if kept else None
    return render(request, "web/object_delete.html", context, status=400 if form is not None and form.is_bound else 200)
