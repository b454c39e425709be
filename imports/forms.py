from django import forms

from core.validators import validate_school_year

from .models import ImportBatch
from .reading import MAX_ROWS, MAX_UPLOAD_BYTES, too_big_message
from .services import IMPORTERS, kind_error

SIZE_LIMITS = f"At most {MAX_UPLOAD_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} rows"


def checked_size(upload):
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(too_big_message(upload.size))
    return upload


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportBatch.Kind.choices)
    scope = forms.ChoiceField(label="Import for")
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file", help_text=f"{SIZE_LIMITS}; the first row names the columns."
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = {scope.key: scope for scope in scopes}
        self.fields["scope"].choices = [(scope.key, str(scope)) for scope in scopes]
        self.fields["kind"].choices = [
            (kind, label)
            for kind, label in ImportBatch.Kind.choices
            if kind in IMPORTERS and any(not kind_error(kind, scope) for scope in scopes)
        ]

    def clean_scope(self):
        return self.scopes[self.cleaned_data["scope"]]

    def clean(self):
        cleaned = super().clean()
        if "kind" in cleaned and "scope" in cleaned:
            refused = kind_error(cleaned["kind"], cleaned["scope"])
            if refused:
                self.add_error("kind", refused)
        return cleaned

    def clean_file(self):
        return checked_size(self.cleaned_data["file"])


class DirectoryImportForm(forms.Form):
    """The federal school directory (imports.ccd): a state's two CCD files for a school year."""

    scope = forms.ChoiceField(label="State")
    school_year = forms.CharField(
        max_length=7, validators=[validate_school_year], help_text="The files' school year, e.g. 2023-24."
    )
    school_file = forms.FileField(
        label="School directory (ccd_sch_029) CSV", help_text=f"{SIZE_LIMITS}: the state's rows, header as published."
    )
    lea_file = forms.FileField(label="LEA directory (ccd_lea_029) CSV", help_text=f"{SIZE_LIMITS}.")

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        states = [scope for scope in scopes if not kind_error(ImportBatch.Kind.CCD_DIRECTORY, scope)]
        self.scopes = {scope.key: scope for scope in states}
        self.fields["scope"].choices = [(scope.key, str(scope)) for scope in states]

    def clean_scope(self):
        return self.scopes[self.cleaned_data["scope"]]

    def clean_school_file(self):
        return checked_size(self.cleaned_data["school_file"])

    def clean_lea_file(self):
        return checked_size(self.cleaned_data["lea_file"])
