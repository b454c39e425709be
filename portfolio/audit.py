"""A state's audit trail, read from the django-simple-history records of its tenant models: who
changed what and why, in words (field labels, choice labels, related objects by name, formatted
dates; structured values never shown raw), a change applied from a proposal with its proposer,
approver and reason, filtered by kind of object, object name, one object and person.

A page costs a bounded number of queries whatever its size: one per model with history (the
streams), one per model for the previous versions, one per related model, one for proposals."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from heapq import merge

from django.apps import apps
from django.db.models import JSONField, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.timezone import localtime

from core.changes import STAMPED_FIELDS
from proposals.models import ChangeProposal
from proposals.services import proposal_id_of

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
HIDDEN_FIELDS = {"version", "created_at", *STAMPED_FIELDS}  # bookkeeping, not a change anyone made
PAGE_SIZE = 50


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: object  # the user, or None for changes made outside a request (imports, scripts)
    action: str
    kind: str
    object_label: str
    object_key: str  # "app_label.model_name:pk", the object filter
    changes: list[FieldChange]
    reason: str
    proposal: object  # the ChangeProposal this change applied, or None


@dataclass
class AuditFilter:
    kind: str = ""  # "app_label.model_name"
    name: str = ""  # part of the object's name (or of its school's or zone's name)
    object: str = ""  # "app_label.model_name:pk"
    person: str = ""  # part of the changer's name or email


def tenant_models_with_history():
    """Every tenant-owned model (it declares ``TenantScope``) that records history."""
    return [model for model in apps.get_models() if hasattr(model, "TenantScope") and hasattr(model, "history")]


def model_key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def kind_choices() -> list[tuple[str, str]]:
    models = sorted(tenant_models_with_history(), key=lambda model: model._meta.verbose_name)
    return [(model_key(model), str(model._meta.verbose_name).capitalize()) for model in models]


def _name_lookup(model) -> str | None:
    """Where an object's name is searched: its own name, else its school's or zone's."""
    names = {field.name for field in model._meta.fields}
    for path, field in (("name", "name"), ("school__name", "school"), ("zone__name", "zone")):
        if field in names:
            return path
    return None


def _records(model, state, filters: AuditFilter):
    path = model.TenantScope.state
    lookup = {"id": state.pk} if path == "pk" else {path: state.pk}
    records = model.history.model.objects.filter(**lookup)
    if filters.object:
        records = records.filter(id=filters.object.partition(":")[2])
    if filters.name:
        lookup = _name_lookup(model)
        if lookup is None:
            return None
        records = records.filter(**{f"{lookup}__icontains": filters.name})
    if filters.person:
        person = filters.person
        records = records.filter(
            Q(history_user__email__icontains=person)
            | Q(history_user__first_name__icontains=person)
            | Q(history_user__last_name__icontains=person)
        )
    previous = model.history.model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    return records.select_related("history_user").annotate(
        previous_id=Subquery(previous.order_by("-history_id").values("history_id")[:1])
    )


def _models(filters: AuditFilter):
    wanted = filters.kind or filters.object.partition(":")[0]
    models = tenant_models_with_history()
    return [model for model in models if model_key(model) == wanted] if wanted else models


def state_audit_trail(state, filters: AuditFilter | None = None, *, page: int = 1, per_page: int = PAGE_SIZE):
    """The ``page``-th ``per_page`` changes to ``state`` and the objects it owns, newest first, that
    match ``filters``; and whether there are older ones. Returns (entries, has_more)."""
    filters = filters or AuditFilter()
    wanted = page * per_page + 1
    streams = []
    for model in _models(filters):
        records = _records(model, state, filters)
        if records is not None:
            streams.append(list(records.order_by("-history_date", "-history_id")[:wanted]))
    latest = list(merge(*streams, key=lambda record: record.history_date, reverse=True))
    shown = latest[(page - 1) * per_page : page * per_page]
    return _entries(shown, state), len(latest) > page * per_page


def _entries(records, state) -> list[AuditEntry]:
    previous = _previous_records(records)
    names = _related_names([*records, *previous.values()])
    proposals = _proposals(records, state)
    return [_entry(record, previous.get((type(record), record.previous_id)), names, proposals) for record in records]


def _previous_records(records) -> dict:
    """The version before each changed record by (history model, history id): one query per model."""
    wanted = defaultdict(set)
    for record in records:
        if record.history_type == "~" and record.previous_id:
            wanted[type(record)].add(record.previous_id)
    found = {}
    for history_model, ids in wanted.items():
        found.update({(history_model, r.history_id): r for r in history_model.objects.filter(history_id__in=ids)})
    return found


def _related_names(records) -> dict:
    """{(related model, pk): object} of every object the records refer to: one query per model."""
    wanted = defaultdict(set)
    for record in records:
        for field in _foreign_keys(type(record)):
            value = getattr(record, field.attname)
            if value is not None:
                wanted[field.related_model].add(value)
    found = {}
    for model, ids in wanted.items():
        found.update({(model, obj.pk): obj for obj in model._base_manager.filter(pk__in=ids)})
    return found


def _foreign_keys(model):
    return [
        field
        for field in model._meta.fields
        if field.many_to_one and not field.name.startswith("history_") and field.name != "instance"
    ]


def _proposals(records, state) -> dict:
    ids = {proposal_id_of(record.history_change_reason) for record in records} - {None}
    if not ids:
        return {}
    found = ChangeProposal.objects.filter(state=state, pk__in=ids).select_related("proposed_by", "decided_by")
    return {proposal.pk: proposal for proposal in found}


def _entry(record, previous, names, proposals) -> AuditEntry:
    model = record.instance_type
    opts = model._meta
    changes = []
    if previous is not None:
        for field in model.history.model._meta.fields:
            name = field.name
            if name.startswith("history_") or name in HIDDEN_FIELDS or name == "id":
                continue
            old, new = getattr(previous, field.attname), getattr(record, field.attname)
            if old != new:
                label = str(opts.get_field(name).verbose_name).capitalize()
                changes.append(FieldChange(label, _text(field, old, names), _text(field, new, names)))
    return AuditEntry(
        when=record.history_date,
        who=record.history_user,
        action=ACTIONS[record.history_type],
        kind=str(opts.verbose_name),
        object_label=_label(record, names),
        object_key=f"{model_key(model)}:{record.id}",
        changes=changes,
        reason=record.history_change_reason or "",
        proposal=proposals.get(proposal_id_of(record.history_change_reason)),
    )


def _label(record, names) -> str:
    """The object's text as of this version, its direct relations read from ``names`` (no query)."""
    instance = record.instance
    for field in _foreign_keys(type(instance)):
        related = names.get((field.related_model, getattr(instance, field.attname)))
        if related is not None:
            field.set_cached_value(instance, related)
    return str(instance)


def _text(field, value, names) -> str:
    """A stored value in words."""
    if value is None or value == "":
        return "—"
    if field.many_to_one:
        related = names.get((field.related_model, value))
        return str(related) if related is not None else f"{field.related_model._meta.verbose_name} (deleted)"
    if isinstance(field, JSONField) or isinstance(value, dict | list):
        return "(updated)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(localtime(value), "M j, Y H:i")
    if isinstance(value, date):
        return date_format(value, "M j, Y")
    return str(value)


CSV_ROWS = 5000  # the newest changes that match, at most
CSV_HEADER = [
    "When",
    "Who",
    "Kind",
    "Object",
    "Action",
    "Field",
    "Before",
    "After",
    "Reason",
    "Proposed by",
    "Approved by",
]


def csv_rows(entries):
    """One row per changed field (one per entry without field changes), for web.csv_export."""
    for entry in entries:
        proposal = entry.proposal
        reason = proposal.reason if proposal else entry.reason
        who = [str(proposal.proposed_by or ""), str(proposal.decided_by or "")] if proposal else ["", ""]
        head = [
            date_format(localtime(entry.when), "Y-m-d H:i"),
            str(entry.who or "system"),
            entry.kind,
            entry.object_label,
            entry.action,
        ]
        for change in entry.changes or [None]:
            fields = [change.field, change.old, change.new] if change else ["", "", ""]
            yield [*head, *fields, reason, *who]
