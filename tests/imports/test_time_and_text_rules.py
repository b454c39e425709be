"""Imports apply the models' rules: no measurement or baseline for a school year that has not
begun, and school names are single-line plain text. The row and column are reported and
nothing is written."""

import pytest

from core.validators import current_school_year, school_year_from_start, school_year_start
from imports.models import ImportBatch
from tests.factories import SchoolFactory

from .conftest import database_fingerprint

NEXT_SCHOOL_YEAR = school_year_from_start(school_year_start(current_school_year()) + 1)


def errors_by_cell(batch) -> dict:
    return {(error["row"], error["column"]): error["message"] for error in batch.errors}


def test_a_measurement_of_a_school_year_that_has_not_begun_is_refused(world, preview):
    before = database_fingerprint()
    data = (
        "nces_id,metric,school_year,period,value\n"
        "080000100001,ela-proficiency,2010-11,1,41\n"
        f"080000100002,ela-proficiency,{NEXT_SCHOOL_YEAR},1,38\n"
        "080000100003,ela-proficiency,2099-00,1,44\n"
    ).encode()

    batch = preview("measurements.csv", data)

    assert batch.status == ImportBatch.Status.DRY_RUN and not batch.can_apply
    errors = errors_by_cell(batch)
    assert "has not begun" in errors[(3, "school_year")] and "has not begun" in errors[(4, "school_year")]
    assert (2, "school_year") not in errors
    assert database_fingerprint() == before


def test_a_baseline_of_a_school_year_that_has_not_begun_is_refused(world, preview):
    """For a school in no zone yet (no launch year to measure the baseline before)."""
    SchoolFactory(district=world.zone.districts.get(), nces_id="080000100009")
    before = database_fingerprint()
    data = f"nces_id,metric,school_year,value\n080000100009,ela-proficiency,{NEXT_SCHOOL_YEAR},30\n".encode()

    batch = preview("baselines.csv", data, kind="baselines")

    assert not batch.can_apply
    assert "has not begun" in errors_by_cell(batch)[(2, "school_year")]
    assert database_fingerprint() == before


@pytest.mark.parametrize("name", ['"Front Range\nAcademy"', "Front Range Academy}", "<b>Front Range</b>"])
def test_a_school_name_that_is_not_single_line_plain_text_is_refused(world, preview, name):
    before = database_fingerprint()
    data = (
        "nces_id,name,district_nces_lea_id,lowest_grade,highest_grade,enrollment\n"
        f"080000100004,{name},0800001,6,8,420\n"
    ).encode()

    batch = preview("schools.csv", data, kind="schools")

    assert not batch.can_apply
    assert "single line of plain text" in errors_by_cell(batch)[(2, "name")]
    assert database_fingerprint() == before
