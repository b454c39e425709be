"""The inbox's filter, the preferences form (a delivery per kind of event) and the watch toggle."""

from django import forms

from web.forms import DomainForm

from .choices import Delivery, EventKind
from .models import Watch


class InboxFilter(forms.Form):
    """``?show=unread`` and ``?kind=``: anything else shows everything."""

    show = forms.ChoiceField(choices=[("", "All"), ("unread", "Unread")], required=False)
    kind = forms.ChoiceField(choices=[("", "Every kind"), *EventKind.choices], required=False)

    def apply(self, notifications):
        if not self.is_valid():
            return notifications
        if self.cleaned_data["show"] == "unread":
            notifications = notifications.unread()
        if self.cleaned_data["kind"]:
            notifications = notifications.filter(event__kind=self.cleaned_data["kind"])
        return notifications


class PreferencesForm(DomainForm):
    """One select per kind of event, in ``EventKind``'s order, each labelled and described."""

    def __init__(self, *args, chosen: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in EventKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=Delivery(chosen[kind]).value,
                help_text=f"{kind.description} Default: {kind.default_delivery.label}.",
            )

    def deliveries(self) -> dict:
        return {EventKind(name): Delivery(value) for name, value in self.cleaned_data.items()}


class WatchForm(forms.Form):
    target = forms.ChoiceField(choices=[(target, target) for target in Watch.TARGETS])
    pk = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    # The state the button asks for ("1": watch, "0": stop), so a double click asks twice for the
    # same; without it the watch is toggled.
    watch = forms.ChoiceField(choices=[("", ""), ("1", "watch"), ("0", "stop")], required=False)
    next = forms.CharField(required=False, max_length=2000)
