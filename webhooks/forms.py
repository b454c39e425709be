from django import forms

from accounts.tokens import memberships_that_may

from .choices import EventType
from .models import validate_target_url


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. 'State data warehouse'.")
    membership = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        label="Role",
        help_text="Events are sent only about what this one role reads.",
    )
    target_url = forms.URLField(
        label="Target URL", max_length=500, validators=[validate_target_url], help_text="Deliveries are POSTed here."
    )
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple, label="Events"
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships_that_may(user, "webhooks.add_webhooksubscription")
        self.fields["membership"].label_from_instance = lambda m: f"{m.get_role_display()} — {m.scope_label()}"
