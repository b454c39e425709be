"""The bad-file corpus (tests/data/imports): each file gets a clear report naming the row, column
and reason, cannot be applied, and leaves the database exactly as it was."""

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from imports import reading
from imports.models import ImportBatch
from imports.reading import MAX_ROWS
from imports.services import apply_import

from .conftest import corpus, database_fingerprint

HEADER = ["nces_id", "metric", "school_year", "period", "value", "source"]

# file, kind, expected (row, column, words in the message)
CORPUS = [
    ("empty.csv", "measurements", [(None, "", "The file is empty")]),
    ("header_only.csv", "measurements", [(None, "", "header row but no data rows")]),
    ("measurements_cp1252.csv", "measurements", [(None, "", "not UTF-8 text: byte 0xc9 on line 3")]),
    ("binary_junk.csv", "measurements", [(None, "", "not a CSV or Excel file")]),
    ("legacy.xls", "measurements", [(None, "", "old Excel 97-2003 (.xls) file")]),
    ("corrupt.xlsx", "measurements", [(None, "", "not a readable Excel workbook")]),
    ("measurements_missing_columns.csv", "measurements", [(1, "period", "required column “period” is missing")]),
    ("measurements_extra_columns.csv", "measurements", [(1, "notes", "Unknown column “notes”")]),
    ("measurements_extra_cells.csv", "measurements", [(3, "", "has 8 cells but the header names 6")]),
    (
        "measurements_formulas.csv",
        "measurements",
        [
            (2, "value", "formula"),
            (3, "source", "formula"),
            (4, "nces_id", "formula"),
            (5, "metric", "formula"),
            (6, "value", "formula"),
        ],
    ),
    (
        "measurements_out_of_scope.csv",
        "measurements",
        [(3, "nces_id", "No school with NCES id 170000100001 in your scope (Colorado)")],
    ),
    ("measurements_duplicate_keys.csv", "measurements", [(4, "nces_id, metric, school_year, period", "row 2")]),
    (
        "measurements_mixed.csv",
        "measurements",
        [
            (3, "nces_id", "No school with NCES id 089999999999"),
            (4, "value", "130 is out of range for ELA proficiency (0.00 to 100.00)"),
            (5, "school_year", "Enter a school year like 2010-11"),
            (6, "metric", "Unknown metric “reading”"),
            (7, "period", "“5” is not one of: 1, 2, 3, 4"),
            (8, "value", "“abc” is not a number"),
            (9, "value", "-1 is out of range for Suspensions (0.00 to no limit)"),
            (10, "value", "This value is required"),
        ],
    ),
    (
        "schools_bad.csv",
        "schools",
        [
            (2, "nces_id", "starts with its LEA id 0800001"),
            (3, "district_nces_lea_id", "No district with NCES LEA id 0899999 in Colorado"),
            (4, "highest_grade", "cannot be below the lowest grade"),
            (5, "enrollment", "greater than or equal to 0"),
            (6, "improvement_tier", "“IV” is not one of"),
            (7, "zone", "No zone named “Nowhere Zone” in Colorado"),
            (8, "nces_id", "School with this NCES school id already exists."),
        ],
    ),
    (
        "baselines_bad.csv",
        "baselines",
        [
            (2, "school_year", "before the zone launches in 2010-11"),
            (3, "value", "101 is out of range"),
            (4, "school_year", "Enter a school year like 2010-11"),
        ],
    ),
]


def assert_reported(batch, expected):
    for row, column, words in expected:
        matches = [e for e in batch.errors if e["row"] == row and e["column"] == column and words in e["message"]]
        assert matches, f"no error ({row}, {column!r}, {words!r}) in {batch.errors}"


def assert_refused_and_unchanged(batch, before, user):
    assert not batch.can_apply
    with pytest.raises(ValidationError):
        apply_import(batch, user)
    assert database_fingerprint() == before


@pytest.mark.parametrize(("name", "kind", "expected"), CORPUS, ids=[case[0] for case in CORPUS])
def test_bad_file_is_reported_and_changes_nothing(world, preview, name, kind, expected):
    before = database_fingerprint()

    batch = preview(name, kind=kind)

    assert_reported(batch, expected)
    assert batch.counts["errors"] == len(batch.errors) >= len(expected)
    assert_refused_and_unchanged(batch, before, world.users.lead)


def test_mixed_file_reports_every_bad_row_and_previews_the_good_ones(world, preview):
    batch = preview("measurements_mixed.csv")

    assert batch.status == ImportBatch.Status.DRY_RUN
    assert sorted({error["row"] for error in batch.errors}) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert [row["row"] for row in batch.summary["rows"]] == [2, 11]
    assert batch.counts["create"] == 2


def test_unreadable_files_are_kept_as_failed_imports(world, preview):
    batch = preview("binary_junk.csv")

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.file.read() == corpus("binary_junk.csv")


def test_hundred_thousand_rows_are_refused_before_any_row_is_looked_up(
    world, preview, tmp_path, django_assert_max_num_queries
):
    lines = [",".join(HEADER)] + [
        f"0800001{n % 3 + 1:05d},ela-proficiency,{2000 + n // 4 % 90}-{(2001 + n // 4 % 90) % 100:02d},{n % 4 + 1},50,"
        for n in range(100_000)
    ]
    path = tmp_path / "hundred_thousand.csv"
    path.write_text("\n".join(lines))
    data = path.read_bytes()
    before = database_fingerprint()

    with django_assert_max_num_queries(3):  # the kept batch only: no school, metric or value is read
        batch = preview("hundred_thousand.csv", data)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [
        {
            "row": None,
            "column": "",
            "message": f"The file has more than {MAX_ROWS:,} rows; split it into files of at most {MAX_ROWS:,} rows.",
        }
    ]
    assert_refused_and_unchanged(batch, before, world.users.lead)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_with_formula_cell_is_refused(world, preview):
    data = xlsx([HEADER, ["080000100001", "ela-proficiency", "2010-11", 1, "=40+2", "State assessment"]])
    before = database_fingerprint()

    batch = preview("formula.xlsx", data)

    assert_reported(batch, [(2, "value", "formula")])
    assert_refused_and_unchanged(batch, before, world.users.lead)


def test_xlsx_with_too_many_rows_is_refused_from_its_declared_size(world, preview, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)  # the same check as at 50,000 rows, with a small workbook
    row = ["080000100001", "ela-proficiency", "2010-11", 1, 40, ""]
    data = xlsx([HEADER] + [row] * 6)
    before = database_fingerprint()

    batch = preview("big.xlsx", data)

    assert_reported(batch, [(None, "", "more than 5 rows")])
    assert_refused_and_unchanged(batch, before, world.users.lead)


def test_xlsx_with_a_lost_leading_zero_is_reported(world, preview):
    """Excel turns an NCES id typed as a number into 80000100001: reported, not guessed."""
    data = xlsx([HEADER, [80000100001, "ela-proficiency", "2010-11", 1, 40, ""]])

    batch = preview("numbers.xlsx", data)

    assert_reported(batch, [(2, "nces_id", "No school with NCES id 80000100001")])


def test_a_control_character_deep_inside_a_text_file_is_refused(world, preview):
    data = corpus("measurements_valid.csv") * 200 + b"080000100001,ela-proficiency,2010-11,1,4\x000,\n"

    batch = preview("nul.csv", data)

    assert_reported(batch, [(None, "", "not a CSV or Excel file")])


def test_a_zip_archive_named_xlsx_is_refused(world, preview):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("measurements.csv", corpus("measurements_valid.csv"))

    batch = preview("measurements.xlsx", archive.getvalue())

    assert_reported(batch, [(None, "", "not a readable Excel workbook")])


def rebuilt_xlsx(data: bytes, replace: dict[str, object]) -> bytes:
    """The workbook ``data`` with members replaced or added: bytes, or an iterable of chunks
    streamed into the zip (so a huge member never sits in memory)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {name: source.read(name) for name in source.namelist()} | replace
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in members.items():
            with target.open(name, "w", force_zip64=True) as member:
                for chunk in [content] if isinstance(content, bytes) else content:
                    member.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    """A workbook of under 300 KB whose shared strings (which openpyxl reads whole, before any
    row) unpack to about 110 MB."""
    data = xlsx([HEADER, ["080000100001", "ela-proficiency", "2010-11", "1", "40", "x"]])
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").decode()
    shared = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    strings = b"<si><t>x</t></si>" * (1 << 16)
    huge = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', *[strings] * 100, b"</sst>"]
    return rebuilt_xlsx(
        data, {"[Content_Types].xml": types.replace("</Types>", shared).encode(), "xl/sharedStrings.xml": huge}
    )


def test_a_zip_bomb_workbook_is_refused_before_it_is_inflated(world, preview, xlsx_bomb):
    """Finding 9: refused from the zip's directory, in well under a second, without inflating it."""
    assert len(xlsx_bomb) < 500_000
    before = database_fingerprint()
    tracemalloc.start()
    started = time.monotonic()

    batch = preview("bomb.xlsx", xlsx_bomb)

    elapsed = time.monotonic() - started
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2
    assert peak < 20 * 1024 * 1024
    assert_reported(batch, [(None, "", "This workbook unpacks to 106 MB")])
    assert_refused_and_unchanged(batch, before, world.users.lead)


def test_rows_far_below_the_data_are_refused_without_reading_the_gap(world, preview):
    """A single cell on row 1,000,000 (and no declared dimension): openpyxl would yield every empty
    row in between; reading stops at the row limit instead."""
    data = xlsx([HEADER, ["080000100001", "ela-proficiency", "2010-11", "1", "40", "x"]])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r"<dimension [^>]*/>", "", sheet)
    far = '<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>080000100001</t></is></c></row></sheetData>'
    data = rebuilt_xlsx(data, {"xl/worksheets/sheet1.xml": sheet.replace("</sheetData>", far).encode()})
    started = time.monotonic()

    batch = preview("far.xlsx", data)

    assert time.monotonic() - started < 2
    assert_reported(batch, [(None, "", f"more than {MAX_ROWS:,} rows")])
