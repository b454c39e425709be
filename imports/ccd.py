"""The federal school directory (NCES Common Core of Data, CCD): a state's school directory
(ccd_sch_029) and LEA directory (ccd_lea_029) files for one school year, compared with the state's
districts and schools.

An import of the ``ccd_directory`` kind goes through the imports pipeline (imports.services): the
dry run keeps both files and this module's plan (a diff: new, renamed, re-graded, closed, reopened,
merged or moved, unchanged), the state lead who uploaded it applies it in one transaction, and
applying the same files again changes nothing. Districts are matched on their NCES LEA id, schools
on their NCES school id (NCESSCH = LEAID + a 5-digit school number); a school that closes under one
LEA while its school number appears under another (or whose status is 5, changed agency) is moved:
the same school, with its history, under its new id and district.

CCD's missing codes (-1 missing, -2 not applicable, -9 suppressed, M, N, "Not reported") are
unknown, never values: an unknown grade keeps the school's grades. New schools get the model's
defaults for what the directory does not hold (enrollment 0, improvement tier none, turnaround
status identified); schools closed in the directory or offering none of the grades this app records
(ungraded, adult education, grade 13) are not added, and listed as such.
"""

import copy
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from schools.models import School
from zones.models import DIRECTORY_CLOSED, DirectoryStatus, District

from .models import DirectoryChange, ImportBatch
from .reading import ImportFileError, Table, read_table
from .services import Importer, Plan, PlannedRow, SchoolImporter, kind_error, plan_row

# SY_STATUS and UPDATED_STATUS codes.
STATUS_CODES = {
    "1": DirectoryStatus.OPEN,
    "2": DirectoryStatus.CLOSED,
    "3": DirectoryStatus.NEW,
    "4": DirectoryStatus.ADDED,
    "5": DirectoryStatus.CHANGED_AGENCY,
    "6": DirectoryStatus.INACTIVE,
    "7": DirectoryStatus.FUTURE,
    "8": DirectoryStatus.REOPENED,
}
NOT_OPERATING = (*DIRECTORY_CLOSED, DirectoryStatus.FUTURE)
# GSLO/GSHI codes of the grades this app records (schools.models.GRADES); 13, UG (ungraded), AE
# (adult education) and N (no grades) are none of them.
GRADE_CODES = {"PK": "PK", "KG": "K"} | {f"{grade:02d}": str(grade) for grade in range(1, 13)}
# CCD's codes for a value it does not give: missing, not applicable, suppressed.
MISSING_CODES = frozenset({"", "-1", "-2", "-9", "m", "n", "not reported", "not applicable", "missing"})
SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4}|\d{2})$")


def known(text: str) -> str | None:
    """A cell's value, or None for CCD's missing codes."""
    text = text.strip()
    return None if text.lower() in MISSING_CODES else text


@dataclass(frozen=True)
class DirectoryFile:
    """One of the two files: its columns (others, such as addresses, are read past) and its id."""

    label: str
    published_as: str
    columns: tuple[str, ...]
    id_column: str
    name_column: str
    id_length: int


SCHOOL_FILE = DirectoryFile(
    "school file",
    "ccd_sch_029",
    ("SCHOOL_YEAR", "FIPST", "ST", "SCH_NAME", "LEAID", "NCESSCH", "SY_STATUS", "GSLO", "GSHI"),
    "NCESSCH",
    "SCH_NAME",
    12,
)
LEA_FILE = DirectoryFile(
    "LEA file", "ccd_lea_029", ("SCHOOL_YEAR", "FIPST", "ST", "LEA_NAME", "LEAID", "SY_STATUS"), "LEAID", "LEA_NAME", 7
)


@dataclass(frozen=True)
class Entry:
    """A school or LEA as the directory lists it."""

    number: int  # its row in its file
    nces_id: str
    lea_id: str
    name: str
    status: str
    lowest_grade: str | None = None
    highest_grade: str | None = None

    @property
    def school_number(self) -> str:
        return self.nces_id[7:]

    @property
    def closed(self) -> bool:
        return self.status in DIRECTORY_CLOSED


class EntryProblem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column


def school_year_of(text: str) -> str | None:
    """CCD's SCHOOL_YEAR (``2023-2024``) as this app writes a school year (``2023-24``)."""
    match = SCHOOL_YEAR.match(text.strip())
    return f"{match.group(1)}-{match.group(2)[-2:]}" if match else None


def _digits(text: str | None, length: int, column: str) -> str:
    """An NCES id; spreadsheets drop its leading zeros, so they are put back."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > length:
        raise EntryProblem(column, f"“{text or ''}” is not an NCES id of {length} digits.")
    return text.zfill(length)


def _entry(spec: DirectoryFile, number: int, cells: dict, state, school_year: str) -> Entry:
    fips, postal = (known(cells["FIPST"]) or "").zfill(2), (known(cells["ST"]) or "").upper()
    if (fips, postal) != (state.fips_code, state.postal_code):
        raise EntryProblem(
            "FIPST",
            f"This row is for {postal or '?'} (FIPS {fips}); this import is for {state} "
            f"({state.postal_code}, FIPS {state.fips_code}). Keep only {state.postal_code}'s rows.",
        )
    year = school_year_of(cells["SCHOOL_YEAR"])
    if year != school_year:
        raise EntryProblem(
            "SCHOOL_YEAR", f"This row is for {cells['SCHOOL_YEAR'] or '?'}; the import is for {school_year}."
        )
    lea_id = _digits(known(cells["LEAID"]), 7, "LEAID")
    if not lea_id.startswith(state.fips_code):
        raise EntryProblem("LEAID", f"An NCES LEA id in {state} starts with its FIPS code {state.fips_code}.")
    nces_id = _digits(known(cells[spec.id_column]), spec.id_length, spec.id_column)
    if not nces_id.startswith(lea_id):
        raise EntryProblem(spec.id_column, f"The NCES school id {nces_id} does not start with its LEAID {lea_id}.")
    name = known(cells[spec.name_column])
    if name is None:
        raise EntryProblem(spec.name_column, "The name is missing.")
    updated = known(cells.get("UPDATED_STATUS", ""))
    code = updated or known(cells["SY_STATUS"])
    if code not in STATUS_CODES:
        raise EntryProblem("SY_STATUS", f"“{code or ''}” is not a CCD status code (1 to 8).")
    grades = [GRADE_CODES.get((known(cells.get(column, "")) or "").upper()) for column in ("GSLO", "GSHI")]
    if None in grades:  # a span needs both ends
        grades = [None, None]
    return Entry(number, nces_id, lea_id, name, STATUS_CODES[code], *grades)


def read_entries(data: bytes, spec: DirectoryFile, state, school_year: str, plan: Plan) -> list[Entry]:
    """A directory file's rows of ``state`` and ``school_year``; every other row is a row error,
    an unreadable file or a missing column an error of the whole file."""
    try:
        table: Table = read_table(data)
    except ImportFileError as error:
        plan.error(None, "", f"The {spec.label}: {error}")
        return []
    header = [cell.strip().upper() for cell in table.header]
    missing = [column for column in spec.columns if column not in header]
    if missing:
        plan.error(
            None,
            "",
            f"The {spec.label} has no column {', '.join(missing)}: upload the CCD directory file "
            f"({spec.published_as}) with its header row as published.",
        )
        return []
    positions = {name: header.index(name) for name in reversed(header)}  # the first of twins
    entries, seen = [], {}
    for number, cells in table.rows:
        values = {name: cells[at] if at < len(cells) else "" for name, at in positions.items()}
        try:
            entry = _entry(spec, number, values, state, school_year)
        except EntryProblem as problem:
            plan.error(number, f"{problem.column} ({spec.label})", str(problem))
            continue
        if entry.nces_id in seen:
            plan.error(number, f"{spec.id_column} ({spec.label})", f"Duplicate of row {seen[entry.nces_id]}.")
            continue
        seen[entry.nces_id] = number
        entries.append(entry)
    return entries


def _status_kinds(before: str, after: str) -> list[str]:
    if after in DIRECTORY_CLOSED and before not in DIRECTORY_CLOSED:
        return [DirectoryChange.CLOSED]
    if after not in DIRECTORY_CLOSED and (before in DIRECTORY_CLOSED or after == DirectoryStatus.REOPENED != before):
        return [DirectoryChange.REOPENED]
    return [DirectoryChange.STATUS] if before != after else []


class EntryImporter(Importer):
    """Checks one entry's planned object (``services.plan_row``: permission, the model's rules)."""

    for_lead_partners = False

    def build(self, values):
        return values["instance"], values["existing"]

    def label(self, values):
        return values["label"]

    def key(self, instance):
        return (self.model._meta.model_name, self.natural_key(instance))


class DistrictEntries(EntryImporter):
    model = District
    fields = ("name", "ccd_status")
    field_columns = {"name": "LEA_NAME (LEA file)", "ccd_status": "SY_STATUS (LEA file)", "nces_lea_id": "LEAID"}

    def natural_key(self, district):
        return district.nces_lea_id


class SchoolEntries(EntryImporter, SchoolImporter):
    """Written like a schools import (zone sizes kept, each changed school a new version)."""

    fields = ("nces_id", "district", "name", "lowest_grade", "highest_grade", "ccd_status")
    field_columns = {
        "nces_id": "NCESSCH (school file)",
        "district": "LEAID (school file)",
        "name": "SCH_NAME (school file)",
        "lowest_grade": "GSLO (school file)",
        "highest_grade": "GSHI (school file)",
        "ccd_status": "SY_STATUS (school file)",
    }

    def natural_key(self, school):
        return school.nces_id


class DirectoryImporter(Importer):
    """The ``ccd_directory`` kind: plans both files at once and writes districts before schools."""

    for_lead_partners = False

    @classmethod
    def plan(cls, files: list[bytes], school_year: str, user, scope, progress=None) -> Plan:
        plan = Plan()
        refused = kind_error(ImportBatch.Kind.CCD_DIRECTORY, scope)
        if refused or len(files) != 2:
            plan.error(None, "", refused or "Upload both directory files: the school file and the LEA file.")
            return plan
        leas = read_entries(files[1], LEA_FILE, scope.state, school_year, plan)
        schools = read_entries(files[0], SCHOOL_FILE, scope.state, school_year, plan)
        if any(error["row"] is None for error in plan.errors):
            return plan
        districts = _plan_districts(leas, DistrictEntries(user, scope), plan)
        _plan_schools(schools, districts, SchoolEntries(user, scope), plan)
        # The dry run lists what changes before what does not.
        plan.rows.sort(key=lambda row: DirectoryChange.UNCHANGED in row.kinds)
        if progress is not None:
            progress(len(leas) + len(schools))
        return plan

    @classmethod
    def save(cls, created, updated, user, reason):
        """Districts first: a new school may be in a new district."""
        for entries in (DistrictEntries, SchoolEntries):
            entries.save(
                [obj for obj in created if isinstance(obj, entries.model)],
                [obj for obj in updated if isinstance(obj, entries.model)],
                user,
                reason,
            )


def _planned(importer: EntryImporter, entry: Entry, instance, existing, kinds: list, plan: Plan, label: str):
    """The entry's row, checked like any import's row, or None (its problems reported)."""
    values = {"instance": instance, "existing": existing, "label": label}
    row = plan_row(importer, entry.number, values, plan)
    if row is not None:
        row.kinds = tuple(kinds) if kinds else (DirectoryChange.UNCHANGED,)
        row.key = importer.key(instance)
        plan.rows.append(row)
    return row


def _not_added(importer: EntryImporter, entry: Entry, label: str, plan: Plan) -> None:
    plan.rows.append(
        PlannedRow(
            entry.number,
            "skip",
            label,
            None,
            key=(importer.model._meta.model_name, entry.nces_id),
            kinds=(DirectoryChange.NOT_ADDED,),
        )
    )


def _plan_districts(leas: list[Entry], importer: DistrictEntries, plan: Plan) -> dict[str, District]:
    """Plan the LEA file's rows; the districts schools may be in, by LEA id (new ones unsaved)."""
    state = importer.scope.state
    existing = {d.nces_lea_id: d for d in District.objects.visible_to(importer.user).filter(state=state)}
    districts = dict(existing)
    names = {district.nces_lea_id: district.name for district in existing.values()}
    planned = []
    for entry in leas:
        label = f"LEA {entry.nces_id} · {entry.name}"
        current = existing.get(entry.nces_id)
        if current is None and entry.status in NOT_OPERATING:
            _not_added(importer, entry, label, plan)
            continue
        district = copy.copy(current) if current else District(state=state, nces_lea_id=entry.nces_id)
        district.name, district.ccd_status = entry.name, entry.status
        if current is None:
            kinds = [DirectoryChange.NEW]
        else:
            kinds = [DirectoryChange.RENAMED] if current.name != entry.name else []
            kinds += _status_kinds(current.ccd_status, entry.status)
        row = _planned(importer, entry, district, current, kinds, plan, label)
        if row is not None:
            districts[entry.nces_id] = district
            names[entry.nces_id] = district.name
            planned.append(row)
    taken = Counter(names.values())
    for row in planned:
        if "name" in row.changes and taken[row.instance.name] > 1:
            plan.error(
                row.number,
                "LEA_NAME (LEA file)",
                f"Another district in {state} is named “{row.instance.name}”; rename it before importing.",
            )
            plan.rows.remove(row)
    return districts


def _moves(schools: list[Entry], existing: dict[str, School]) -> dict[str, School]:
    """Schools the directory moved to another LEA, by their new id: a school closed under one LEA
    whose school number appears under another, or listed as changed agency (status 5)."""
    listed = {entry.nces_id: entry for entry in schools}
    by_number = defaultdict(list)
    for school in existing.values():
        by_number[school.nces_id[7:]].append(school)
    moves = {}
    for entry in schools:
        if entry.nces_id in existing:
            continue
        left = [
            school
            for school in by_number[entry.school_number]
            if school.nces_id[:7] != entry.lea_id
            and (
                listed[school.nces_id].closed
                if school.nces_id in listed
                else entry.status == DirectoryStatus.CHANGED_AGENCY
            )
        ]
        if len(left) == 1 and left[0] not in moves.values():
            moves[entry.nces_id] = left[0]
    return moves


def _plan_schools(schools: list[Entry], districts: dict[str, District], importer: SchoolEntries, plan: Plan) -> None:
    existing = {school.nces_id: school for school in importer.scope.schools(importer.user)}
    moves = _moves(schools, existing)
    moved_from = {school.nces_id for school in moves.values()}
    for entry in schools:
        if entry.nces_id in moved_from:
            continue  # planned as the move to its new id
        current = existing.get(entry.nces_id) or moves.get(entry.nces_id)
        label = f"School {entry.nces_id} · {entry.name}"
        if current is None and (entry.status in NOT_OPERATING or entry.lowest_grade is None):
            _not_added(importer, entry, label, plan)
            continue
        district = districts.get(entry.lea_id)
        if district is None:
            plan.error(
                entry.number,
                "LEAID (school file)",
                f"LEA {entry.lea_id} is neither a district of {importer.scope.state} nor an open LEA of the LEA file.",
            )
            continue
        if current is None:
            school = School(nces_id=entry.nces_id, enrollment=0)
            kinds = [DirectoryChange.NEW]
        else:
            school = copy.copy(current)
            kinds = [DirectoryChange.MOVED] if current.nces_id != entry.nces_id else []
            kinds += [DirectoryChange.RENAMED] if current.name != entry.name else []
            if entry.lowest_grade and (entry.lowest_grade, entry.highest_grade) != (
                current.lowest_grade,
                current.highest_grade,
            ):
                kinds.append(DirectoryChange.REGRADED)
            moved = DirectoryChange.MOVED in kinds  # a move is a change of status of its own
            kinds += [kind for kind in _status_kinds(current.ccd_status, entry.status) if not moved or kind != "status"]
            label = (
                f"School {current.nces_id} → {entry.nces_id} · {entry.name}"
                if current.nces_id != entry.nces_id
                else label
            )
        school.nces_id, school.district, school.name, school.ccd_status = (
            entry.nces_id,
            district,
            entry.name,
            entry.status,
        )
        if entry.lowest_grade:
            school.lowest_grade, school.highest_grade = entry.lowest_grade, entry.highest_grade
        _planned(importer, entry, school, current, kinds, plan, label)
