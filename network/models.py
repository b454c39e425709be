"""Running the network: what national collaborators did in a state (activity reports), the State
Development Group's calls and the states' meetings and site visits (agenda, attendees, minutes,
decisions, documents), and the action items they give rise to, each with an owner and a due date.
A calendar feed per user publishes their due dates, meetings and action items.

A meeting or an action item of the whole network (an SDG call) has no state:
``TenantScope.network`` makes it readable by everyone in the network (core.tenancy).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.concurrency import VersionedModel
from core.credentials import hash_secret, new_secret
from core.tenancy import OwnedQuerySet, TenantModel, TenantQuerySet, tenant_manager, viewer_manager
from core.validators import validate_single_line_text
from web.files import private_storage, unguessable_name

from .choices import CLOSED, OPEN, ActionStatus, MeetingKind


class ActivityReport(TrackedModel, TenantModel):
    """What a collaborator did for a state under one of its engagements (the engagement gives the
    collaborator, the state and the service area): when, for how long, with whom, about what, the
    outcome and the next steps."""

    engagement = models.ForeignKey(
        "partners.CollaboratorEngagement", on_delete=models.PROTECT, related_name="activity_reports"
    )
    date = models.DateField()
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hours = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("200"))],
        help_text="Hours of the collaborator's staff on this activity (quarter hours).",
    )
    participants = models.TextField(help_text="Who took part: names and roles, one per line.")
    topics = models.TextField()
    outcome = models.TextField()
    next_steps = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class TenantScope:
        state = "engagement__state"
        collaborator = True

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.engagement.collaborator} in {self.engagement.state}, {self.date:%b %-d, %Y}"

    @property
    def state(self):
        return self.engagement.state

    def clean(self):
        super().clean()
        errors = {}
        engagement = self.engagement if self.engagement_id else None
        if self.date and self.date > timezone.localdate():
            errors["date"] = "An activity is reported once it has happened."
        elif (
            engagement
            and self.date
            and (self.date < engagement.start_date or (engagement.end_date and self.date > engagement.end_date))
        ):
            errors["date"] = "The date falls outside the engagement's dates."
        if engagement and self.zone_id and self.zone.state_id != engagement.state_id:
            errors["zone"] = "The zone is in another state than the engagement."
        if self.school_id:
            if engagement and self.school.district.state_id != engagement.state_id:
                errors["school"] = "The school is in another state than the engagement."
            elif self.zone_id and self.school.zone_id != self.zone_id:
                errors["school"] = "The school is not in that zone."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.school_id and not self.zone_id:
            self.zone_id = self.school.zone_id
        super().save(*args, **kwargs)


class Meeting(TrackedModel, VersionedModel, TenantModel):
    """A State Development Group call (the network's: no state) or a state's meeting or site visit."""

    Kind = MeetingKind

    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="meetings")
    zone = models.ForeignKey(
        "zones.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
        help_text="A site visit's zone: its Lead Partner's staff read the meeting.",
    )
    title = models.CharField(max_length=200, validators=[validate_single_line_text])
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    location = models.CharField(
        "location or call link", max_length=300, blank=True, validators=[validate_single_line_text]
    )
    agenda = models.TextField(blank=True)
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True, help_text="What was decided, one decision per line.")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meetings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[attendees])

    class TenantScope:
        state = "state"
        network = True
        collaborator = True
        lead_partner = "zone__lead_partner"

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%b %-d, %Y})"

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    @property
    def is_network(self) -> bool:
        return self.state_id is None

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == MeetingKind.SDG_CALL and self.state_id:
            errors["state"] = "A State Development Group call is the whole network's: it has no state."
        if self.kind and self.kind != MeetingKind.SDG_CALL and not self.state_id:
            errors["state"] = "A state meeting or site visit belongs to a state."
        if self.zone_id and self.state_id and self.zone.state_id != self.state_id:
            errors["zone"] = "The zone is in another state."
        if self.kind == MeetingKind.SDG_CALL and self.zone_id:
            errors["zone"] = "A State Development Group call is not about one zone."
        if errors:
            raise ValidationError(errors)


def meeting_document_path(document, filename: str) -> str:
    return unguessable_name("meetings", filename)


class MeetingDocument(TrackedModel, TenantModel):
    """A file attached to a meeting (slides, a budget template, signed minutes): private, handed out
    only to readers of the meeting."""

    MAX_BYTES = 10 * 1024 * 1024

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200, validators=[validate_single_line_text])
    file = models.FileField(upload_to=meeting_document_path, storage=private_storage)
    filename = models.CharField(max_length=255, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class TenantScope:
        state = "meeting__state"
        network = True
        collaborator = True
        lead_partner = "meeting__zone__lead_partner"

    class Meta:
        ordering = ["meeting", "title"]

    def __str__(self):
        return self.title


class ActionItemQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def overdue(self, today=None):
        """Open items past their due date: the one definition of overdue."""
        return self.open().filter(due_on__lt=today or timezone.localdate())


class ActionItem(TrackedModel, VersionedModel, TenantModel):
    """Something someone must do, arising from a meeting, an annual review or a comment (or about a
    zone or school), with an owner and a due date. Closing it (done or dropped) needs a note."""

    Status = ActionStatus

    title = models.CharField(max_length=200, validators=[validate_single_line_text])
    description = models.TextField(blank=True)
    state = models.ForeignKey(
        "zones.State",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_items",
        help_text="Empty for an item of the whole network.",
    )
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="action_items")
    annual_review = models.ForeignKey(
        "contracts.AnnualReview", null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="action_items"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.TextField(blank=True)

    objects = tenant_manager(ActionItemQuerySet)
    history = HistoricalRecords()

    class TenantScope:
        state = "state"
        network = True
        collaborator = True
        lead_partner = "zone__lead_partner"
        owner = "owner"

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in OPEN]) | ~Q(closing_note=""),
                name="closed_action_item_has_a_note",
            )
        ]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self):
        return self.title

    @property
    def concerns(self):
        """The object the item arose from or is about (the most specific first), or None."""
        return self.comment or self.annual_review or self.meeting or self.school or self.zone

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    def is_overdue(self, today=None) -> bool:
        return not self.is_closed and self.due_on < (today or timezone.localdate())

    def clean(self):
        super().clean()
        errors = {}
        if self.status in CLOSED and not self.closing_note.strip():
            errors["closing_note"] = "Say how the item was closed."
        state_id = self.state_id
        sources = {
            "meeting": self.meeting if self.meeting_id else None,
            "annual_review": self.annual_review.contract.zone if self.annual_review_id else None,
            "comment": self.comment if self.comment_id else None,
            "zone": self.zone if self.zone_id else None,
        }
        for field, source in sources.items():
            if source is None:
                continue
            if field == "meeting" and source.state_id is None:
                continue  # a network meeting's items may belong to any state
            if source.state_id != state_id:
                errors[field] = "It belongs to another state than the action item."
        if self.school_id and self.school.district.state_id != state_id:
            errors["school"] = "The school is in another state than the action item."
        if errors:
            raise ValidationError(errors)


class CalendarFeedQuerySet(OwnedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A private iCalendar feed URL of one user's due dates, meetings and action items. The URL's
    key is shown once and stored hashed; revoking it makes the URL answer 404."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    name = models.CharField(max_length=100, default="Calendar", validators=[validate_single_line_text])
    key_prefix = models.CharField(max_length=PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = viewer_manager(CalendarFeedQuerySet)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def issue_key(self) -> str:
        """A new secret key for this feed (call before saving); only its hash is kept."""
        raw = new_secret()
        self.key_prefix = raw[: self.PREFIX_LENGTH]
        self.key_hash = self.hash_key(raw)
        return raw

    @classmethod
    def hash_key(cls, raw: str) -> str:
        return hash_secret(raw)
