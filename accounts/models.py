"""Users, memberships (a role over a scope), invitations and named API tokens."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django_scopes import scopes_disabled

from core.credentials import hash_secret, new_secret
from core.tenancy import scope_of, viewer_manager


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users are identified by their email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in with an email address (no usernames)."""

    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @cached_property
    def scope(self):
        """What this user's memberships let them see and change (see accounts.scoping). Computed
        with the tenant wall off: a reach is decided from every membership and engagement."""
        from .scoping import scope_for_user

        with scopes_disabled():
            return scope_for_user(self)


class Role(models.TextChoices):
    INITIATIVE_ADMIN = "initiative_admin", "Initiative admin"
    STATE_LEAD = "state_lead", "State lead"
    STATE_VIEWER = "state_viewer", "State viewer"
    COMMISSIONER = "commissioner", "Commissioner"
    LEAD_PARTNER_STAFF = "lead_partner_staff", "Lead Partner staff"
    COLLABORATOR = "collaborator", "Collaborator"


STATE_ROLES = {Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER}


class RoleScopeMixin(models.Model):
    """A role and the one object it is held over: a state, a Lead Partner or a collaborator.

    Lead Partner staff may also carry a state: they then reach that partner's zones in that state
    only (what a state lead may grant). Without a state they reach the partner's zones in every
    state, which only an initiative admin grants; memberships made before states were recorded
    keep that meaning.
    """

    role = models.CharField(max_length=32, choices=Role.choices)
    state = models.ForeignKey("zones.State", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    lead_partner = models.ForeignKey(
        "partners.LeadPartner", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    collaborator = models.ForeignKey(
        "partners.NationalCollaborator", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        wanted = {
            "state": self.role in STATE_ROLES,
            "lead_partner": self.role == Role.LEAD_PARTNER_STAFF,
            "collaborator": self.role == Role.COLLABORATOR,
        }
        optional = {"state": self.role == Role.LEAD_PARTNER_STAFF}
        errors = {}
        for field, needed in wanted.items():
            has = getattr(self, f"{field}_id") is not None
            if needed and not has:
                errors[field] = f"A {self.get_role_display().lower()} role needs a {field.replace('_', ' ')}."
            elif has and not needed and not optional.get(field):
                errors[field] = (
                    f"A {self.get_role_display().lower()} role is not held over a {field.replace('_', ' ')}."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def scope_object(self):
        return self.lead_partner or self.state or self.collaborator

    def scope_label(self):
        if self.lead_partner and self.state:
            return f"{self.lead_partner} in {self.state}"
        return str(self.scope_object) if self.scope_object else "All states"


class MembershipQuerySet(models.QuerySet):
    """Who holds a role where: the people a use case tells or offers (reminders, notifications,
    a needs-action comment's owner), each rule written once."""

    def active(self):
        return self.filter(user__is_active=True)

    def state_leads(self, state):
        """The state leads of ``state``."""
        return self.filter(role=Role.STATE_LEAD, state=state)

    def lead_partner_staff(self, state, lead_partner_ids):
        """The staff of these Lead Partners whose membership reaches their zones in ``state``: bound
        to that state, or unbound (every state)."""
        return self.filter(
            Q(state__isnull=True) | Q(state=state), role=Role.LEAD_PARTNER_STAFF, lead_partner_id__in=lead_partner_ids
        )


class Membership(RoleScopeMixin):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "state"],
                condition=Q(state__isnull=False, lead_partner__isnull=True),
                name="unique_state_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "lead_partner"],
                condition=Q(lead_partner__isnull=False, state__isnull=True),
                name="unique_lead_partner_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "lead_partner", "state"],
                condition=Q(lead_partner__isnull=False, state__isnull=False),
                name="unique_lead_partner_in_state_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "collaborator"],
                condition=Q(collaborator__isnull=False),
                name="unique_collaborator_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(state__isnull=True, lead_partner__isnull=True, collaborator__isnull=True),
                name="unique_unscoped_membership",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.scope_label()})"


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """Only those who may manage an invitation see it: admins every one; a state lead those
        bound to their states (state roles, and Lead Partner staff bound to the state). Another
        state's invitations to a partner they share, and admins' unbound ones, stay hidden."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        return self.filter(state__in=scope.lead_state_ids)

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class InvitationStatus(models.TextChoices):
    """Where an invitation stands; its badge (``invitation-<value>`` in app.css) reads the value."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Invitation(RoleScopeMixin):
    """An invitation to join with one membership; the link expires and works once."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_accepted"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = viewer_manager(InvitationQuerySet)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} as {self.get_role_display()}"

    def issue_token(self) -> str:
        """Set a fresh secret and return it; only its hash is stored."""
        raw = new_secret()
        self.token_hash = hash_secret(raw)
        return raw

    @classmethod
    def find_by_token(cls, raw: str):
        """The invitation a link's token belongs to, or None: the token is the proof, so it is found
        whoever follows the link (the wall off)."""
        with scopes_disabled():
            return cls.objects.filter(token_hash=hash_secret(raw)).first()

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        return InvitationStatus.EXPIRED if self.is_expired else InvitationStatus.PENDING


class ApiToken(models.Model):
    """A named token for a REST client; it carries one of its holder's memberships."""

    PREFIX_LENGTH = 8

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    def issue_key(self) -> str:
        """Set a fresh key and return it once; only its prefix and hash are stored."""
        raw = new_secret()
        self.key_prefix = raw[: self.PREFIX_LENGTH]
        self.key_hash = hash_secret(raw)
        return raw

    @classmethod
    def hash_key(cls, raw: str) -> str:
        return hash_secret(raw)

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or timezone.now() < self.expires_at
