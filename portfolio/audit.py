"""A state's audit trail, read from the django-simple-history records of its tenant models: who
changed what and why, in words (field labels, choice labels, related objects by name, many-to-many
fields as the names added and removed, formatted dates; structured values never shown raw), a change
applied from a proposal with its proposer, approver and reason, filtered by kind of object, object
name, one object, person, date range and text.

One user action is one entry (``AuditAction``): the records one person wrote in one go (a zone save
writes the zone, its districts and each school it took in) are grouped, each object once.

A page costs a bounded number of queries whatever its size: one per model with history (the
streams), one per model for the previous versions, one per many-to-many history, one per related
model, one for proposals."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from heapq import merge

from django.apps import apps
from django.db.models import JSONField, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.timezone import get_current_timezone, localtime

from core.changes import STAMPED_FIELDS
from proposals.models import ChangeProposal
from proposals.services import proposal_id_of

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
HIDDEN_FIELDS = {"version", "created_at", *STAMPED_FIELDS}  # bookkeeping, not a change anyone made
PAGE_SIZE = 50
ONE_ACTION = timedelta(seconds=2)  # the most time between two records of one action (one request)


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


@dataclass(frozen=True)
class AuditAction:
    """One thing someone did: the objects it created, changed or deleted, each once."""

    when: datetime
    since: datetime  # its oldest record's time: where the next page starts
    who: object
    entries: list[AuditEntry]
    reason: str
    proposal: object

    @property
    def summary(self) -> str:
        """E.g. "zone changed, 4 schools changed": the kinds and actions of its entries, counted."""
        counts = defaultdict(int)
        for entry in self.entries:
            counts[(entry.kind, entry.action)] += 1
        return ", ".join(
            f"{count} {kind}s {action}" if count > 1 else f"{kind} {action}" for (kind, action), count in counts.items()
        )


@dataclass
class AuditFilter:
    kind: str = ""  # "app_label.model_name"
    name: str = ""  # part of the object's name (or of its school's or zone's name)
    object: str = ""  # "app_label.model_name:pk"
    person: str = ""  # part of the changer's name or email
    since: date | None = None  # changes on or after this day (the viewer's time zone)
    until: date | None = None  # changes on or before this day
    text: str = ""  # part of the reason given


@cache
def tenant_models_with_history() -> tuple:
    """Every tenant-owned model (it declares ``TenantScope``) that records history (read once: the
    history descriptor is costly to reach on every request)."""
    return tuple(model for model in apps.get_models() if hasattr(model, "TenantScope") and hasattr(model, "history"))


@cache
def _history_of(model):
    return model.history.model


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
    records = _history_of(model).objects.filter(**lookup)
    if filters.object:
        records = records.filter(id=filters.object.partition(":")[2])
    if filters.name:
        lookup = _name_lookup(model)
        if lookup is None:
            return None
        records = records.filter(**{f"{lookup}__icontains": filters.name})
    if filters.since:
        records = records.filter(history_date__gte=_day_start(filters.since))
    if filters.until:
        records = records.filter(history_date__lt=_day_start(filters.until + timedelta(days=1)))
    if filters.text:
        records = records.filter(history_change_reason__icontains=filters.text)
    if filters.person:
        person = filters.person
        records = records.filter(
            Q(history_user__email__icontains=person)
            | Q(history_user__first_name__icontains=person)
            | Q(history_user__last_name__icontains=person)
        )
    previous = _history_of(model).objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    return records.select_related("history_user").annotate(
        previous_id=Subquery(previous.order_by("-history_id").values("history_id")[:1])
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=get_current_timezone())


def _models(filters: AuditFilter):
    wanted = filters.kind or filters.object.partition(":")[0]
    models = tenant_models_with_history()
    return [model for model in models if model_key(model) == wanted] if wanted else models


def state_audit_trail(state, filters: AuditFilter | None = None, *, before=None, per_page: int = PAGE_SIZE):
    """Up to ``per_page`` actions on ``state`` and the objects it owns, newest first, that match
    ``filters`` and happened before ``before`` (a datetime; None: now); and where the next, older
    page starts (None: no older changes). Returns (actions, next_before).

    One query per model reads its newest records (as many as the page); they are merged,
    and only the records down to where the first full stream stops are certain to be complete."""
    filters = filters or AuditFilter()
    limit = per_page + 1  # a page may show fewer actions when they group records: the next goes on
    streams = []
    for model in _models(filters):
        records = _records(model, state, filters)
        if records is not None:
            if before is not None:
                records = records.filter(history_date__lt=before)
            streams.append(list(records.order_by("-history_date", "-history_id")[:limit]))
    full = [stream[-1].history_date for stream in streams if len(stream) == limit]
    latest = list(merge(*streams, key=lambda record: record.history_date, reverse=True))
    if full:  # older records of the other models may be missing below the first full stream's end
        latest = [record for record in latest if record.history_date >= max(full)]
    actions = _actions(latest, state)
    shown = actions[:per_page]
    more = len(actions) > per_page or bool(full)
    return shown, (shown[-1].since if more and shown else None)


def _actions(records, state) -> list[AuditAction]:
    """The records (newest first) grouped into actions, each object's versions in one entry."""
    previous = _previous_records(records)
    names = _related_names([*records, *previous.values()])
    members = _m2m_members([*records, *previous.values()])
    proposals = _proposals(records, state)
    groups = []
    for record in records:
        group = groups[-1] if groups else None
        if group is None or not _same_action(group, record, previous):
            groups.append([record])
        else:
            group.append(record)
    actions = []
    for group in groups:
        versions = defaultdict(list)  # object -> its records in the group, newest first
        for record in group:
            versions[(type(record), record.id)].append(record)
        entries = [
            _entry(newest[0], newest[-1], previous.get((type(newest[-1]), newest[-1].previous_id)), names, members)
            for newest in versions.values()
        ]
        reason = next((record.history_change_reason for record in group if record.history_change_reason), "")
        actions.append(
            AuditAction(
                when=group[0].history_date,
                since=group[-1].history_date,
                who=group[0].history_user,
                entries=entries,
                reason=reason,
                proposal=proposals.get(proposal_id_of(reason)),
            )
        )
    return actions


def _same_action(group, record, previous) -> bool:
    """Whether ``record`` (older than the group's) belongs to the group's action: the same person
    within moments, and not a second change of an object's fields already in it (the one save
    of an object writes one record with its fields; many-to-many changes add records without)."""
    last = group[-1]
    if record.history_user_id != last.history_user_id or last.history_date - record.history_date > ONE_ACTION:
        return False
    same_object = [other for other in group if type(other) is type(record) and other.id == record.id]
    return not same_object or not (
        _changes_fields(record, previous) and any(_changes_fields(other, previous) for other in same_object)
    )


def _changes_fields(record, previous) -> bool:
    if record.history_type != "~":
        return True
    before = previous.get((type(record), record.previous_id))
    return before is None or any(
        getattr(before, field.attname) != getattr(record, field.attname) for field in _shown_fields(type(record))
    )


def _shown_fields(history_model):
    return [
        field
        for field in history_model._meta.fields
        if not field.name.startswith("history_") and field.name not in HIDDEN_FIELDS and field.name != "id"
    ]


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


def _m2m_members(records) -> dict:
    """{(history model, history id, field name): the names of its many-to-many members then}: one
    query per many-to-many history."""
    wanted = defaultdict(set)
    for record in records:
        for field in getattr(type(record), "_history_m2m_fields", ()):
            wanted[(type(record), field)].add(record.history_id)
    found = defaultdict(set)
    for (history_model, field), ids in wanted.items():
        through = getattr(history_model, field.name).model
        target = field.m2m_reverse_field_name()  # the through row's link to the member
        rows = through.objects.filter(history_id__in=ids).select_related(target)
        for history_id in ids:
            found[(history_model, history_id, field.name)]  # a version without members has none
        for row in rows:
            member = getattr(row, target)  # by its name: its str() may read further rows
            found[(history_model, row.history_id, field.name)].add(str(getattr(member, "name", member)))
    return found


def _proposals(records, state) -> dict:
    ids = {proposal_id_of(record.history_change_reason) for record in records} - {None}
    if not ids:
        return {}
    found = ChangeProposal.objects.filter(state=state, pk__in=ids).select_related("proposed_by", "decided_by")
    return {proposal.pk: proposal for proposal in found}


def _entry(record, oldest, previous, names, members) -> AuditEntry:
    """The object's change from the version before ``oldest`` to ``record`` (its newest in the action)."""
    model = record.instance_type
    opts = model._meta
    changes = []
    created, deleted = oldest.history_type == "+", record.history_type == "-"
    if previous is not None and not deleted:
        for field in _shown_fields(type(record)):
            old, new = getattr(previous, field.attname), getattr(record, field.attname)
            if old != new:
                label = str(opts.get_field(field.name).verbose_name).capitalize()
                changes.append(FieldChange(label, _text(field, old, names), _text(field, new, names)))
    if (previous is not None or created) and not deleted:
        for field in getattr(type(record), "_history_m2m_fields", ()):
            old = members.get((type(previous), previous.history_id, field.name), set()) if previous else set()
            new = members.get((type(record), record.history_id, field.name), set())
            if old != new:
                label = str(field.verbose_name).capitalize()
                changes.append(FieldChange(label, _names(old), _names(new)))
    action = "created" if created else "deleted" if deleted else "changed"
    return AuditEntry(
        when=record.history_date,
        who=record.history_user,
        action=action,
        kind=str(opts.verbose_name),
        object_label=_label(record, names),
        object_key=f"{model_key(model)}:{record.id}",
        changes=changes,
        reason=record.history_change_reason or "",
        proposal=None,
    )


def _names(members) -> str:
    return ", ".join(sorted(members)) or "—"


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


def csv_rows(actions):
    """One row per changed field (one per object without field changes), for web.csv_export."""
    for action in actions:
        proposal = action.proposal
        reason = proposal.reason if proposal else action.reason
        who = [str(proposal.proposed_by or ""), str(proposal.decided_by or "")] if proposal else ["", ""]
        for entry in action.entries:
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
