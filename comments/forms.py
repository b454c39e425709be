"""The thread's post form: a comment or a reply, its visibility among the levels the user reads,
and for a needs-action comment its owner. The rules are the use case's (comments.services)."""

from django import forms

from web.forms import DomainForm

from .choices import Visibility
from .models import MAX_BODY


class CommentForm(DomainForm):
    body = forms.CharField(
        label="Your comment", max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 3}), strip=True
    )
    visibility = forms.ChoiceField(label="Who may read it")
    needs_action = forms.BooleanField(label="Needs action", required=False)
    owner = forms.ModelChoiceField(
        label="Owner", queryset=None, required=False, empty_label="Nobody", help_text="Who must act on it."
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, levels, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = [(level.value, level.label) for level in levels]
        narrow = Visibility.PARTNER_AND_STATE
        self.fields["visibility"].initial = narrow if narrow in levels else (levels[0] if levels else None)
        self.fields["owner"].queryset = owners
