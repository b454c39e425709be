"""Threaded comments on a school, zone, status update, annual review or period submission, each
visible to a level of readers (``choices.Visibility``); a "needs action" comment has an owner and
stays open until resolved."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from core.changes import TrackedModel
from core.tenancy import TenantModel, TenantQuerySet, tenant_manager

from .choices import Subject, Visibility

MAX_BODY = 5000  # characters of one comment
# The foreign key to each kind of subject.
SUBJECT_FIELDS = {
    Subject.SCHOOL: "school",
    Subject.ZONE: "zone",
    Subject.STATUS_UPDATE: "status_update",
    Subject.ANNUAL_REVIEW: "annual_review",
    Subject.PERIOD_SUBMISSION: "period_submission",
}


class CommentQuerySet(TenantQuerySet):
    def open_needing_action(self):
        """Needs-action comments not resolved yet."""
        return self.filter(needs_action=True, resolved_at__isnull=True)

    def open_for(self, user):
        """The one definition of "open needs action for ``user``": the open needs-action comments
        they own (among the rows the current scope reads)."""
        return self.open_needing_action().filter(owner=user)


class Comment(TrackedModel, TenantModel):
    Visibility = Visibility
    Subject = Subject

    # Where the comment sits for scoping: its state and, when the subject belongs to one, the zone
    # (whose Lead Partner's staff may read it, by visibility).
    state = models.ForeignKey("zones.State", on_delete=models.CASCADE, related_name="comments")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="comments")
    subject = models.CharField(max_length=30, choices=Subject.choices)
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    status_update = models.ForeignKey(
        "accountability.StatusUpdate", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    period_submission = models.ForeignKey(
        "accountability.PeriodSubmission", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    annual_review = models.ForeignKey(
        "contracts.AnnualReview", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(validators=[MaxLengthValidator(MAX_BODY)])
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.EVERYONE)
    needs_action = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_comments",
        help_text="Who must act on a needs-action comment.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = tenant_manager(CommentQuerySet)

    class TenantScope:
        state = "state"
        lead_partner = "zone__lead_partner"
        # Lead Partner staff never read state-only comments, nor comments on a review still in draft.
        lead_partner_when = ~Q(visibility=Visibility.STATE_STAFF) & (
            Q(annual_review__isnull=True) | Q(annual_review__status="issued")
        )
        collaborator = True
        # Collaborators read only comments open to everyone, on what they read (not status updates'
        # narratives nor reviews).
        collaborator_when = Q(visibility=Visibility.EVERYONE, status_update__isnull=True, annual_review__isnull=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["owner", "needs_action", "resolved_at"])]

    def __str__(self):
        return f"Comment by {self.author} on {self.get_subject_display().lower()}"

    def clean(self):
        """The thread's rules, whoever writes (the use case, the admin): the subject is named, a
        reply sits on its parent's subject and is never wider than it, and a comment has an owner
        exactly when it needs action. Who may read or post it is the use case's (comments.services)."""
        super().clean()
        errors = {}
        field = SUBJECT_FIELDS.get(self.subject)
        if field and getattr(self, f"{field}_id") is None:
            errors[field] = f"Name the {self.get_subject_display().lower()} the comment is on."
        parent = self.parent if self.parent_id else None
        if parent is not None and field:
            if parent.subject != self.subject or getattr(parent, f"{field}_id") != getattr(self, f"{field}_id"):
                errors["parent"] = "A reply sits on the same subject as the comment it answers."
            elif self.visibility in Visibility.values and Visibility(self.visibility).is_wider_than(parent.visibility):
                errors["visibility"] = (
                    f"A reply is never wider than the comment it answers ({parent.get_visibility_display()})."
                )
        if self.needs_action and self.owner_id is None:
            errors["owner"] = "Name who must act on a needs-action comment."
        elif self.owner_id is not None and not self.needs_action:
            errors["owner"] = "Only a needs-action comment has an owner."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        """A needs-action comment nobody has resolved yet."""
        return self.needs_action and self.resolved_at is None

    @property
    def visibility_level(self) -> Visibility:
        return Visibility(self.visibility)
