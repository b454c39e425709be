"""Deleted rows become tombstones (changes.Tombstone), written in the deleting transaction from
``pre_delete``, which Django sends for every row a delete removes (cascades and ``QuerySet.delete()``
included), while the row and what it refers to can still be read."""

from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.signals import pre_delete
from django.utils import timezone
from django_scopes import scopes_disabled

from core.changes import TrackedModel
from core.tenancy import DirectoryQuerySet, OwnedQuerySet, TenantModel


def connect():
    for model in apps.get_models():
        if issubclass(model, TrackedModel):
            pre_delete.connect(record_delete, sender=model, dispatch_uid=f"changes.tombstone.{model._meta.label}")


def natural_key(instance) -> dict:
    """The row's ``natural_key_fields`` as a client names them (read from the database: paths)."""
    fields = type(instance).natural_key_fields
    if not fields:
        return {}
    row = type(instance)._base_manager.filter(pk=instance.pk).values(*fields.values()).first() or {}
    return {name: row.get(path) for name, path in fields.items()}


def readers(instance) -> dict:
    """Who read the row, as ``Tombstone``'s columns, and the Lead Partners among them."""
    model = type(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    queryset_class = model.objects._queryset_class if hasattr(model.objects, "_queryset_class") else None
    if issubclass(model, TenantModel):
        rules = model.TenantScope
        state_id = rows.values_list(rules.state, flat=True).first()
        partner_path = getattr(rules, "lead_partner", None)
        partners = set()
        if partner_path:
            partner_rows = rows.filter(getattr(rules, "lead_partner_when", Q()))
            partners = {pk for pk in partner_rows.values_list(partner_path, flat=True) if pk is not None}
        collaborators = (
            getattr(rules, "collaborator", False) and rows.filter(getattr(rules, "collaborator_when", Q())).exists()
        )
        owner_path = getattr(rules, "owner", None)
        audience = "tenant" if state_id is not None or not getattr(rules, "network", False) else "network"
        return {
            "audience": audience,
            "state_id": state_id,
            "owner_id": rows.values_list(owner_path, flat=True).first() if owner_path else None,
            "collaborators_read": bool(collaborators),
            "partners": partners,
        }
    if queryset_class is not None and issubclass(queryset_class, OwnedQuerySet):
        owner = rows.values_list(f"{queryset_class.owner_field}_id", flat=True).first()
        return {"audience": "owner", "owner_id": owner, "partners": set()}
    if queryset_class is not None and issubclass(queryset_class, DirectoryQuerySet):
        return {"audience": "directory", "partners": set()}
    return {"audience": "owner", "owner_id": None, "partners": set()}  # no reader: admins only


def record_delete(sender, instance, using, **kwargs):
    from changes.models import Tombstone, TombstoneReader

    with scopes_disabled():
        who = readers(instance)
        partners = who.pop("partners")
        tombstone = Tombstone._base_manager.using(using).create(
            model=sender._meta.label_lower,
            object_id=instance.pk,
            natural_key=natural_key(instance),
            updated_at=timezone.now(),
            **who,
        )
        TombstoneReader.objects.using(using).bulk_create(
            TombstoneReader(tombstone=tombstone, lead_partner_id=partner) for partner in sorted(partners)
        )


def retention() -> timedelta:
    return settings.CHANGES_TOMBSTONE_RETENTION


@transaction.atomic
def purge_expired(now=None) -> int:
    """Delete tombstones older than the retention period, moving the purge horizon past them (a
    sync from before it is refused: it would miss these deletes); returns how many."""
    from changes.models import PurgeHorizon, Tombstone

    cutoff = (now or timezone.now()) - retention()
    with scopes_disabled():
        expired = Tombstone._base_manager.filter(updated_at__lt=cutoff)
        reach = expired.aggregate(version=Max("change_version"), through=Max("updated_at"))
        if reach["version"] is None:
            return 0
        horizon, _ = PurgeHorizon.objects.select_for_update().get_or_create(
            pk=1, defaults={"change_version": 0, "deleted_through": reach["through"]}
        )
        horizon.change_version = max(horizon.change_version, reach["version"])
        horizon.deleted_through = max(horizon.deleted_through, reach["through"])
        horizon.save()
        deleted, _ = expired.delete()
    return deleted
