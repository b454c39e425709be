"""What change tracking keeps besides the stamps on each row (core.changes): the tombstones of
deleted rows that the deletes feed publishes."""

from django.db import models
from django.db.models import Q

from core.tenancy import TenantModel, TenantQuerySet, scope_of, tenant_manager


class TombstoneQuerySet(TenantQuerySet):
    def visible_to(self, user_or_scope):
        """As the deleted row was read: the state's people, its Lead Partners, engaged
        collaborators when they read that kind, its owner; a directory row's by every member."""
        scope = scope_of(user_or_scope)
        readable = super().visible_to(scope)
        if scope.is_admin or not scope.is_member:
            return readable
        return readable | self.filter(audience=Tombstone.Audience.DIRECTORY)


class Tombstone(TenantModel):
    """A deleted row, published by the deletes feed with its change version, its id and its natural
    key (``TrackedModel.natural_key_fields``), and readable by whoever could read the row (its
    state, Lead Partners, collaborator and owner as they were when it was deleted). Kept for
    ``CHANGES_TOMBSTONE_RETENTION``."""

    class Audience(models.TextChoices):
        TENANT = "tenant", "The state's readers"
        NETWORK = "network", "The whole network"
        DIRECTORY = "directory", "Every member"
        OWNER = "owner", "Its owner only"

    model = models.CharField(max_length=100, editable=False, help_text="app_label.model_name of the deleted row.")
    object_id = models.BigIntegerField()
    natural_key = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(help_text="When the row was deleted (set by the database).")
    change_version = models.BigIntegerField(default=0, db_index=True)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    state_id = models.BigIntegerField(null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    collaborators_read = models.BooleanField(default=False)

    objects = tenant_manager(TombstoneQuerySet)

    class TenantScope:
        state = "state_id"
        lead_partner = "readers__lead_partner_id"
        collaborator = True
        collaborator_when = Q(collaborators_read=True)
        network = True
        network_when = Q(audience="network")
        owner = "owner_id"
        multivalued = True

    class Meta:
        indexes = [models.Index(fields=["model", "change_version"])]

    def __str__(self):
        return f"{self.model} #{self.object_id} deleted"


class TombstoneReader(models.Model):
    """A Lead Partner whose staff read the deleted row (the row's ``TenantScope.lead_partner``)."""

    tombstone = models.ForeignKey(Tombstone, on_delete=models.CASCADE, related_name="readers")
    lead_partner_id = models.BigIntegerField()

    def __str__(self):
        return f"{self.tombstone} read by Lead Partner #{self.lead_partner_id}"


class PurgeHorizon(models.Model):
    """How far the deletes feed was purged (``changes.tombstones.purge_expired``): the highest
    change version and the latest deletion purged. A sync from before it may have missed
    deletes, so it is refused (410) and the client copies everything again. One row."""

    change_version = models.BigIntegerField(default=0)
    deleted_through = models.DateTimeField(help_text="The latest deletion purged.")

    def __str__(self):
        return f"Deletes purged through version {self.change_version}"

    @classmethod
    def current(cls):
        """(change version, deleted through) of the purge so far, or None before the first purge."""
        row = cls.objects.filter(pk=1).values_list("change_version", "deleted_through").first()
        return tuple(row) if row else None
