"""Importing schools, baselines, targets and measurements from a spreadsheet, and (state staff
only) the state's money: commitments, expenditures and zone budgets.

``preview_import`` reads and checks an upload and keeps it as a dry-run ``ImportBatch``: every
row is planned as create, update or skip (unchanged), and every problem is reported with its
row, column and reason. ``apply_import`` claims a dry run (one claim per batch, however many
clients ask at once; the others are refused with ``ApplyConflict``) and has it applied by a task
(imports.tasks; inline when Celery is eager): ``run_apply`` re-checks the kept file, counting the
rows it has checked on the batch, and writes the plan in one transaction together with the batch's
final status; if anything is wrong, nothing is written. Rows are matched on natural keys
(NCES id; school + metric; school + metric + school year + period; the money kinds' keys are their
importers'), so importing the same file twice changes nothing the second time. A rule that sums
rows (a commitment within its award, spending within what was received, a zone's budgets within
its committed money) counts the file's rows above each row (``Importer.count``), and is checked
again by the model's ``save()`` on the locked rows when the file is written.

The federal school directory (``ccd_directory``, imports.ccd) is a kind of two files and a school
year: ``plan_files`` hands them to its planner, whose rows are checked by ``plan_row`` and written
by ``_write`` like any import's.

``import_rows`` plans and writes at once, all or nothing: the API's bulk measurement upload (a
file or a JSON list) goes through the same reading, columns, formula rule, limits and checks, and
reports problems in the same ``{row, column, message}`` shape; a concurrent upload that recorded
some of the same rows first makes it plan again against them (``Plan.conflict`` if that keeps
happening). Measurements are written by
``accountability.recording.record_measurements``, the one use case behind every way to record one.
"""

import copy
import errno
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import rules
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accountability import progress as stored_progress
from accountability.models import Baseline, Measurement, Metric, Target
from accountability.recording import PeriodLocked, RecordedMeanwhile, locked_periods, period_key, record_measurements
from core.concurrency import DEADLOCK, UNIQUE_VIOLATION, lock_rows, sqlstate
from core.permissions import permission_name, write_action
from core.tenancy import reach_scope
from funding.models import Award, Budget, Commitment, Expenditure, Funder
from schools.models import GRADES, School
from zones.models import District, State, Zone, check_zone_sizes, lock_zones, zone_composition

from .models import ImportBatch, ImportScope
from .reading import (
    NO_VALUE_MARKS,
    XLSX_SIGNATURE,
    ImportFileError,
    Table,
    read_date,
    read_number,
    read_table,
    upload_bytes,
)

logger = logging.getLogger(__name__)

FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_REPORTED_ROWS = 2_000  # previewed rows kept in the summary (counts always cover every row)
MAX_REPORTED_ERRORS = 5_000
MAX_ID = 2**63 - 1  # ids beyond a bigint name no row (and would be a database error)
WRITE_BATCH_SIZE = 500
PROGRESS_EVERY = 1_000  # rows checked between two progress updates of an applying batch
WRITE_ATTEMPTS = 3  # plans of a bulk upload, when concurrent uploads keep taking its rows' keys first


def import_scopes_for(user) -> list[ImportScope]:
    """The states a user manages and, for Lead Partner staff, their Lead Partner in each state it works
    in that their membership reaches."""
    scopes = [ImportScope(state) for state in State.objects.editable_by(user)]
    scope = user.scope
    if scope.lead_partner_grants:
        zones = (
            Zone.objects.filter(lead_partner_id__in=scope.lead_partner_ids)
            .select_related("state", "lead_partner")
            .order_by("state__name", "lead_partner__name")
        )
        pairs = dict.fromkeys(
            (zone.state, zone.lead_partner)
            for zone in zones
            if scope.reaches_partner_in(zone.lead_partner_id, zone.state_id)
        )
        scopes += [ImportScope(state, partner) for state, partner in pairs]
    return scopes


class VisibleSchools:
    """The reach of the API's bulk upload: every school the user may see (each row's permission is
    still checked, as in an import)."""

    state = None
    lead_partner = None

    def schools(self, user):
        return School.objects.visible_to(user).select_related("district", "zone")

    def __str__(self):
        return "the schools you may see"


@dataclass
class PlannedRow:
    number: int
    action: str  # "create", "update" or "skip"
    label: str
    instance: object
    changes: dict = field(default_factory=dict)
    key: tuple = ()  # the row's natural key (the importer's ``key``)
    kinds: tuple = ()  # what it changes, for a directory import (imports.models.DirectoryChange)

    def as_dict(self) -> dict:
        row = {"row": self.number, "action": self.action, "key": self.label, "changes": self.changes}
        return {**row, "kinds": list(self.kinds)} if self.kinds else row


@dataclass
class Plan:
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    conflict: bool = False  # refused because concurrent writes kept taking its rows (retry later)

    def error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def summary(self) -> dict:
        counts = dict.fromkeys(("create", "update", "skip"), 0)
        for row in self.rows:
            counts[row.action] += 1
        counts["errors"] = len(self.errors)
        summary = {
            "counts": counts,
            "rows": [row.as_dict() for row in self.rows[:MAX_REPORTED_ROWS]],
            "errors": sorted(self.errors, key=lambda error: error["row"] or 0)[:MAX_REPORTED_ERRORS],
        }
        diff = Counter(kind for row in self.rows for kind in row.kinds)
        return {**summary, "diff": dict(diff)} if diff else summary


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


def _display(value) -> str:
    return "" if value is None else str(value)


def _number(text: str, column: str) -> Decimal:
    try:
        return read_number(text)
    except ValueError as error:
        raise RowProblem(column, str(error)) from error


def _whole_number(text: str, column: str) -> int:
    value = _number(text, column)
    if value != value.to_integral_value():
        raise RowProblem(column, f"“{text}” is not a whole number.")
    return int(value)


def _choice(text: str, choices, column: str) -> str:
    """A choice given by its value or its label, in any case."""
    for value, label in choices:
        if text.lower() in (str(value).lower(), str(label).lower()):
            return value
    allowed = ", ".join(str(value) for value, _label in choices)
    raise RowProblem(column, f"“{text}” is not one of: {allowed}.")


class Importer:
    """What one kind of import reads, how it finds the existing row and builds the object."""

    model = None
    columns: dict[str, bool] = {}  # column name -> required
    alternatives: dict[str, str] = {}  # an optional column that may stand in for a required one
    key_columns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # fields an import sets (and an update may change)
    field_columns: dict[str, str] = {}  # model field -> column, where they differ

    for_lead_partners = True  # Lead Partner staff may import it for the schools their Lead Partner supports

    def __init__(self, user, scope: ImportScope):
        self.user = user
        self.scope = scope

    def prepare(self, rows: list[dict]) -> None:
        """Load everything the rows refer to in a few queries."""

    def build(self, cells: dict) -> tuple:
        """(object with the row's values, the existing object it updates or None). The existing
        object is never modified: an update is a copy of it."""
        raise NotImplementedError

    def key(self, instance) -> tuple:
        raise NotImplementedError

    def count(self, planned: PlannedRow) -> None:
        """Check a row that creates or updates against the file's rows planned above it (a running
        total) and count it; RowProblem when they do not fit together."""

    def permission(self, instance) -> str:
        return permission_name(self.model, write_action(instance))

    def column_of(self, field_name: str) -> str:
        return self.field_columns.get(field_name, field_name)

    def key_names(self, values: dict) -> tuple[str, ...]:
        """The columns that give the row's key."""
        return self.key_columns

    def label(self, values: dict) -> str:
        """The row's key as the file gives it, e.g. ``0800001 · ela · 2010-11 · 1``."""
        return " · ".join(values.get(column, "") for column in self.key_names(values))

    @classmethod
    def save(cls, created: list, updated: list, user, reason: str) -> None:
        history = {"default_user": user, "default_change_reason": reason}
        if created:
            bulk_create_with_history(created, cls.model, batch_size=WRITE_BATCH_SIZE, **history)
        if updated:
            bulk_update_with_history(updated, cls.model, list(cls.fields), batch_size=WRITE_BATCH_SIZE, **history)


class SchoolImporter(Importer):
    model = School
    columns = {
        "nces_id": True,
        "name": True,
        "district_nces_lea_id": True,
        "lowest_grade": True,
        "highest_grade": True,
        "enrollment": True,
        "zone": False,
        "improvement_tier": False,
        "turnaround_status": False,
    }
    key_columns = ("nces_id",)
    fields = (
        "name",
        "district",
        "zone",
        "lowest_grade",
        "highest_grade",
        "enrollment",
        "improvement_tier",
        "turnaround_status",
    )
    field_columns = {"district": "district_nces_lea_id"}

    def prepare(self, rows):
        nces_ids = {row["nces_id"] for row in rows}
        lea_ids = {row["district_nces_lea_id"] for row in rows}
        zone_names = {row.get("zone", "").lower() for row in rows} - {""}
        self.taken = set(School.objects.filter(nces_id__in=nces_ids).values_list("nces_id", flat=True))
        self.in_scope = {s.nces_id: s for s in self.scope.schools(self.user).filter(nces_id__in=nces_ids)}
        districts = District.objects.visible_to(self.user).filter(state=self.scope.state, nces_lea_id__in=lea_ids)
        self.districts = {d.nces_lea_id: d for d in districts.select_related("state")}
        zones = Zone.objects.visible_to(self.user).filter(state=self.scope.state)
        self.zones = {z.name.lower(): z for z in zones if z.name.lower() in zone_names}

    def build(self, cells):
        nces_id = cells["nces_id"]
        existing = self.in_scope.get(nces_id)
        if existing is None and nces_id in self.taken:
            # The message of any duplicate NCES id (pages, API): nothing tells whose school it is.
            duplicate = School(nces_id=nces_id).unique_error_message(School, ["nces_id"])
            raise RowProblem("nces_id", duplicate.messages[0])
        district = self.districts.get(cells["district_nces_lea_id"])
        if district is None:
            raise RowProblem(
                "district_nces_lea_id",
                f"No district with NCES LEA id {cells['district_nces_lea_id']} in {self.scope.state}.",
            )
        school = copy.copy(existing) if existing else School(nces_id=nces_id)
        school.district = district
        school.name = cells["name"]
        school.lowest_grade = _choice(cells["lowest_grade"], GRADES, "lowest_grade")
        school.highest_grade = _choice(cells["highest_grade"], GRADES, "highest_grade")
        school.enrollment = _whole_number(cells["enrollment"], "enrollment")
        if cells.get("zone"):
            zone = self.zones.get(cells["zone"].lower())
            if zone is None:
                raise RowProblem("zone", f"No zone named “{cells['zone']}” in {self.scope.state}.")
            school.zone = zone
        if cells.get("improvement_tier"):
            tiers = School.ImprovementTier.choices
            school.improvement_tier = _choice(cells["improvement_tier"], tiers, "improvement_tier")
        if cells.get("turnaround_status"):
            statuses = School.TurnaroundStatus.choices
            school.turnaround_status = _choice(cells["turnaround_status"], statuses, "turnaround_status")
        return school, existing

    def key(self, school):
        return (school.nces_id,)

    @classmethod
    def save(cls, created, updated, user, reason):
        """Schools an import moves keep every zone they join or leave at its size (3–5 once
        launched): the zones are locked and their sizes checked on the result of the whole file, as
        ``zones.models.zone_composition`` does for a zone saved with its schools. Each updated school
        gets a new version, so an edit page opened before the import cannot save over it."""
        updated_pks = [school.pk for school in updated]
        with zone_composition({school.zone_id for school in [*created, *updated]}, field="zone"):
            left = set(School._base_manager.filter(pk__in=updated_pks).values_list("zone_id", flat=True))
            lock_zones(left)
            check_zone_sizes(left, field="zone")  # inside the composition: checked on the result
            with stored_progress.refreshing():  # bulk writes send no signals: new and moved schools' progress
                super().save(created, updated, user, reason)
                stored_progress.touch(school.pk for school in [*created, *updated])
            School._base_manager.filter(pk__in=updated_pks).update(version=F("version") + 1)


class SchoolMetricImporter(Importer):
    """Baselines, targets and measurements: a value for a school and a metric. The school is named
    by its NCES id (``nces_id``) or its id here (``school``); the metric by its code, name or id."""

    @classmethod
    def save(cls, created, updated, user, reason):
        """Bulk writes send no signals: the file's schools' progress is refreshed once, at the end."""
        with stored_progress.refreshing():
            super().save(created, updated, user, reason)
            stored_progress.touch(value.school_id for value in [*created, *updated])

    alternatives = {"school": "nces_id"}
    field_columns = {"school": "nces_id"}

    def prepare(self, rows):
        nces_ids = {row.get("nces_id") for row in rows} - {"", None}
        ids = {int(row["school"]) for row in rows if _is_id(row.get("school", ""))}
        schools = self.scope.schools(self.user).filter(Q(nces_id__in=nces_ids) | Q(pk__in=ids))
        self.schools = {}
        for school in schools:
            self.schools[("nces_id", school.nces_id)] = school
            self.schools[("school", str(school.pk))] = school
        # The catalog and the import's state's own indicators: another state's code is unknown here.
        state = self.scope.state
        metrics = list(Metric.objects.for_state(state) if state else Metric.objects.visible_to(self.user))
        self.metrics = {str(metric.pk): metric for metric in metrics}
        for metric in metrics:  # after the ids: a code or name that reads like an id names its own metric
            self.metrics[metric.code.lower()] = metric
            self.metrics[metric.name.lower()] = metric
        existing = self.existing_rows(rows).select_related("school__district", "school__zone", "metric")
        self.existing = {self.key(obj): obj for obj in existing}

    def existing_rows(self, rows):
        return self.model.objects.filter(school__in=set(self.schools.values()))

    def key_names(self, values):
        """A row that names its school by id alone is keyed by that column."""
        return self.key_columns if values.get("nces_id") else ("school", *self.key_columns[1:])

    def school_of(self, cells):
        """The row's school, by NCES id or id (both given: they must agree)."""
        found = {}
        for column in ("nces_id", "school"):
            if cells.get(column):
                text = str(int(cells[column])) if column == "school" and _is_id(cells[column]) else cells[column]
                found[column] = self.schools.get((column, text))
                if found[column] is None:
                    name = "NCES id" if column == "nces_id" else "id"
                    raise RowProblem(column, f"No school with {name} {cells[column]} in your scope ({self.scope}).")
        if len(set(found.values())) > 1:
            raise RowProblem("school", "The NCES id and the school id name different schools.")
        return next(iter(found.values()))

    def build(self, cells):
        school = self.school_of(cells)
        metric = self.metrics.get(cells["metric"].lower())
        if metric is None or metric.state_error(school):
            raise RowProblem("metric", f"Unknown metric “{cells['metric']}”: use a metric code, name or id.")
        value = _number(cells["value"], "value")
        instance = self.model(school=school, metric=metric, value=value)
        self.set_key_fields(instance, cells)
        existing = self.existing.get(self.key(instance))
        if existing is not None:
            instance = copy.copy(existing)
            instance.value = value
        self.set_fields(instance, cells)
        return instance, existing

    def set_key_fields(self, instance, cells) -> None:
        """Key fields beyond school and metric."""

    def set_fields(self, instance, cells) -> None:
        """Fields beyond the key and the value."""
        if cells.get("source"):
            instance.source = cells["source"]


class BaselineImporter(SchoolMetricImporter):
    model = Baseline
    columns = {"nces_id": True, "school": False, "metric": True, "school_year": True, "value": True, "source": False}
    key_columns = ("nces_id", "metric")
    fields = ("school_year", "value", "source")

    def key(self, baseline):
        return (baseline.school_id, baseline.metric_id)

    def set_fields(self, baseline, cells):
        super().set_fields(baseline, cells)
        baseline.school_year = cells["school_year"]


class TargetImporter(SchoolMetricImporter):
    model = Target
    columns = {"nces_id": True, "school": False, "metric": True, "target_school_year": True, "value": True}
    key_columns = ("nces_id", "metric")
    fields = ("target_school_year", "value")

    def key(self, target):
        return (target.school_id, target.metric_id)

    def set_fields(self, target, cells):
        target.target_school_year = cells["target_school_year"]


class MeasurementImporter(SchoolMetricImporter):
    model = Measurement
    columns = {
        "nces_id": True,
        "school": False,
        "metric": True,
        "school_year": True,
        "period": True,
        "value": True,
        "source": False,
    }
    key_columns = ("nces_id", "metric", "school_year", "period")
    fields = ("value", "source")

    def key(self, measurement):
        return (measurement.school_id, measurement.metric_id, measurement.school_year, measurement.period)

    def existing_rows(self, rows):
        return super().existing_rows(rows).filter(school_year__in={row["school_year"] for row in rows})

    def prepare(self, rows):
        super().prepare(rows)
        self.locked = locked_periods(set(self.schools.values()))

    def set_key_fields(self, measurement, cells):
        measurement.school_year = cells["school_year"]
        measurement.period = int(_choice(cells["period"], Measurement.Period.choices, "period"))

    def build(self, cells):
        """A row that would change a submitted or approved period is refused with the reason (the
        write checks the period again under its lock)."""
        measurement, existing = super().build(cells)
        locked = self.locked.get(period_key(measurement))
        changes = existing is None or any(getattr(existing, name) != getattr(measurement, name) for name in self.fields)
        if locked is not None and changes:
            raise RowProblem("period", PeriodLocked(locked).messages[0])
        return measurement, existing

    @classmethod
    def save(cls, created, updated, user, reason):
        record_measurements(user, [*created, *updated], reason=reason)


def _money(text: str, column: str) -> Decimal:
    """An amount in dollars, also as spreadsheets format it (“$250,000.00”)."""
    return _number(text.replace("$", "").replace(",", ""), column)


def _date(text: str, column: str):
    try:
        return read_date(text)
    except ValueError as error:
        raise RowProblem(column, str(error)) from error


FISCAL_YEAR = re.compile(r"(?:FY\s*)?(\d{4})", re.IGNORECASE)


def _fiscal_year(text: str, column: str) -> int:
    """A fiscal year as ``2011`` or ``FY2011`` (named by the year it ends in)."""
    match = FISCAL_YEAR.fullmatch(text.strip())
    if match is None:
        raise RowProblem(column, f"“{text}” is not a fiscal year: write 2011 or FY2011 (July 2010 – June 2011).")
    return int(match.group(1))


def _by_name_or_id(objects) -> dict:
    """Objects by their id and by their name in lower case (see ``_named``)."""
    found = {str(obj.pk): obj for obj in objects}
    found.update({obj.name.lower(): obj for obj in objects})
    return found


def _named(found: dict, text: str):
    """The object a cell names by name (any case) or id; a name that reads like an id names its own object."""
    return found.get(text.lower()) or (found.get(str(int(text))) if _is_id(text) else None)


class StateMoneyImporter(Importer):
    """Commitments, expenditures and zone budgets: the state's money, imported by state staff for
    their state (never by a Lead Partner). Each row is checked with the model's rules and, by
    ``count``, with the file's rows above it on the same money (an award, a commitment, a zone).

    Rows are saved one by one through the model's ``save()``, after the rows it guards are locked
    in pk order (``locked``): its guard runs again there, so money taken between the check and the
    write (another commitment on the award, another expenditure) fails the import, nothing written."""

    for_lead_partners = False
    locked = None  # (model, field of the row naming its locked row)

    def prepare(self, rows):
        self.zones = _by_name_or_id(Zone.objects.visible_to(self.user).filter(state=self.scope.state))

    def zone_of(self, cells):
        zone = _named(self.zones, cells["zone"])
        if zone is None:
            raise RowProblem("zone", f"No zone named “{cells['zone']}” (or with that id) in {self.scope.state}.")
        return zone

    def key_names(self, values):
        return tuple(column for column in self.key_columns if values.get(column))

    @staticmethod
    def refuse(problem: str | None, already) -> None:
        """Refuse the row with the model's ``problem`` on its amount, saying what the rows above take first."""
        if problem:
            earlier = f" Rows above in this file take ${already:,.2f} of it first." if already else ""
            raise RowProblem("amount", f"{problem}{earlier}")

    @classmethod
    def save(cls, created, updated, user, reason):
        model, field_name = cls.locked
        lock_rows(model, {getattr(obj, field_name) for obj in [*created, *updated]})
        for obj in [*cls.in_saving_order(updated), *created]:
            obj._history_user = user
            obj._change_reason = reason
            obj.save()

    @classmethod
    def in_saving_order(cls, updated: list) -> list:
        return updated


class CommitmentImporter(StateMoneyImporter):
    """New commitments to the state or one of its zones. A row that repeats a recorded commitment
    (same funder, zone, award, pledge date and amount) is skipped, so a file imported twice records
    nothing twice; one that differs from it otherwise is refused: a recorded commitment moves on
    (its status, with a reason) on its own page."""

    model = Commitment
    locked = (Award, "award_id")
    columns = {
        "funder": True,
        "level": True,
        "zone": False,
        "award": False,
        "amount": True,
        "status": False,
        "pledged_on": True,
        "committed_on": False,
        "received_on": False,
        "period_start": True,
        "period_end": True,
        "description": False,
    }
    key_columns = ("funder", "zone", "award", "pledged_on", "amount")
    fields = (
        "funder",
        "recipient_level",
        "zone",
        "award",
        "amount",
        "status",
        "pledged_on",
        "committed_on",
        "received_on",
        "period_start",
        "period_end",
        "description",
    )
    field_columns = {"recipient_level": "level"}
    LEVELS = [(level, label) for level, label in Commitment.RecipientLevel.choices if level != "initiative"]
    STATUSES = [(status, label) for status, label in Commitment.Status.choices if status in Commitment.LIVE_STATUSES]

    def prepare(self, rows):
        super().prepare(rows)
        state = self.scope.state
        self.funders = _by_name_or_id(Funder.objects.select_related("state"))
        awards = Award.objects.visible_to(self.user).filter(state=state).select_related("funder", "state")
        self.awards = _by_name_or_id(awards)
        recorded = Commitment.objects.visible_to(self.user).filter(state=state)
        recorded = recorded.select_related("funder", "award", "zone")
        self.recorded = {self.key(commitment): commitment for commitment in recorded}
        self.taken = {}  # award id -> what the file's rows above take of it

    def build(self, cells):
        state = self.scope.state
        funder = _named(self.funders, cells["funder"])
        if funder is None:
            raise RowProblem("funder", f"No funder named “{cells['funder']}” (or with that id).")
        commitment = Commitment(
            funder=funder,
            initiative_id=state.initiative_id,
            state=state,
            recipient_level=_choice(cells["level"], self.LEVELS, "level"),
            amount=_money(cells["amount"], "amount"),
            status=_choice(cells.get("status") or Commitment.Status.PLEDGED, self.STATUSES, "status"),
            pledged_on=_date(cells["pledged_on"], "pledged_on"),
            period_start=_date(cells["period_start"], "period_start"),
            period_end=_date(cells["period_end"], "period_end"),
            description=cells.get("description", ""),
        )
        for column in ("committed_on", "received_on"):
            if cells.get(column):
                setattr(commitment, column, _date(cells[column], column))
        if cells.get("zone"):
            commitment.zone = self.zone_of(cells)
        if cells.get("award"):
            commitment.award = _named(self.awards, cells["award"])
            if commitment.award is None:
                raise RowProblem("award", f"No award named “{cells['award']}” (or with that id) to {state}.")
        recorded = self.recorded.get(self.key(commitment))
        if recorded is None:
            return commitment, None
        differ = [self.column_of(name) for name in self.fields if getattr(recorded, name) != getattr(commitment, name)]
        if differ:
            raise RowProblem(
                ", ".join(differ),
                f"Commitment #{recorded.pk} ({recorded}) is recorded with this funder, zone, award, pledge date and "
                f"amount but another {', '.join(differ)}; change it on its page, not by import.",
            )
        return recorded, recorded

    def key(self, commitment):
        return (
            commitment.funder_id,
            commitment.zone_id,
            commitment.award_id,
            commitment.pledged_on,
            commitment.amount,
        )

    def count(self, planned):
        """Commitments of the file on one award together stay within what it has left."""
        commitment = planned.instance
        if commitment.award_id is None:
            return
        already = self.taken.get(commitment.award_id, Decimal(0))
        self.refuse(commitment.award_error(commitment.award, already), already)
        self.taken[commitment.award_id] = already + commitment.amount


class ExpenditureImporter(StateMoneyImporter):
    """New expenditures in the state's zones. The commitment is named by its id (``commitment``) or
    by its funder and the day it was pledged (``funder`` + ``commitment_pledged_on``: the one live
    commitment of that funder pledged that day in the state). A row that repeats a recorded
    expenditure in every value is skipped (a file imported twice records nothing twice)."""

    model = Expenditure
    locked = (Commitment, "commitment_id")
    columns = {
        "commitment": True,
        "funder": False,
        "commitment_pledged_on": False,
        "zone": True,
        "nces_id": False,
        "category": True,
        "amount": True,
        "spent_on": True,
        "description": False,
    }
    alternatives = {"funder": "commitment", "nces_id": "zone"}
    key_columns = ("commitment", "funder", "commitment_pledged_on", "zone", "nces_id", "category", "spent_on", "amount")
    fields = ("commitment", "zone", "school", "category", "amount", "spent_on", "description")
    field_columns = {"school": "nces_id"}

    def prepare(self, rows):
        super().prepare(rows)
        state = self.scope.state
        commitments = list(
            Commitment.objects.visible_to(self.user).filter(state=state).select_related("funder", "zone", "state")
        )
        self.commitments = {str(commitment.pk): commitment for commitment in commitments}
        self.pledged = {}  # (funder name, pledge date) -> its live commitments in the state
        for commitment in commitments:
            if not commitment.is_withdrawn:
                self.pledged.setdefault((commitment.funder.name.lower(), commitment.pledged_on), []).append(commitment)
        nces_ids = {row.get("nces_id") for row in rows} - {"", None}
        schools = self.scope.schools(self.user).filter(nces_id__in=nces_ids)
        self.schools = {school.nces_id: school for school in schools}
        recorded = Expenditure.objects.visible_to(self.user).live().filter(state=state)
        self.recorded = {self.key(expenditure): expenditure for expenditure in recorded}
        self.spent = {}  # commitment id -> what the file's rows above spend of it

    def commitment_of(self, cells):
        state = self.scope.state
        if cells.get("commitment"):
            text = cells["commitment"].removeprefix("#")
            commitment = self.commitments.get(str(int(text))) if _is_id(text) else None
            if commitment is None:
                raise RowProblem("commitment", f"No commitment #{text} in {state}.")
            return commitment
        if not cells.get("commitment_pledged_on"):
            raise RowProblem(
                "commitment_pledged_on",
                "Name the commitment by its id (“commitment”), or by its funder and the day it was pledged "
                "(“commitment_pledged_on”).",
            )
        day = _date(cells["commitment_pledged_on"], "commitment_pledged_on")
        found = self.pledged.get((cells["funder"].lower(), day), [])
        if len(found) != 1:
            what = "No live commitment" if not found else f"{len(found)} commitments"
            raise RowProblem(
                "funder",
                f"{what} of “{cells['funder']}” pledged on {day} in {state}; name the commitment by its id.",
            )
        return found[0]

    def build(self, cells):
        expenditure = Expenditure(
            commitment=self.commitment_of(cells),
            category=_choice(cells["category"], Expenditure.Category.choices, "category"),
            amount=_money(cells["amount"], "amount"),
            spent_on=_date(cells["spent_on"], "spent_on"),
            description=cells.get("description", ""),
        )
        if cells.get("nces_id"):
            expenditure.school = self.schools.get(cells["nces_id"])
            if expenditure.school is None:
                raise RowProblem("nces_id", f"No school with NCES id {cells['nces_id']} in {self.scope.state}.")
        expenditure.zone = self.zone_of(cells) if cells.get("zone") else expenditure.school.zone
        expenditure.state = self.scope.state
        recorded = self.recorded.get(self.key(expenditure))
        return (recorded, recorded) if recorded else (expenditure, None)

    def key(self, expenditure):
        """Every value: only a row repeating a recorded expenditure in all of them is that expenditure."""
        e = expenditure
        return (e.commitment_id, e.zone_id, e.school_id, e.category, e.amount, e.spent_on, e.description)

    def count(self, planned):
        """Expenditures of the file from one commitment together stay within what it received."""
        expenditure = planned.instance
        already = self.spent.get(expenditure.commitment_id, Decimal(0))
        self.refuse(expenditure.overspending_error(expenditure.commitment, already), already)
        self.spent[expenditure.commitment_id] = already + expenditure.amount


class BudgetImporter(StateMoneyImporter):
    """A zone's budget line per fiscal year and category, created or updated (a blank ``notes``
    keeps the line's notes). Each row keeps the zone's lines within the money committed to it: with
    its recorded lines (an updated line's old amount replaced) and with the file's rows above it."""

    model = Budget
    locked = (Zone, "zone_id")
    columns = {"zone": True, "fiscal_year": True, "category": True, "amount": True, "notes": False}
    key_columns = ("zone", "fiscal_year", "category")
    fields = ("amount", "notes")

    def prepare(self, rows):
        super().prepare(rows)
        lines = Budget.objects.visible_to(self.user).filter(state=self.scope.state).select_related("zone")
        self.existing = {self.key(line): line for line in lines}
        self.added = {}  # zone id -> what the file's rows above add to its budgets

    def build(self, cells):
        zone = self.zone_of(cells)
        budget = Budget(
            zone=zone,
            state=self.scope.state,
            fiscal_year=_fiscal_year(cells["fiscal_year"], "fiscal_year"),
            category=_choice(cells["category"], Expenditure.Category.choices, "category"),
        )
        existing = self.existing.get(self.key(budget))
        if existing is not None:
            budget = copy.copy(existing)
        budget.amount = _money(cells["amount"], "amount")
        if cells.get("notes") or existing is None:
            budget.notes = cells.get("notes", "")
        return budget, existing

    def key(self, budget):
        return (budget.zone_id, budget.fiscal_year, budget.category)

    def count(self, planned):
        """A zone's lines in the file, with its other lines, stay within the money committed to it."""
        budget = planned.instance
        existing = self.existing.get(planned.key)
        change = budget.amount - (existing.amount if existing else 0)
        already = self.added.get(budget.zone_id, Decimal(0))
        self.refuse(budget.available_error(already), max(already, 0))
        self.added[budget.zone_id] = already + change

    @classmethod
    def in_saving_order(cls, updated):
        """Lowered lines first: the file's total fits, but the lines it raises may fit only once
        the lines it lowers are saved."""
        stored = dict(Budget._base_manager.filter(pk__in=[line.pk for line in updated]).values_list("pk", "amount"))
        return sorted(updated, key=lambda line: line.amount - stored[line.pk])


IMPORTERS = {
    ImportBatch.Kind.SCHOOLS: SchoolImporter,
    ImportBatch.Kind.BASELINES: BaselineImporter,
    ImportBatch.Kind.TARGETS: TargetImporter,
    ImportBatch.Kind.MEASUREMENTS: MeasurementImporter,
    ImportBatch.Kind.COMMITMENTS: CommitmentImporter,
    ImportBatch.Kind.EXPENDITURES: ExpenditureImporter,
    ImportBatch.Kind.BUDGETS: BudgetImporter,
}


def importer_for(kind: str) -> type[Importer]:
    """The importer of a kind: one of ``IMPORTERS`` (a file of rows), or the federal directory's."""
    if kind == ImportBatch.Kind.CCD_DIRECTORY:
        from .ccd import DirectoryImporter  # the directory's module builds on this one

        return DirectoryImporter
    return IMPORTERS[kind]


def kind_error(kind: str, scope) -> str | None:
    """Why ``kind`` cannot be imported for ``scope``, or None: money and the directory are the
    state's, imported by state staff for their state; Lead Partner staff import their schools' data only."""
    if scope.lead_partner is not None and not importer_for(kind).for_lead_partners:
        return f"{ImportBatch.Kind(kind).label} are imported by state staff for their state, not for {scope}."
    return None


def _column_name(header_cell: str) -> str:
    return header_cell.strip().lower().replace(" ", "_").replace("-", "_")


def _stand_ins(importer, name: str) -> list[str]:
    return [alternative for alternative, stands_in in importer.alternatives.items() if stands_in == name]


def _check_header(importer, table: Table, plan: Plan) -> list[str]:
    header, row = table.header, table.header_row
    names = [_column_name(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    seen = set()
    for position, name in enumerate(names, start=1):
        if not name:
            plan.error(row, f"column {position}", "This column has no name.")
        elif name not in importer.columns:
            expected = ", ".join(importer.columns)
            plan.error(row, name, f"Unknown column “{header[position - 1].strip()}”. The columns are: {expected}.")
        elif name in seen:
            plan.error(row, name, f"The column “{name}” appears twice.")
        seen.add(name)
    for name, required in importer.columns.items():
        stand_ins = _stand_ins(importer, name)
        if required and name not in seen and not seen.intersection(stand_ins):
            either = "".join(f" (or “{stand_in}”)" for stand_in in stand_ins)
            plan.error(row, name, f"The required column “{name}”{either} is missing.")
    return names


def _row_cells(names: list[str], number: int, cells: list[str], importer, plan: Plan) -> dict | None:
    """The row as {column: text}, or None after reporting why it cannot be read."""
    problems = len(plan.errors)
    extra = [cell for cell in cells[len(names) :] if cell.strip()]
    if extra:
        plan.error(number, "", f"The row has {len(names) + len(extra)} cells but the header names {len(names)}.")
    values = {}
    for name, cell in zip(names, cells, strict=False):
        text = cell.strip()
        if text.startswith(FORMULA_PREFIXES) and not _is_number(text) and text.lower() not in NO_VALUE_MARKS:
            plan.error(number, name, "This cell holds a formula; enter the value itself.")
        values[name] = text
    for name, is_required in importer.columns.items():
        if is_required and not values.get(name) and not any(values.get(alt) for alt in _stand_ins(importer, name)):
            plan.error(number, name, "This value is required.")
    return values if len(plan.errors) == problems else None


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


def plan_import(kind: str, data: bytes, user, scope: ImportScope, progress=None) -> Plan:
    """Read and check a file; nothing is written. ``progress(rows_checked)`` is called as it goes."""
    try:
        table = read_table(data)
    except ImportFileError as error:
        plan = Plan()
        plan.error(None, "", str(error))
        return plan
    return plan_table(kind, table, user, scope, progress)


def plan_files(kind: str, files: list[bytes], user, scope: ImportScope, school_year: str = "", progress=None) -> Plan:
    """Read and check an import's files (a directory import has two, and a school year); nothing is
    written: the one check of a dry run and of its apply."""
    if kind == ImportBatch.Kind.CCD_DIRECTORY:
        return importer_for(kind).plan(files, school_year, user, scope, progress)
    return plan_import(kind, files[0], user, scope, progress)


def plan_table(kind: str, table: Table, user, scope, progress=None) -> Plan:
    """Check a table read from a file (or a JSON list); nothing is written. ``progress(rows_checked)``
    is called every ``PROGRESS_EVERY`` rows."""
    plan = Plan()
    refused = kind_error(kind, scope)
    if refused:
        plan.error(None, "", refused)
        return plan
    importer = IMPORTERS[kind](user, scope)
    names = _check_header(importer, table, plan)
    if plan.errors:
        return plan
    readable = []
    for number, cells in table.rows:
        values = _row_cells(names, number, cells, importer, plan)
        if values is not None:
            readable.append((number, values))
    importer.prepare([values for _number, values in readable])
    seen = {}
    for checked, (number, values) in enumerate(readable, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
        planned = plan_row(importer, number, values, plan)
        if planned is None:
            continue
        key = importer.key(planned.instance)
        if key in seen:
            columns = ", ".join(importer.key_names(values))
            plan.error(number, columns, f"Duplicate of row {seen[key]}: the same {columns}.")
            continue
        seen[key] = number
        planned.key = key
        if planned.action != "skip":
            try:
                importer.count(planned)
            except RowProblem as problem:
                plan.error(number, problem.column, problem.message)
                continue
        plan.rows.append(planned)
    return plan


def plan_row(importer, number: int, values: dict, plan: Plan) -> PlannedRow | None:
    """Build the row's object and check it: scope, permission and the model's own rules."""
    try:
        instance, existing = importer.build(values)
    except RowProblem as problem:
        plan.error(number, problem.column, problem.message)
        return None
    label = importer.label(values)
    if existing is None:
        changes = {name: [None, _display(getattr(instance, name))] for name in importer.fields}
        action = "create"
    else:
        changes = {
            name: [_display(getattr(existing, name)), _display(getattr(instance, name))]
            for name in importer.fields
            if getattr(existing, name) != getattr(instance, name)
        }
        action = "update" if changes else "skip"
    if action == "skip":
        return PlannedRow(number, action, label, instance)
    if not importer.user.has_perm(importer.permission(instance), instance):
        verb = "change" if existing else "add"
        plan.error(number, "", f"You may not {verb} {importer.model._meta.verbose_name_plural} for {label}.")
        return None
    relations = [f.name for f in importer.model._meta.fields if f.is_relation]  # resolved above, in bulk
    try:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else importer.column_of(name)
            for message in messages:
                plan.error(number, column, message)
        return None
    return PlannedRow(number, action, label, instance, changes)


def preview_import(*, user, scope: ImportScope, kind: str, upload, lea_upload=None, school_year="") -> ImportBatch:
    """Keep the upload as a dry-run batch with its plan (or its errors). Nothing else is written.
    A federal directory import (``ccd_directory``) also keeps its LEA file and school year."""
    data = upload_bytes(upload)
    files = [data] if lea_upload is None else [data, upload_bytes(lea_upload)]
    plan = plan_files(kind, files, user, scope, school_year)
    file_unreadable = any(error["row"] is None for error in plan.errors)
    batch = ImportBatch(
        kind=kind,
        state=scope.state,
        lead_partner=scope.lead_partner,
        original_name=upload.name[:255],
        uploaded_by=user,
        school_year=school_year,
        status=ImportBatch.Status.FAILED if file_unreadable else ImportBatch.Status.DRY_RUN,
        summary=plan.summary(),
    )
    upload.seek(0)
    # Stored under a name that says what the content is, whatever the uploaded name claims.
    try:
        batch.file.save(_stored_name("upload", data), upload, save=False)
        if lea_upload is not None:
            lea_upload.seek(0)
            batch.lea_file.save(_stored_name("lea", files[1]), lea_upload, save=False)
    except OSError as error:  # nothing is recorded: the batch row is saved only with its file
        logger.error("Import upload not stored: %s", error)
        raise ImportStorageError(error) from error
    batch.save()
    return batch


def _stored_name(name: str, data: bytes) -> str:
    return f"{name}.xlsx" if data.startswith(XLSX_SIGNATURE) else f"{name}.csv"


class ImportStorageError(Exception):
    """The uploaded file could not be stored (disk full, read-only or unwritable storage); nothing was
    saved. Pages show it as a form error, the API as 507 Insufficient Storage."""

    def __init__(self, error: OSError):
        reason = {
            errno.ENOSPC: "the server's storage is full",
            errno.EDQUOT: "the server's storage quota is used up",
            errno.EROFS: "the server's storage is read-only",
        }.get(error.errno, "the server's storage cannot be written")
        self.message = f"The file could not be stored: {reason}. Nothing was saved; try again later."
        super().__init__(self.message)


NOT_APPLICABLE = "Only a dry run without errors can be applied."


def may_apply(user, batch: ImportBatch) -> bool:
    """The permission table's ``imports.apply_importbatch`` rule (only the uploader), asked of the
    rule itself: a superuser's blanket ``has_perm`` would skip who checked the dry run."""
    return rules.has_perm("imports.apply_importbatch", user, batch)


class ApplyConflict(ValidationError):
    """The batch is being applied or was applied already: another request claimed it first."""


def apply_import(batch: ImportBatch, user) -> ImportBatch:
    """Apply an error-free dry run: the one way an import is applied (page and API).

    Claims the batch (``claim_apply``), then has it applied by a task once the claim commits
    (imports.tasks.dispatch_apply): the batch is returned applying. When Celery runs tasks eagerly
    (no broker; tests) it is applied inline and returned applied or failed, as before tasks.

    Raises PermissionDenied when the permission table says the user may not apply it (only its
    uploader may), ApplyConflict when it is being or has been applied, ValidationError when it is
    not an error-free dry run."""
    from .tasks import dispatch_apply  # the task module imports this one

    return dispatch_apply(claim_apply(batch, user))


def claim_apply(batch: ImportBatch, user) -> ImportBatch:
    """Move an error-free dry run to applying, under a lock on the batch: of clients applying one
    batch at once exactly one claims it; the others wait for the lock and then get ApplyConflict."""
    if not may_apply(user, batch):
        raise PermissionDenied("Only the person who uploaded the file may apply it.")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.is_applying and not batch.claim_lost:
            raise ApplyConflict(f"Import #{batch.pk} is already being applied.", code="applying")
        if batch.status == ImportBatch.Status.APPLIED:
            raise ApplyConflict(f"Import #{batch.pk} has already been applied.", code="applied")
        if not batch.can_apply:
            raise ValidationError(NOT_APPLICABLE)
        counts = batch.counts
        batch.status = ImportBatch.Status.APPLYING
        batch.applying_since = timezone.now()
        batch.rows_total = sum(counts.get(action, 0) for action in ("create", "update", "skip"))
        batch.rows_done = 0
        batch._history_user = user
        batch.save()
    return batch


def release_claim(batch_pk: int) -> None:
    """Give back a claim no task will finish (it could not be sent): the batch is a dry run again."""
    with scopes_disabled():
        applying = ImportBatch.objects.filter(pk=batch_pk, status=ImportBatch.Status.APPLYING)
        applying.update(status=ImportBatch.Status.DRY_RUN, applying_since=None, rows_done=0)


def run_apply(batch_pk: int) -> ImportBatch:
    """Apply a claimed batch as its uploader: check the kept file again (counting ``rows_done``) and
    write it in one transaction with the batch's final status; any error: nothing is written and
    the batch is failed with the reason. Idempotent: a batch that is no longer applying (an earlier
    run of the task finished it) is returned unchanged, so a repeated delivery writes nothing."""
    with scopes_disabled():  # whose scope to enter is read from the batch itself
        batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_pk)
    if not batch.is_applying:
        return batch
    user = batch.uploaded_by
    if user is None:
        return finish_apply(batch_pk, None, "The person who uploaded the file no longer has an account.")
    with reach_scope(user):

        def progress(checked: int) -> None:
            ImportBatch.objects.filter(pk=batch_pk, status=ImportBatch.Status.APPLYING).update(rows_done=checked)

        try:
            files = [_kept(stored) for stored in (batch.file, batch.lea_file) if stored]
        except OSError as error:
            logger.error("Import #%s: the kept file cannot be read: %s", batch_pk, error)
            return finish_apply(batch_pk, user, "The uploaded file can no longer be read; upload it again.")
        for _attempt in range(WRITE_ATTEMPTS):
            plan = plan_files(batch.kind, files, user, batch.scope, batch.school_year, progress)
            try:
                return finish_apply(batch_pk, user, plan=plan)
            except RowsTaken:  # rolled back, the batch still applying: check against those rows
                logger.info("Import #%s: rows taken by a concurrent write; checking again", batch_pk)
        return finish_apply(batch_pk, user, TAKEN_MEANWHILE_IMPORT)


def _kept(stored) -> bytes:
    with stored.open("rb") as kept:
        return kept.read()


class RowsTaken(Exception):
    """A concurrent write recorded some of the planned rows first (or deadlocked with this one)."""


def taken_meanwhile(error: Exception) -> bool:
    """Did a concurrent writer take the rows' keys (unique violation) or wait on them (deadlock)?"""
    if isinstance(error, RecordedMeanwhile):  # recording's own word for a unique violation
        return True
    if isinstance(error, IntegrityError):
        return sqlstate(error) in (None, UNIQUE_VIOLATION)  # None on SQLite: no code to tell
    return isinstance(error, OperationalError) and sqlstate(error) == DEADLOCK


def finish_apply(batch_pk: int, user, reason: str = "", plan: Plan | None = None) -> ImportBatch:
    """Write ``plan`` (unless it has errors) and the batch's final status in one transaction, or fail
    the batch with ``reason``; nothing when the batch is no longer applying. Raises RowsTaken (all
    rolled back) when a concurrent write took some of the rows first."""
    plan = plan or Plan()
    if reason:
        plan.error(None, "", reason)
    with transaction.atomic():
        with scopes_disabled():  # also called outside any scope: the failure of a task
            batch = ImportBatch.objects.select_for_update().get(pk=batch_pk)
        if not batch.is_applying:
            return batch
        if not plan.errors:
            try:
                with transaction.atomic():
                    _write(plan, importer_for(batch.kind), user, f"Import #{batch.pk}: {batch.original_name}")
            except Exception as error:  # any failure: the inner transaction rolled back; record why
                if taken_meanwhile(error):
                    raise RowsTaken from error
                if isinstance(error, ValidationError):  # a rule checked on the locked result (a zone's size)
                    plan.error(None, "", f"{' '.join(error.messages)} Nothing was written.")
                else:
                    logger.exception("Import #%s failed while writing", batch.pk)
                    plan.error(None, "", f"The import stopped ({error}); nothing was written.")
        # A reason alone (no plan) keeps the dry run's counts and rows beside it.
        batch.summary = {**batch.summary, "errors": plan.errors} if reason else plan.summary()
        batch.rows_done = batch.rows_total
        if plan.errors:
            batch.status = ImportBatch.Status.FAILED
        else:
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
        batch._history_user = user
        batch.save()
    return batch


def _write(plan: Plan, importer_class, user, reason: str) -> None:
    """New rows in the order of their keys, changed rows in the order of their ids: concurrent
    writers of overlapping rows take the rows' locks in one order, so they wait, never deadlock."""
    new = sorted((row for row in plan.rows if row.action == "create"), key=lambda row: tuple(map(str, row.key)))
    updated = sorted((row.instance for row in plan.rows if row.action == "update"), key=lambda obj: obj.pk)
    importer_class.save([row.instance for row in new], updated, user, reason)


TAKEN_MEANWHILE = "Other uploads recorded some of these rows at the same time; nothing was saved. Send the rows again."
TAKEN_MEANWHILE_IMPORT = (
    "Other uploads kept recording some of these rows at the same time; nothing was written. Upload the file again."
)


def import_rows(kind: str, table: Table, user, scope, *, reason: str) -> Plan:
    """Check ``table`` and, if nothing is wrong, write it at once in one transaction (the API's bulk
    upload); any problem: nothing is written and the plan lists it.

    A concurrent upload may record some of the same rows between the check and the write (the
    database's unique key refuses the duplicate): the table is then checked again against what it
    recorded, which makes those rows updates or unchanged, at most ``WRITE_ATTEMPTS`` times; after
    that the plan is a ``conflict``."""
    for _attempt in range(WRITE_ATTEMPTS):
        plan = plan_table(kind, table, user, scope)
        if plan.errors:
            return plan
        try:
            with transaction.atomic():
                _write(plan, IMPORTERS[kind], user, reason)
            return plan
        except (IntegrityError, OperationalError, RecordedMeanwhile) as error:
            if not taken_meanwhile(error):
                raise
            logger.info("Bulk upload: rows taken by a concurrent upload; checking again")
    plan = Plan(conflict=True)
    plan.error(None, "", TAKEN_MEANWHILE)
    return plan
