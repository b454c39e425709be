"""The event log and what each person is told of it.

An ``Event`` is one thing that happened (a status update posted, a period returned, an action item
assigned...), written once by the use case that did it (``events.emit``). A ``Notification`` is one
event for one recipient who reads its subject: the in-app inbox, and the mail's source. How it
reaches them is their ``Preference`` for that kind (a digest, at once, in the app only, or off),
taken when the notification is made. ``Watch`` rows say which schools, zones and states someone
follows. ``EmailDelivery`` logs every mail: what was sent to whom and when; its unique ``key`` is
claimed before the mail goes, so a retried task or a second worker sends nothing twice.

None of these are tenant rows: events are read by admins only (others read their notifications),
and notifications, preferences, watches and deliveries belong to one user (``OwnedQuerySet``),
whose inbox also stops showing what their scope no longer reaches.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.changes import TrackedModel
from core.tenancy import OwnedQuerySet, scope_of, viewer_manager

from .choices import Delivery, EventKind


class EventQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """The raw log is the initiative admin's; everyone else reads their own notifications."""
        return self if scope_of(user_or_scope).is_admin else self.none()


class Event(models.Model):
    """One thing that happened, where it happened (state, zone, school: for watches and scope) and
    what it is about (``subject``: each recipient must read it)."""

    Kind = EventKind

    kind = models.CharField(max_length=40, choices=EventKind.choices)
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    summary = models.CharField(max_length=300, editable=False)
    link = models.CharField(max_length=500, blank=True, editable=False, help_text="The page of the subject (a path).")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(auto_now_add=True)
    # One event per key: a periodic check (a period turning late, an item going overdue) that runs
    # twice, or a retried task, records it once.
    key = models.CharField(max_length=200, null=True, blank=True, unique=True, editable=False)

    objects = viewer_manager(EventQuerySet)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary}"

    @property
    def where(self) -> str:
        """The school, zone and state it happened in, most precise first ("" for the network's)."""
        return " · ".join(str(place) for place in (self.school, self.zone, self.state) if place is not None)


class NotificationQuerySet(OwnedQuerySet):
    owner_field = "recipient"

    def visible_to(self, user_or_scope):
        """The user's own notifications of events in the states they still reach (or the network's)."""
        scope = scope_of(user_or_scope)
        own = super().visible_to(scope)
        if scope.is_admin:
            return own
        return own.filter(Q(event__state__isnull=True) | Q(event__state__in=scope.reach_state_ids))

    def unread(self):
        return self.filter(read_at__isnull=True)


class EmailDelivery(models.Model):
    """One mail sent (or being sent): to whom, what, when; a digest carries several notifications."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cadence = models.CharField(
        max_length=20, choices=[(choice.value, choice.label) for choice in Delivery if choice.emailed]
    )
    # "notification:<id>" for an immediate mail, "digest:<cadence>:<user id>:<period start>" for a digest
    key = models.CharField(max_length=200, unique=True, editable=False)
    to_email = models.EmailField()
    subject = models.CharField(max_length=300, blank=True, editable=False)
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = viewer_manager(type("EmailDeliveryQuerySet", (OwnedQuerySet,), {"owner_field": "recipient"}))

    class Meta:
        ordering = ["-claimed_at", "-pk"]
        verbose_name_plural = "email deliveries"

    def __str__(self):
        return f"{self.subject or self.key} → {self.to_email}"


class Notification(TrackedModel):
    """One event for one recipient: a line in their inbox, and in a mail if they want one."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The mail that carried it (immediate or digest); None while it waits for one, or when none is due.
    email = models.ForeignKey(
        EmailDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    objects = viewer_manager(NotificationQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["event", "recipient"], name="one_notification_per_recipient")]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["delivery", "email"])]

    def __str__(self):
        return f"{self.event} → {self.recipient}"


class Preference(TrackedModel):
    """How one user wants to hear of one kind of event (none: ``EventKind.default_delivery``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    objects = viewer_manager(OwnedQuerySet)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} — {self.get_delivery_display()}"


class Watch(TrackedModel):
    """A user follows a school, a zone or a state: its events reach them (if they read them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey("zones.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = viewer_manager(OwnedQuerySet)

    TARGETS = ("state", "zone", "school")

    class Meta:
        ordering = ["user", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(state__isnull=False, zone__isnull=True, school__isnull=True)
                    | Q(state__isnull=True, zone__isnull=False, school__isnull=True)
                    | Q(state__isnull=True, zone__isnull=True, school__isnull=False)
                ),
                name="watch_exactly_one_target",
            ),
            *(
                models.UniqueConstraint(fields=["user", target], name=f"one_watch_per_{target}")
                for target in ("state", "zone", "school")
            ),
        ]

    def __str__(self):
        return f"{self.user} watches {self.target}"

    @property
    def target(self):
        return self.school or self.zone or self.state

    def clean(self):
        super().clean()
        if sum(getattr(self, f"{target}_id") is not None for target in self.TARGETS) != 1:
            raise ValidationError("A watch follows exactly one school, zone or state.")
