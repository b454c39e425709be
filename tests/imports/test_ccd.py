"""The federal school directory (imports.ccd): reading CCD's files, the dry run's diff against a
state's districts and schools, and applying it in one transaction, idempotently."""

import pytest

from imports import ccd
from imports.models import DirectoryChange, ImportBatch, ImportScope
from imports.services import Plan, apply_import
from schools.models import School
from zones.models import DirectoryStatus, District, State

from .conftest import CCD_FILES, CCD_SCHOOLS, build_ccd_world, ccd_file, database_fingerprint, diff

COLORADO = State(name="Colorado", postal_code="CO", fips_code="08")


@pytest.fixture(scope="module")
def world_builder():
    return build_ccd_world


def read(data: bytes, spec=ccd.SCHOOL_FILE, school_year="2023-24"):
    plan = Plan()
    return ccd.read_entries(data, spec, COLORADO, school_year, plan), plan.errors


def school_file(*rows: str, header="SCHOOL_YEAR,FIPST,ST,SCH_NAME,LEAID,NCESSCH,SY_STATUS,GSLO,GSHI") -> bytes:
    return "\n".join([header, *rows]).encode()


# --- Reading --------------------------------------------------------------------------------------


def test_the_published_layout_is_read_with_its_byte_order_mark_tabs_and_quoted_cells():
    schools, errors = read(ccd_file("ccd_sch_029_2223.csv"), school_year="2022-23")
    leas, lea_errors = read(ccd_file("ccd_lea_029_2324.tsv"), ccd.LEA_FILE)

    assert errors == [] and lea_errors == []
    assert schools[0] == ccd.Entry(2, "080001000101", "0800010", "Alsup Elementary School", "open", "PK", "5")
    assert [lea.name for lea in leas][:1] == ["Adams 14 School District"]
    assert {lea.status for lea in leas} == {"open", "new", "closed"}


@pytest.mark.parametrize("code", ["-1", "-2", "-9", "M", "N", "Not reported", "not applicable", ""])
def test_missing_codes_are_unknown_never_values(code):
    schools, errors = read(school_file(f"2023-2024,08,CO,Casey Middle School,0800020,080002000202,1,{code},08"))

    assert errors == []
    assert (schools[0].lowest_grade, schools[0].highest_grade) == (None, None)  # the school keeps its grades


def test_ccd_grade_codes_map_to_the_grades_recorded_here_and_others_are_unknown():
    rows = [
        "2023-2024,08,CO,A,0800020,080002000001,1,KG,01",
        "2023-2024,08,CO,B,0800020,080002000002,1,UG,UG",
        "2023-2024,08,CO,C,0800020,080002000003,1,AE,13",
    ]
    schools, _errors = read(school_file(*rows))

    assert [(s.lowest_grade, s.highest_grade) for s in schools] == [("K", "1"), (None, None), (None, None)]


def test_leading_zeros_a_spreadsheet_dropped_are_put_back():
    schools, errors = read(school_file("2023-2024,8,CO,Casey,800020,80002000202,1,06,08"))

    assert errors == [] and (schools[0].nces_id, schools[0].lea_id) == ("080002000202", "0800020")


def test_rows_of_another_state_are_refused_row_by_row():
    rows = [
        "2023-2024,17,IL,Lakeshore,1700001,170000100001,1,09,12",
        "2023-2024,08,CO,Casey,0800020,080002000202,1,06,08",
    ]
    schools, errors = read(school_file(*rows))

    assert [s.name for s in schools] == ["Casey"]
    assert errors == [
        {
            "row": 2,
            "column": "FIPST (school file)",
            "message": "This row is for IL (FIPS 17); this import is for Colorado (CO, FIPS 08). Keep only CO's rows.",
        }
    ]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("2022-2023,08,CO,Casey,0800020,080002000202,1,06,08", "SCHOOL_YEAR", "the import is for 2023-24"),
        ("2023-2024,08,CO,Casey,0800020,080003000202,1,06,08", "NCESSCH", "does not start with its LEAID"),
        ("2023-2024,08,CO,Casey,0800020,0800200202x,1,06,08", "NCESSCH", "is not an NCES id of 12 digits"),
        ("2023-2024,08,CO,-1,0800020,080002000202,1,06,08", "SCH_NAME", "The name is missing."),
        ("2023-2024,08,CO,Casey,0800020,080002000202,9,06,08", "SY_STATUS", "is not a CCD status code"),
    ],
)
def test_a_bad_row_is_a_clear_row_error(row, column, message):
    schools, errors = read(school_file(row))

    assert schools == []
    assert errors[0]["column"] == f"{column} (school file)" and message in errors[0]["message"]


def test_a_file_without_the_directory_columns_is_refused_as_a_whole():
    _schools, errors = read(b"nces_id,name\n080002000202,Casey\n")

    assert errors[0]["row"] is None
    assert errors[0]["message"].startswith("The school file has no column SCHOOL_YEAR, FIPST, ST, SCH_NAME")


def test_updated_status_wins_over_the_start_of_year_status():
    header = "SCHOOL_YEAR,FIPST,ST,SCH_NAME,LEAID,NCESSCH,SY_STATUS,UPDATED_STATUS,GSLO,GSHI"
    schools, _errors = read(school_file("2023-2024,08,CO,Casey,0800020,080002000202,1,2,06,08", header=header))

    assert schools[0].status == DirectoryStatus.CLOSED


# --- The dry run's diff ---------------------------------------------------------------------------


def test_the_first_directory_import_records_each_status_and_leaves_out_what_it_cannot_add(world, preview_directory):
    batch = preview_directory("2022-23")

    assert batch.status == ImportBatch.Status.DRY_RUN and batch.errors == []
    assert diff(batch) == {
        "status": {f"LEA {lea}" for lea in ("0800010", "0800020", "0800030")} | {f"School {n}" for n in CCD_SCHOOLS},
        # a closed LEA, an ungraded school and a future one are not added
        "not_added": {"LEA 0800099", "School 080002000299", "School 080003000302"},
    }
    assert batch.counts == {"create": 0, "update": 10, "skip": 3, "errors": 0}


def test_the_next_years_diff_lists_new_renamed_regraded_closed_and_moved(world, preview_directory):
    apply_import(preview_directory("2022-23"), world.users.lead)

    batch = preview_directory("2023-24")

    assert batch.errors == []
    assert diff(batch) == {
        "new": {"LEA 0800040", "School 080003000302", "School 080004000401"},
        "renamed": {"LEA 0800010", "School 080001000103"},
        "regraded": {"School 080002000202"},
        "closed": {"School 080001000102"},
        "moved": {"School 080002000203 → 080003000203"},
        "not_added": {"LEA 0800099", "School 080002000299"},
        "unchanged": {
            "LEA 0800020",
            "LEA 0800030",
            "School 080001000101",
            "School 080002000201",
            "School 080003000301",
        },
    }
    assert batch.summary["diff"]["new"] == 3
    moved = next(row for row in batch.summary["rows"] if "moved" in row["kinds"])
    assert moved["changes"]["nces_id"] == ["080002000203", "080003000203"]


def test_a_closed_school_listed_open_again_is_reopened(world, preview_directory):
    School.objects.filter(nces_id="080001000102").update(ccd_status=DirectoryStatus.CLOSED)
    District.objects.filter(nces_lea_id="0800030").update(ccd_status=DirectoryStatus.INACTIVE)

    batch = preview_directory("2022-23")

    assert diff(batch)["reopened"] == {"School 080001000102", "LEA 0800030"}


def test_a_school_listed_as_changed_agency_moves_without_its_old_row(world, preview_directory):
    lea = ccd_file("ccd_lea_029_2223.csv")
    school = school_file("2022-2023,08,CO,Arapahoe Ridge High School,0800030,080003000203,5,09,12")

    batch = preview_directory("2022-23", school=school, lea=lea)

    assert diff(batch)["moved"] == {"School 080002000203 → 080003000203"}


def test_a_school_of_an_lea_neither_known_nor_in_the_lea_file_is_a_row_error(world, preview_directory):
    school = school_file("2022-2023,08,CO,Nowhere Academy,0800077,080007700001,3,09,12")

    batch = preview_directory("2022-23", school=school)

    assert batch.errors == [
        {
            "row": 2,
            "column": "LEAID (school file)",
            "message": "LEA 0800077 is neither a district of Colorado nor an open LEA of the LEA file.",
        }
    ]
    assert not batch.can_apply


def test_a_rename_onto_another_districts_name_is_a_row_error(world, preview_directory):
    lea = ccd_file("ccd_lea_029_2223.csv").replace(
        b"Cherry Creek School District No. 5", b"Adams County School District 14"
    )

    batch = preview_directory("2022-23", lea=lea)

    assert [error["column"] for error in batch.errors] == ["LEA_NAME (LEA file)"]
    assert "Another district in Colorado is named" in batch.errors[0]["message"]


def test_lead_partner_staff_cannot_import_the_directory(world):
    scope = ImportScope(world.colorado, world.zone.lead_partner)
    files = [ccd_file(name) for name in CCD_FILES["2022-23"]]

    plan = ccd.DirectoryImporter.plan(files, "2022-23", world.users.partner, scope)

    assert plan.rows == []
    assert plan.errors[0]["message"].startswith("Federal school directory (CCD) are imported by state staff")


# --- Applying -------------------------------------------------------------------------------------


def test_accepting_writes_the_diff(world, preview_directory):
    apply_import(preview_directory("2022-23"), world.users.lead)
    arapahoe = School.objects.get(nces_id="080002000203")
    versions = arapahoe.history.count()
    before = database_fingerprint()

    batch = apply_import(preview_directory("2023-24"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert database_fingerprint() != before
    moved = School.objects.get(pk=arapahoe.pk)
    assert (moved.nces_id, moved.district.nces_lea_id, moved.ccd_status) == ("080003000203", "0800030", "new")
    assert moved.history.count() == versions + 1  # the same school, its history kept
    central = School.objects.get(nces_id="080001000102")
    assert (central.ccd_status, central.lowest_grade, central.highest_grade) == ("closed", "K", "5")
    assert School.objects.get(nces_id="080001000103").name == "Adams City STEM Middle School"
    assert School.objects.values_list("lowest_grade", "highest_grade").get(nces_id="080002000202") == ("5", "8")
    assert School.objects.values_list("lowest_grade", "highest_grade").get(nces_id="080002000201") == ("9", "12")
    charter = School.objects.select_related("district").get(nces_id="080004000401")
    assert (charter.district.name, charter.district.ccd_status) == ("Charter School Institute", "new")
    defaults = School(nces_id="x")
    assert (charter.enrollment, charter.improvement_tier, charter.turnaround_status, charter.zone) == (
        0,
        defaults.improvement_tier,
        defaults.turnaround_status,
        None,
    )
    assert District.objects.get(nces_lea_id="0800010").name == "Adams 14 School District"
    assert not School.objects.filter(nces_id__in=["080002000299", "080001000203"]).exists()


def test_reapplying_the_same_files_changes_nothing(world, preview_directory):
    for year in ("2022-23", "2023-24"):
        apply_import(preview_directory(year), world.users.lead)
    before = database_fingerprint()

    again = preview_directory("2023-24")
    applied = apply_import(again, world.users.lead)

    assert again.counts["create"] == again.counts["update"] == 0
    assert set(diff(again)) == {DirectoryChange.UNCHANGED, DirectoryChange.NOT_ADDED}
    assert applied.status == ImportBatch.Status.APPLIED
    assert database_fingerprint() == before


def test_a_failure_while_writing_leaves_nothing_written(world, preview_directory, monkeypatch):
    apply_import(preview_directory("2022-23"), world.users.lead)
    batch = preview_directory("2023-24")
    before = database_fingerprint()

    def broken(*args, **kwargs):  # the districts are written by now; the schools fail
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ccd.SchoolEntries, "save", classmethod(broken))
    failed = apply_import(batch, world.users.lead)

    assert failed.status == ImportBatch.Status.FAILED
    assert "nothing was written" in failed.errors[0]["message"]
    assert database_fingerprint() == before
    assert not District.objects.filter(nces_lea_id="0800040").exists()
