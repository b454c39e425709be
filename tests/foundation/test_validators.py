import pytest
from django.core.exceptions import ValidationError

from zones.validators import (
    school_year_from_start,
    school_year_start,
    validate_fips_code,
    validate_nces_lea_id,
    validate_nces_school_id,
    validate_postal_code,
    validate_school_year,
)


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
