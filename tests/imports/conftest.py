"""Two states with a launched zone each (fixed NCES ids, so the files in tests/data/imports
can name their schools), three metrics and a user per role."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import Baseline, Measurement, Metric, Target
from accounts.models import Role
from imports.models import ImportBatch, ImportScope
from imports.services import preview_import
from schools.models import School
from tests.factories import (
    DistrictFactory,
    MetricFactory,
    SchoolFactory,
    StateFactory,
    UserFactory,
    ZoneFactory,
)
from tests.project import rows_fingerprint
from tests.worlds import member
from zones.models import District

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
AUDITED_MODELS = [District, School, Baseline, Target, Measurement]


def corpus(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _launched_zone(state, lea_id: str, name: str):
    district = DistrictFactory(state=state, nces_lea_id=lea_id, name=f"{name} District")
    zone = ZoneFactory(state=state, name=f"{name} Zone", districts=[district])
    for number in range(1, 4):
        SchoolFactory(district=district, zone=zone, nces_id=f"{lea_id}{number:05d}", name=f"{name} School {number}")
    zone.status = zone.Status.LAUNCHED
    zone._change_reason = "Launched"
    zone.save()
    return zone


@pytest.fixture(scope="module")
def world_builder():
    """``world`` (tests/worlds.py, built once per module): Colorado's two zones and Illinois'."""
    return build_world


def build_world():
    colorado = StateFactory(name="Colorado", postal_code="CO", fips_code="08")
    illinois = StateFactory(name="Illinois", postal_code="IL", fips_code="17")
    zone = _launched_zone(colorado, "0800001", "Front Range")
    other_zone = _launched_zone(colorado, "0800002", "Mesa")  # same state, another Lead Partner
    illinois_zone = _launched_zone(illinois, "1700001", "Lakeshore")
    metrics = SimpleNamespace(
        ela=MetricFactory(code="ela-proficiency", name="ELA proficiency"),
        math=MetricFactory(code="math-proficiency", name="Math proficiency"),
        suspensions=MetricFactory(
            code="suspensions", name="Suspensions", unit=Metric.Unit.PER_100, direction="lower", max_value=None
        ),
    )

    users = SimpleNamespace(
        lead=member(Role.STATE_LEAD, state=colorado),
        second_lead=member(Role.STATE_LEAD, state=colorado),
        viewer=member(Role.STATE_VIEWER, state=colorado),
        partner=member(Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner),
        illinois_lead=member(Role.STATE_LEAD, state=illinois),
        admin=UserFactory(is_staff=True, is_superuser=True),
    )
    return SimpleNamespace(
        colorado=colorado,
        illinois=illinois,
        zone=zone,
        other_zone=other_zone,
        illinois_zone=illinois_zone,
        metrics=metrics,
        users=users,
        schools={school.nces_id: school for school in School.objects.all()},
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def preview(world):
    """Preview a file as the Colorado state lead (or another user/scope)."""

    def run(name, data=None, *, kind="measurements", user=None, scope=None):
        data = corpus(name) if data is None else data
        return preview_import(
            user=user or world.users.lead,
            scope=scope or ImportScope(world.colorado),
            kind=kind,
            upload=upload(name, data),
        )

    return run


def database_fingerprint() -> dict:
    """Row count and a checksum of every row of the tables an import may write (and their history)."""
    return rows_fingerprint(table for model in AUDITED_MODELS for table in (model, model.history.model))


# --- The federal school directory (imports.ccd) ----------------------------------------------------

CCD = Path(__file__).resolve().parent / "data" / "ccd"
# The sample files by school year: a year N and a year N+1 (a closure, renames, a re-grade, new
# schools and a new LEA, a school moved to another LEA, missing codes), as (school file, LEA file).
CCD_FILES = {
    "2022-23": ("ccd_sch_029_2223.csv", "ccd_lea_029_2223.csv"),
    "2023-24": ("ccd_sch_029_2324.csv", "ccd_lea_029_2324.tsv"),
}
# Colorado as the year N files list it: its districts and their schools (name, grades).
CCD_DISTRICTS = {
    "0800010": "Adams County School District 14",
    "0800020": "Boulder Valley School District No. RE-2",
    "0800030": "Cherry Creek School District No. 5",
}
CCD_SCHOOLS = {
    "080001000101": ("Alsup Elementary School", "PK", "5"),
    "080001000102": ("Central Elementary School", "K", "5"),
    "080001000103": ("Adams City Middle School", "6", "8"),
    "080002000201": ("Boulder High School", "9", "12"),
    "080002000202": ("Casey Middle School", "6", "8"),
    "080002000203": ("Arapahoe Ridge High School", "9", "12"),
    "080003000301": ("Cherry Creek High School", "9", "12"),
}


def ccd_file(name: str) -> bytes:
    return (CCD / name).read_bytes()


def build_ccd_world():
    """Colorado's districts and schools as the year N directory lists them (Adams' three schools a
    launched zone), Illinois, and a user per role."""
    colorado = StateFactory(name="Colorado", postal_code="CO", fips_code="08")
    illinois = StateFactory(name="Illinois", postal_code="IL", fips_code="17")
    districts = {
        lea: DistrictFactory(state=colorado, nces_lea_id=lea, name=name) for lea, name in CCD_DISTRICTS.items()
    }
    for nces_id, (name, lowest, highest) in CCD_SCHOOLS.items():
        SchoolFactory(
            district=districts[nces_id[:7]], nces_id=nces_id, name=name, lowest_grade=lowest, highest_grade=highest
        )
    zone = ZoneFactory(state=colorado, name="Adams Zone", districts=[districts["0800010"]])
    School.objects.filter(district=districts["0800010"]).update(zone=zone)
    zone.status = zone.Status.LAUNCHED
    zone._change_reason = "Launched"
    zone.save()
    users = SimpleNamespace(
        lead=member(Role.STATE_LEAD, state=colorado),
        viewer=member(Role.STATE_VIEWER, state=colorado),
        partner=member(Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner),
        illinois_lead=member(Role.STATE_LEAD, state=illinois),
    )
    return SimpleNamespace(colorado=colorado, illinois=illinois, zone=zone, users=users)


@pytest.fixture
def preview_directory(world):
    """A dry run of a year's sample files (or the given ones) as the Colorado state lead."""

    def run(school_year="2022-23", *, school=None, lea=None, user=None, state=None):
        school_name, lea_name = CCD_FILES.get(school_year, CCD_FILES["2022-23"])
        return preview_import(
            user=user or world.users.lead,
            scope=ImportScope(state or world.colorado),
            kind=ImportBatch.Kind.CCD_DIRECTORY,
            upload=upload(school_name, ccd_file(school_name) if school is None else school),
            lea_upload=upload(lea_name, ccd_file(lea_name) if lea is None else lea),
            school_year=school_year,
        )

    return run


def diff(batch) -> dict[str, set[str]]:
    """A directory dry run's rows by what they change: {kind: {"School 0800...", "LEA 08..."}}."""
    by_kind = {}
    for row in batch.summary["rows"]:
        for kind in row["kinds"]:
            by_kind.setdefault(kind, set()).add(row["key"].split(" · ")[0])
    return by_kind
