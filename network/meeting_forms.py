"""The meeting and action item forms. The rules are the models' (``clean``) and the use cases'
(network.meetings, network.actions): a form shapes the input and offers the members who may take part."""

from django import forms

from web.forms import DomainForm, DomainModelForm, version_field
from zones.models import State

from .actions import NOTE_REQUIRED
from .choices import CLOSED, MeetingKind
from .meetings import DOCUMENT_TYPES, members_of
from .models import ActionItem, Meeting, MeetingDocument


class MeetingForm(DomainModelForm):
    """Admins schedule SDG calls (and any state's meetings); state leads their states' meetings and
    site visits. Attendees are chosen among the members of the meeting's state (the network's for
    an SDG call)."""

    fieldsets = (
        ("Meeting", ("kind", "state", "zone", "title", "starts_at", "duration_minutes", "location")),
        ("Who attends", ("attendees",)),
        ("Record", ("agenda", "minutes", "decisions")),
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "state",
            "zone",
            "title",
            "starts_at",
            "duration_minutes",
            "location",
            "agenda",
            "minutes",
            "decisions",
            "attendees",
        ]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        help_texts = {"attendees": "Members of the meeting's state (of the network for an SDG call)."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = user.scope
        if not scope.is_admin:
            self.fields["kind"].choices = [(k.value, k.label) for k in MeetingKind if not k.is_network]
            self.fields["state"].queryset = State.objects.filter(pk__in=scope.lead_state_ids)
            self.fields["state"].required = True
        self.fields["zone"].queryset = self.fields["zone"].queryset.select_related("state")
        self.fields["attendees"].queryset = members_of(self._chosen_state())
        self.fields["attendees"].required = False

    def _chosen_state(self):
        """The state the attendees come from: as posted, else the meeting's."""
        if not self.is_bound:
            return self.instance.state if self.instance.state_id else None
        if self.data.get(self.add_prefix("kind")) == MeetingKind.SDG_CALL:
            return None
        try:
            return self.fields["state"].clean(self.data.get(self.add_prefix("state")))
        except forms.ValidationError:
            return None


class DocumentForm(DomainForm):
    title = forms.CharField(max_length=200)
    file = forms.FileField(
        help_text=f"PDF, Word, Excel, PowerPoint, CSV or text, at most {MeetingDocument.MAX_BYTES // 2**20} MB.",
        widget=forms.FileInput(attrs={"accept": ",".join(DOCUMENT_TYPES)}),
    )


class ActionItemForm(DomainModelForm):
    """A new action item: what, who owns it (a member who reads its state) and when it is due; what
    it concerns is set by the page (the meeting, review, comment or zone it came from)."""

    parent_fields = ("state", "zone", "school", "meeting", "annual_review", "comment")

    class Meta:
        model = ActionItem
        fields = ["title", "description", "owner", "due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(self.instance.state if self.instance.state_id else None)


class CloseForm(DomainForm):
    """Closing an item: done or dropped, and how (required)."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in CLOSED], widget=forms.RadioSelect)
    closing_note = forms.CharField(
        label="How was it closed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": NOTE_REQUIRED},
    )
    version = version_field()


class MeetingFilterForm(DomainForm):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *MeetingKind.choices], required=False)
    state = forms.ModelChoiceField(State.objects.all(), required=False, empty_label="Every state")
    when = forms.ChoiceField(
        choices=[("", "Upcoming and past"), ("upcoming", "Upcoming"), ("past", "Past")], required=False
    )


class ActionItemFilterForm(DomainForm):
    status = forms.ChoiceField(
        choices=[("", "Open and closed"), ("open", "Open"), ("closed", "Closed")], required=False
    )
