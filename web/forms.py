"""Form conventions shared by the create/edit pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from core.concurrency import StaleRecord, VersionedModel
from core.permissions import permission_name, write_action
from core.reasons import REASON_HELP, REASON_LABEL, REASON_MAX_LENGTH


def date_input() -> forms.DateInput:
    """The browser's native date picker, with ISO values."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def version_field(initial=None) -> forms.IntegerField:
    """The hidden version the user saw, for optimistic concurrency (core.concurrency)."""
    return forms.IntegerField(
        widget=forms.HiddenInput, initial=initial, required=False, min_value=1, max_value=2**31 - 1
    )


class FormConventions:
    """What every form of the project shares: no label suffix, native date inputs and the field
    groups ``web/_form_fields.html`` renders."""

    fieldsets: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (legend, field names) groups, in order

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = date_input()

    def field_groups(self):
        """[(legend, bound fields)] for the template: the fieldsets, or one group of every visible field."""
        if not self.fieldsets:
            return [("", self.visible_fields())]
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]


class DomainForm(FormConventions, forms.Form):
    """A form that is not a model's (a step of a use case: a response, a decision, a comment)."""


class DomainModelForm(FormConventions, forms.ModelForm):
    """A model form with native date inputs, optional fieldsets, that also validates the parent the view set.

    ``parent_fields`` name fields the view sets on the instance (e.g. a baseline's school);
    they stay in model validation so uniqueness such as "one baseline per school and metric"
    is reported as a form error instead of failing in the database.
    """

    parent_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.instance, VersionedModel) and not self.instance._state.adding:
            # The version the user saw: saving over a newer one is refused (core.concurrency).
            self.fields["version"] = version_field(self.instance.version)

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - set(self.parent_fields)

    def _post_clean(self):
        version = self.cleaned_data.get("version") if "version" in self.fields else None
        try:
            if version is not None:
                self.instance.expect_version(version)
        except StaleRecord as error:
            self.add_error(None, error)
            self.show_current_version()
        super()._post_clean()

    def show_current_version(self) -> None:
        """After a refused stale save, the page shows the user's input with the current version:
        saving again (after reviewing) is a deliberate choice over the other person's change."""
        if "version" in self.fields and self.is_bound:
            current = type(self.instance)._base_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = current.first() or self.instance.version


class ChangeReasonForm(forms.Form):
    """Mixed into the model form of a model whose status changes only with a reason
    (core.reasons): asks "Reason for the change", required only when the status changes, and
    hands it to the instance for its history row."""

    change_reason = forms.CharField(
        label=REASON_LABEL, required=False, max_length=REASON_MAX_LENGTH, help_text=REASON_HELP
    )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get(self.instance.reasoned_field)
        if status is not None and self.instance.status_changes(status) and not cleaned.get("change_reason"):
            self.add_error("change_reason", "Give the reason for changing the status.")
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.cleaned_data.get("change_reason"):
            self.instance._change_reason = self.cleaned_data["change_reason"]


class DeleteReasonForm(DomainForm):
    """Why a record is deleted, for its history (web.pages.object_delete_page)."""

    reason = forms.CharField(
        label="Reason for deleting", max_length=REASON_MAX_LENGTH, help_text="Kept in the history with the deletion."
    )


def add_model_errors(form, error: ValidationError) -> None:
    """Attach a model's ValidationError to the form: to its fields where the form has them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def object_form_page(request, form, *, title, cancel_url, success_url, save=None):
    """Render, validate and save a create/edit form for an object the user may change.

    The add or change permission of the form's instance (accounts.permissions) is checked against
    it before showing the form and again after the input is applied (so the destination, e.g. the
    chosen district, is allowed).
    ``save(form)`` performs the write (default ``form.save()``) and returns the saved object;
    model errors raised while saving are shown on the form with the user's input kept.
    ``success_url(saved)`` is where to go next.
    """
    permission = permission_name(type(form.instance), write_action(form.instance))
    if not request.user.has_perm(permission, form.instance):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perm(permission, form.instance):
            raise PermissionDenied
        try:
            saved = save(form) if save else form.save()
        except ValidationError as error:
            add_model_errors(form, error)
            if isinstance(error, StaleRecord) and hasattr(form, "show_current_version"):
                form.show_current_version()
        else:
            messages.success(request, f"Saved {saved}.")
            return redirect(success_url(saved))
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "web/object_form.html", context, status=400 if form.is_bound else 200)
