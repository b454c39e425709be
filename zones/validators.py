"""Value rules shared across the domain: school years, NCES ids, postal and FIPS codes."""

import functools
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")


def validate_school_year(value: str) -> None:
    """A school year is written like ``2010-11``: the second year follows the first."""
    match = SCHOOL_YEAR_RE.match(value or "")
    if not match:
        raise ValidationError("Enter a school year like 2010-11.", code="invalid_school_year", params={"value": value})
    first, second = int(match.group(1)), int(match.group(2))
    if (first + 1) % 100 != second:
        raise ValidationError(
            "%(value)s is not a school year: the second year must follow the first (e.g. 2010-11).",
            code="invalid_school_year",
            params={"value": value},
        )
    if not 1990 <= first <= 2100:
        raise ValidationError("%(value)s is out of range.", code="invalid_school_year", params={"value": value})


@functools.lru_cache(maxsize=256)
def school_year_start(value: str) -> int:
    """The calendar year a school year starts in: ``2010-11`` → 2010 (remembered: progress asks thousands of times)."""
    validate_school_year(value)
    return int(value[:4])


def school_year_from_start(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


validate_fips_code = RegexValidator(r"^\d{2}$", "A state FIPS code is two digits, e.g. 08.", "invalid_fips")
validate_nces_lea_id = RegexValidator(
    r"^\d{7}$", "An NCES LEA id is seven digits: the state FIPS code and five digits.", "invalid_nces_lea_id"
)
validate_nces_school_id = RegexValidator(
    r"^\d{12}$", "An NCES school id is twelve digits: the district's LEA id and five digits.", "invalid_nces_school_id"
)
validate_postal_code = RegexValidator(r"^[A-Z]{2}$", "A postal code is two capital letters, e.g. CO.", "invalid_postal")
