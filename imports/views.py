"""Import pages: upload → preview (dry run) with every error → apply; past imports and their files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from web.csv_export import csv_response
from web.files import private_file_response

from .forms import DirectoryImportForm, ImportForm
from .models import UPLOAD_CONTENT_TYPE, ImportBatch
from .services import (
    IMPORTERS,
    ImportStorageError,
    apply_import,
    import_scopes_for,
    kind_error,
    may_apply,
    preview_import,
)


def _batch(request, importbatch_pk) -> ImportBatch:
    batches = ImportBatch.objects.select_related("state", "lead_partner", "uploaded_by")
    return get_object_or_404(batches, pk=importbatch_pk)


@login_required
def import_list(request):
    batches = ImportBatch.objects.select_related("state", "lead_partner", "uploaded_by")
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    scopes = import_scopes_for(request.user)
    directory = any(not kind_error(ImportBatch.Kind.CCD_DIRECTORY, scope) for scope in scopes)
    context = {"page": page, "can_import": bool(scopes), "can_import_directory": directory}
    return render(request, "imports/import_list.html", context)


@login_required
def import_new(request):
    scopes = import_scopes_for(request.user)
    if not scopes:
        raise PermissionDenied("You have no state or Lead Partner to import data for.")
    form = ImportForm(request.POST or None, request.FILES or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        try:
            batch = preview_import(
                user=request.user,
                scope=form.cleaned_data["scope"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ImportStorageError as error:
            form.add_error("file", error.message)
        else:
            return redirect("imports:detail", importbatch_pk=batch.pk)
    offered = {kind for kind, _label in form.fields["kind"].choices}
    columns = {kind: IMPORTERS[kind].columns for kind in ImportBatch.Kind if kind in offered}
    return render(request, "imports/import_new.html", {"form": form, "columns": columns})


@login_required
def import_new_directory(request):
    """The federal school directory's two files, previewed as one dry run (imports.ccd)."""
    form = DirectoryImportForm(request.POST or None, request.FILES or None, scopes=import_scopes_for(request.user))
    if not form.scopes:
        raise PermissionDenied("You manage no state to import the federal school directory for.")
    if request.method == "POST" and form.is_valid():
        try:
            batch = preview_import(
                user=request.user,
                scope=form.cleaned_data["scope"],
                kind=ImportBatch.Kind.CCD_DIRECTORY,
                upload=form.cleaned_data["school_file"],
                lea_upload=form.cleaned_data["lea_file"],
                school_year=form.cleaned_data["school_year"],
            )
        except ImportStorageError as error:
            form.add_error("school_file", error.message)
        else:
            return redirect("imports:detail", importbatch_pk=batch.pk)
    return render(request, "imports/import_new_directory.html", {"form": form})


@login_required
def import_template(request, kind):
    """An empty file of one kind to fill in: its header row, every column named."""
    if kind not in IMPORTERS:
        raise Http404("No such kind of import.")
    return csv_response(f"{kind}.csv", IMPORTERS[kind].columns, [])


@login_required
def import_detail(request, importbatch_pk):
    batch = _batch(request, importbatch_pk)
    applicable = batch.can_apply and may_apply(request.user, batch)
    return render(request, "imports/import_detail.html", {"batch": batch, "may_apply": applicable})


@login_required
@require_POST
def import_apply(request, importbatch_pk):
    batch = _batch(request, importbatch_pk)
    try:
        batch = apply_import(batch, request.user)  # PermissionDenied (not the uploader): a 403
    except ValidationError as error:  # also ApplyConflict: being or already applied
        messages.error(request, error.messages[0])
        return redirect("imports:detail", importbatch_pk=batch.pk)
    if batch.is_applying:
        messages.info(request, f"Import #{batch.pk} is being applied; this page shows how far it got.")
    elif batch.status == ImportBatch.Status.APPLIED:
        messages.success(request, f"Import #{batch.pk} applied.")
    else:
        messages.error(request, f"Import #{batch.pk} failed; nothing was written. See the errors below.")
    return redirect("imports:detail", importbatch_pk=batch.pk)


@login_required
def import_file(request, importbatch_pk):
    batch = _batch(request, importbatch_pk)
    return private_file_response(batch.file, batch.original_name, UPLOAD_CONTENT_TYPE)
