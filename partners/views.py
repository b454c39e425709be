"""The directory's Lead Partners and national collaborators (initiative admins): list, add, edit,
delete where nothing depends."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.deletion import kept_because
from web.forms import object_form_page
from web.pages import object_delete_page, object_list_page
from web.tables import Column, Table

from . import services
from .forms import LeadPartnerForm, NationalCollaboratorForm
from .models import LeadPartner, NationalCollaborator

# Per kind: its form, its table, what the list page says.
KINDS = {
    "lead_partner": (
        LeadPartner,
        LeadPartnerForm,
        Table(
            "lead-partners",
            (
                Column.of("Lead Partner", "name"),
                Column.of("Kind", "get_kind_display"),
                Column.of("District", "district.name"),
                Column.of("Contact", "contact_name"),
                Column.of("Email", "contact_email"),
            ),
        ),
        "Lead Partners",
        "The organizations and district autonomous units that run zones. A Lead Partner that zones, contracts "
        "or memberships name cannot be deleted.",
    ),
    "collaborator": (
        NationalCollaborator,
        NationalCollaboratorForm,
        Table(
            "collaborators",
            (Column.of("Collaborator", "name"), Column.of("Website", "website"), Column.of("Email", "contact_email")),
        ),
        "National collaborators",
        "The organizations that help states (engagements on the state pages). A collaborator that engagements "
        "or memberships name cannot be deleted.",
    ),
}


def _url(kind, action, pk=None) -> str:
    return reverse(f"partners:{kind}_{action}", kwargs={f"{KINDS[kind][0]._meta.model_name}_pk": pk} if pk else None)


def _list(request, kind):
    model, _form, table, title, lede = KINDS[kind]
    if not request.user.has_perm(f"partners.add_{model._meta.model_name}", model()):
        raise PermissionDenied
    return object_list_page(
        request,
        title=title,
        lede=lede,
        table=table,
        objects=model.objects.all(),
        add_url=_url(kind, "create"),
        edit_url=lambda obj: _url(kind, "edit", obj.pk),
        delete_url=lambda obj: _url(kind, "delete", obj.pk),
        breadcrumbs=[("Directory", reverse("portfolio:directory"))],
    )


def _form(request, kind, pk=None):
    model, form_class = KINDS[kind][:2]
    instance = get_object_or_404(model, pk=pk) if pk else model()
    return object_form_page(
        request,
        form_class(request.POST or None, instance=instance),
        title=f"Edit {instance}" if pk else f"New {model._meta.verbose_name}",
        cancel_url=_url(kind, "list"),
        success_url=lambda saved: _url(kind, "list"),
    )


def _delete(request, kind, pk):
    model = KINDS[kind][0]
    obj = get_object_or_404(model, pk=pk)
    return object_delete_page(
        request,
        obj,
        delete=lambda obj, reason: services.delete_partner(obj, user=request.user),
        cancel_url=_url(kind, "list"),
        success_url=_url(kind, "list"),
        kept=lambda: kept_because(obj),
    )


@login_required
def lead_partner_list(request):
    return _list(request, "lead_partner")


@login_required
def lead_partner_create(request):
    return _form(request, "lead_partner")


@login_required
def lead_partner_edit(request, leadpartner_pk):
    return _form(request, "lead_partner", leadpartner_pk)


@login_required
def lead_partner_delete(request, leadpartner_pk):
    return _delete(request, "lead_partner", leadpartner_pk)


@login_required
def collaborator_list(request):
    return _list(request, "collaborator")


@login_required
def collaborator_create(request):
    return _form(request, "collaborator")


@login_required
def collaborator_edit(request, nationalcollaborator_pk):
    return _form(request, "collaborator", nationalcollaborator_pk)


@login_required
def collaborator_delete(request, nationalcollaborator_pk):
    return _delete(request, "collaborator", nationalcollaborator_pk)
