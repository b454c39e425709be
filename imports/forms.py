from django import forms

from .models import ImportBatch
from .reading import MAX_ROWS, MAX_UPLOAD_BYTES, too_big_message
from .services import kind_error


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportBatch.Kind.choices)
    scope = forms.ChoiceField(label="Import for")
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text=(
            f"At most {MAX_UPLOAD_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} rows; the first row names the columns."
        ),
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes = {scope.key: scope for scope in scopes}
        self.fields["scope"].choices = [(scope.key, str(scope)) for scope in scopes]
        self.fields["kind"].choices = [
            (kind, label)
            for kind, label in ImportBatch.Kind.choices
            if any(not kind_error(kind, scope) for scope in scopes)
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
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_big_message(upload.size))
        return upload
