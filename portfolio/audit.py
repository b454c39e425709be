"""A state's audit trail, read from the django-simple-history records of its tenant models."""

from dataclasses import dataclass
from datetime import datetime
from heapq import merge

from django.apps import apps

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: object  # the user, or None for changes made outside a request (imports, scripts)
    action: str
    kind: str
    object_label: str
    changes: list[FieldChange]


def tenant_models_with_history():
    """Every tenant-owned model (it declares ``TenantScope``) that records history."""
    return [model for model in apps.get_models() if hasattr(model, "TenantScope") and hasattr(model, "history")]


def state_audit_trail(state, limit: int = 100) -> list[AuditEntry]:
    """The latest ``limit`` changes to ``state`` and the objects it owns, newest first, with the
    field-by-field differences from each object's previous version."""
    streams = []
    for model in tenant_models_with_history():
        path = model.TenantScope.state
        lookup = {"id": state.pk} if path == "pk" else {path: state.pk}
        records = model.history.model.objects.filter(**lookup).select_related("history_user")
        streams.append(records.order_by("-history_date", "-history_id")[:limit])
    latest = list(merge(*streams, key=lambda record: record.history_date, reverse=True))[:limit]
    return [_entry(record) for record in latest]


def _entry(record) -> AuditEntry:
    opts = record.instance_type._meta
    changes = []
    previous = record.prev_record if record.history_type == "~" else None
    if previous is not None:
        delta = record.diff_against(previous)
        changes = [
            FieldChange(opts.get_field(change.field).verbose_name, change.old, change.new) for change in delta.changes
        ]
    return AuditEntry(
        when=record.history_date,
        who=record.history_user,
        action=ACTIONS[record.history_type],
        kind=opts.verbose_name,
        object_label=str(record.instance),
        changes=changes,
    )
