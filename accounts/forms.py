from django import forms
from django.contrib.auth import password_validation
from django_scopes import scopes_disabled

from partners.models import LeadPartner
from web.forms import FormConventions
from zones.models import State

from .models import Invitation, Role, User


class InvitationForm(FormConventions, forms.ModelForm):
    """Invite someone with one role; the choices offered are what the inviter may grant, and the
    permission table (``accounts.add_invitation``) has the final word."""

    class Meta:
        model = Invitation
        fields = ["email", "role", "state", "lead_partner", "collaborator"]
        help_texts = {
            "state": (
                "For state leads, state viewers and commissioners; for Lead Partner staff, the state whose "
                "zones they reach (filled in when there is only one; left empty by an initiative admin: every state)."
            ),
            "lead_partner": "For Lead Partner staff.",
            "collaborator": "For collaborators.",
        }

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        self.inviter = inviter
        self.fields["state"].queryset = State.objects.editable_by(inviter)
        if not inviter.scope.is_admin:
            leads = inviter.scope.lead_state_ids
            self.fields["lead_partner"].queryset = LeadPartner.objects.filter(zones__state__in=leads).distinct()
            self.fields["role"].choices = [
                (role.value, role.label)
                for role in (Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER, Role.LEAD_PARTNER_STAFF)
            ]
            del self.fields["collaborator"]

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.LEAD_PARTNER_STAFF and not cleaned.get("state"):
            cleaned["state"] = self._partner_state(cleaned.get("lead_partner"))
        scope = {field: cleaned.get(field) for field in ("role", "state", "lead_partner", "collaborator")}
        with scopes_disabled():  # a duplicate is one whoever sent it
            duplicate = Invitation.objects.pending().filter(email=cleaned.get("email"), **scope).exists()
        if duplicate:
            raise forms.ValidationError("A pending invitation for this address and role already exists.")
        return cleaned

    def _partner_state(self, lead_partner):
        """A state lead's invitation of Lead Partner staff is bound to a state: the only one of theirs
        where the partner leads a zone, else they choose (admins may leave it empty: every state)."""
        if self.inviter.scope.is_admin or lead_partner is None:
            return None
        states = self.fields["state"].queryset.filter(zones__lead_partner=lead_partner).distinct()[:2]
        if len(states) == 1:
            return states[0]
        self.add_error("state", "Choose the state whose zones the Lead Partner's staff member will reach.")
        return None

    def _post_clean(self):
        super()._post_clean()  # the model's clean(): the role has the right scope
        if not self.errors and not self.inviter.has_perm("accounts.add_invitation", self.instance):
            self.add_error(None, "You may not send this invitation.")


class JoinForm(forms.Form):
    """A newcomer accepting an invitation chooses a name and password."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif password:
            candidate = User(email=self.email, first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self) -> User:
        return User.objects.create_user(
            email=self.email,
            password=self.cleaned_data["password1"],
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
        )
