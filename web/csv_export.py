"""CSV downloads that are safe to open in a spreadsheet.

A text cell that starts with ``= + - @``, a tab or a carriage return is prefixed with a quote
so spreadsheet software shows it as text instead of running it as a formula (CSV injection).
Numbers are written as they are: they cannot carry a formula.
"""

import csv
from decimal import Decimal

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value as a CSV cell a spreadsheet will not evaluate."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def write_rows(stream, header, rows) -> None:
    """Write a header and rows of cells to a text stream, neutralising every cell."""
    writer = csv.writer(stream)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)


def csv_response(filename: str, header, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_rows(response, header, rows)
    return response
