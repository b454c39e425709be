"""The directory's list and delete pages (NetBox-style in-app management): a table with an add
button and each row's edit and delete links, and a delete that asks first and says what keeps a
record. The create/edit page is ``web.forms.object_form_page``; ``DirectoryPages`` puts the four
together for one kind of directory record."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse

from core.deletion import delete_unused, kept_because
from core.permissions import permission_name

from .forms import DeleteReasonForm, object_form_page
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


@dataclass(frozen=True)
class DirectoryPages:
    """One kind of directory record's pages for initiative admins (NetBox's generic object views):
    ``<segment>/`` list, ``new/``, ``<pk>/edit/`` and ``<pk>/delete/`` (``core.deletion.delete_unused``:
    only while nothing names the record), named ``<name>_list`` … in the app's URL namespace; the
    pk is ``<model>_pk``. The app's ``urlpatterns`` take ``urls()``."""

    namespace: str
    name: str  # funder → funder_list, funder_create, funder_edit, funder_delete
    segment: str  # funders
    model: type
    form: type
    table: Table
    title: str
    lede: str
    objects: Callable | None = None  # () → the list's queryset (default: every row)
    new_title: str = ""
    back: Callable | None = None  # (request, obj) → where a delete returns to (default: the list)

    def url(self, action: str, obj=None) -> str:
        kwargs = {f"{self.model._meta.model_name}_pk": obj.pk} if obj is not None else None
        return reverse(f"{self.namespace}:{self.name}_{action}", kwargs=kwargs)

    def urls(self) -> list:
        pk = f"<int:{self.model._meta.model_name}_pk>"
        return [
            path(f"{self.segment}/", login_required(self.list_page), name=f"{self.name}_list"),
            path(f"{self.segment}/new/", login_required(self.create_page), name=f"{self.name}_create"),
            path(f"{self.segment}/{pk}/edit/", login_required(self.edit_page), name=f"{self.name}_edit"),
            path(f"{self.segment}/{pk}/delete/", login_required(self.delete_page), name=f"{self.name}_delete"),
        ]

    def list_page(self, request):
        if not request.user.has_perm(permission_name(self.model, "add"), self.model()):
            raise PermissionDenied
        return object_list_page(
            request,
            title=self.title,
            lede=self.lede,
            table=self.table,
            objects=self.objects() if self.objects else self.model.objects.all(),
            add_url=self.url("create"),
            edit_url=lambda obj: self.url("edit", obj),
            delete_url=lambda obj: self.url("delete", obj),
            breadcrumbs=[("Directory", reverse("portfolio:directory"))],
        )

    def _form_page(self, request, instance, title):
        return object_form_page(
            request,
            self.form(request.POST or None, instance=instance),
            title=title,
            cancel_url=self.url("list"),
            success_url=lambda saved: self.url("list"),
        )

    def create_page(self, request):
        return self._form_page(request, self.model(), self.new_title or f"New {self.model._meta.verbose_name}")

    def edit_page(self, request, **kwargs):
        obj = get_object_or_404(self.model, pk=next(iter(kwargs.values())))
        return self._form_page(request, obj, f"Edit {obj}")

    def delete_page(self, request, **kwargs):
        obj = get_object_or_404(self.model, pk=next(iter(kwargs.values())))
        back = self.back(request, obj) if self.back else self.url("list")
        return object_delete_page(
            request,
            obj,
            delete=lambda obj, reason: delete_unused(obj, user=request.user),
            cancel_url=back,
            success_url=back,
            kept=lambda: kept_because(obj),
        )
