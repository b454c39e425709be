"""Pages where a user creates (key shown once), lists and revokes their own API tokens."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from web.forms import DomainForm

from .models import ApiToken, Membership
from .tokens import issue_token, memberships_that_may, revoke_token


class ApiTokenForm(DomainForm):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'State data warehouse'.")
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        empty_label=None,
        help_text="The token sees and changes only what this one role allows.",
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the token stops working at the end of this day.",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships_that_may(user, "accounts.add_apitoken")
        self.fields["membership"].label_from_instance = lambda m: f"{m.get_role_display()} — {m.scope_label()}"

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is not None and expires_on < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return expires_on

    def expires_at(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on is None:
            return None
        next_day = datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(next_day)


def _own_tokens(user):
    return ApiToken.objects.filter(membership__user=user).select_related(
        "membership__state", "membership__lead_partner", "membership__collaborator"
    )


@never_cache
@login_required
def token_list(request):
    """The user's tokens, and the form to create one; a new key is shown on this response only."""
    form = ApiTokenForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, key = issue_token(form.cleaned_data["membership"], form.cleaned_data["name"], form.expires_at())
        return render(request, "accounts/tokens_created.html", {"token": token, "key": key})
    return render(request, "accounts/tokens.html", {"form": form, "tokens": _own_tokens(request.user)})


@require_POST
@login_required
def token_revoke(request, apitoken_pk):
    token = get_object_or_404(_own_tokens(request.user), pk=apitoken_pk)
    revoke_token(token)
    messages.success(request, f"Token “{token.name}” is revoked; clients using it are refused from now on.")
    return redirect("tokens:list")
