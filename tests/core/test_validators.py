import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from core.validators import (
    current_school_year,
    school_year_from_start,
    school_year_start,
    validate_fips_code,
    validate_nces_lea_id,
    validate_nces_school_id,
    validate_not_after_today,
    validate_postal_code,
    validate_reported_school_year,
    validate_school_year,
    validate_single_line_text,
)
from tests.project import project_models


@pytest.mark.parametrize("value", ["2010-11", "1999-00", "2099-00", "2013-14"])
def test_school_years_written_like_2010_11_are_accepted(value):
    validate_school_year(value)


@pytest.mark.parametrize(
    "value",
    ["2010-12", "2010-10", "2010/11", "10-11", "2010-2011", "201011", "", "1989-90", "2101-02", "2010-1"],
)
def test_other_school_years_are_refused(value):
    with pytest.raises(ValidationError):
        validate_school_year(value)


def test_school_year_start_and_back():
    assert school_year_start("2010-11") == 2010
    assert school_year_from_start(2010) == "2010-11"
    assert school_year_from_start(1999) == "1999-00"


@pytest.mark.parametrize(
    ("validator", "good", "bad"),
    [
        (validate_nces_lea_id, ["0800001", "3612345"], ["080001", "08000011", "08A0001", " 0800001"]),
        (validate_nces_school_id, ["080000100001"], ["08000010001", "0800001000011", "08000010000X"]),
        (validate_fips_code, ["08", "36"], ["8", "008", "CO"]),
        (validate_postal_code, ["CO", "NY"], ["co", "C0", "COL", ""]),
    ],
    ids=["nces-lea", "nces-school", "fips", "postal"],
)
def test_id_formats(validator, good, bad):
    for value in good:
        validator(value)
    for value in bad:
        with pytest.raises(ValidationError):
            validator(value)


@pytest.mark.parametrize(
    ("today", "current"),
    [
        (datetime.date(2027, 6, 30), "2026-27"),
        (datetime.date(2027, 7, 1), "2027-28"),
        (datetime.date(2028, 1, 15), "2027-28"),
    ],
)
def test_the_school_year_begins_on_the_first_of_july(monkeypatch, today, current):
    monkeypatch.setattr(timezone, "localdate", lambda: today)
    assert current_school_year() == current
    validate_reported_school_year(current)
    with pytest.raises(ValidationError, match="has not begun"):
        validate_reported_school_year(school_year_from_start(school_year_start(current) + 1))


def test_nothing_is_reported_after_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2027, 3, 1))
    validate_not_after_today(datetime.date(2027, 3, 1))
    with pytest.raises(ValidationError, match="after today"):
        validate_not_after_today(datetime.date(2027, 3, 2))


@pytest.mark.parametrize("value", ["Colorado", "Zoë Baird-Smith", "Front Range Zone (Denver & Aurora)", "K–8 #4; 50%"])
def test_single_line_plain_text_is_accepted(value):
    validate_single_line_text(value)


@pytest.mark.parametrize(
    "value",
    [
        "Colorado\n}}*{background:url(http://127.0.0.1:9111/x)}",
        "Colorado\r",
        "Colorado\u2028",
        "Tab\tSeparated",
        "Null\x00",
        "Right-to-left \u202eoverride",
        "<b>Bold</b>",
        "ol.decisions{display:none}",
        "}",
    ],
)
def test_line_breaks_control_characters_and_markup_are_refused(value):
    with pytest.raises(ValidationError, match="single line of plain text"):
        validate_single_line_text(value)


# Kept as they came, never typed into a form: an upload's own file name (shown escaped).
AS_GIVEN = {"imports.ImportBatch.original_name"}


def free_text_fields() -> dict:
    """Every free-text CharField users write in the domain apps (no choices, no format of its own)."""
    return {
        f"{model._meta.label}.{field.name}": field
        for model in project_models()
        if model._meta.app_label not in {"accounts", "reports"}
        for field in model._meta.get_fields()
        if f"{model._meta.label}.{field.name}" not in AS_GIVEN
        and type(field) is models.CharField
        and field.editable
        and not field.choices
        and not any(isinstance(validator, RegexValidator) for validator in field.validators)
        and validate_school_year not in field.validators
    }


def test_every_free_text_field_is_single_line_plain_text():
    fields = free_text_fields()
    assert {"zones.State.name", "schools.School.name", "partners.LeadPartner.name", "zones.Zone.name"} <= set(fields)
    assert [name for name, field in fields.items() if validate_single_line_text not in field.validators] == []
