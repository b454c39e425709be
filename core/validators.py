"""Value rules shared across the domain: school years, NCES ids, postal and FIPS codes, what may be
dated (nothing after today, no school year beyond the current one) and single-line plain text."""

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

SCHOOL_YEAR_RE = re.compile(r"^(\d{4})-(\d{2})$")


def documented_pattern(pattern: str):
    """Marks a format validator with the regular expression the API schema documents for its
    values (web.schema reads ``validator.pattern``), so the rule's owner also owns its pattern."""

    def mark(validator):
        validator.pattern = pattern
        return validator

    return mark


@documented_pattern(SCHOOL_YEAR_RE.pattern)
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


SCHOOL_YEAR_FIRST_MONTH = 7  # a school year starts on 1 July


def current_school_year() -> str:
    """The school year today falls in: ``2026-27`` from 1 July 2026 to 30 June 2027."""
    today = timezone.localdate()
    return school_year_from_start(today.year if today.month >= SCHOOL_YEAR_FIRST_MONTH else today.year - 1)


def validate_not_after_today(value) -> None:
    """What is reported on has happened: a day after today is refused."""
    today = timezone.localdate()
    if value is not None and value > today:
        raise ValidationError(
            "%(value)s is after today (%(today)s): report on today or an earlier day.",
            code="future_date",
            params={"value": value.isoformat(), "today": today.isoformat()},
        )


def validate_reported_school_year(value: str) -> None:
    """A value measured in a school year: that year has begun (no year beyond the current one).
    Malformed years are left to validate_school_year, so each problem is reported once."""
    current = current_school_year()
    if SCHOOL_YEAR_RE.match(value or "") and school_year_start(value) > school_year_start(current):
        raise ValidationError(
            "%(value)s has not begun: the current school year is %(current)s.",
            code="future_school_year",
            params={"value": value, "current": current},
        )


FORBIDDEN_MARKUP = "<>{}"
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}  # control and format characters, line and paragraph breaks


def validate_single_line_text(value: str) -> None:
    """Names and titles are one line of plain text: they are shown in pages, CSV files and PDF
    briefs, so line breaks, invisible control characters and markup or CSS characters are refused."""
    if any(char in FORBIDDEN_MARKUP or unicodedata.category(char) in FORBIDDEN_CATEGORIES for char in value or ""):
        raise ValidationError(
            "Enter a single line of plain text: no line breaks, tabs or control characters, and none of < > { }.",
            code="not_single_line_text",
        )


validate_fips_code = RegexValidator(r"^\d{2}$", "A state FIPS code is two digits, e.g. 08.", "invalid_fips")
validate_nces_lea_id = RegexValidator(
    r"^\d{7}$", "An NCES LEA id is seven digits: the state FIPS code and five digits.", "invalid_nces_lea_id"
)
validate_nces_school_id = RegexValidator(
    r"^\d{12}$", "An NCES school id is twelve digits: the district's LEA id and five digits.", "invalid_nces_school_id"
)
validate_postal_code = RegexValidator(r"^[A-Z]{2}$", "A postal code is two capital letters, e.g. CO.", "invalid_postal")
