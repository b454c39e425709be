"""Tables shown on pages and downloadable as CSV from the same rows and scope.

A page lists its tables as ``{name: (Table, rows)}``; ``?export=<name>`` answers with that
table as CSV (all rows, not only the current page) instead of the page. ``rows`` may be a function
returning them: only the table asked for is then computed (not every figure of the page).
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.core.paginator import Paginator
from django.utils.text import slugify

from .csv_export import csv_response

PAGE_SIZE = 25


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable

    @classmethod
    def of(cls, header: str, path: str) -> "Column":
        """A column reading a dotted attribute path; a callable result (e.g. get_x_display) is called."""
        getter = attrgetter(path)

        def value(row):
            try:
                result = getter(row)
            except AttributeError:
                return None
            return result() if callable(result) else result

        return cls(header, value)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    def csv(self, rows, label: str):
        return csv_response(
            f"{self.file_name(label)}.csv",
            [column.header for column in self.columns],
            ([column.value(row) for column in self.columns] for row in rows),
        )

    def file_name(self, label: str) -> str:
        """``<label>-<table>``, the table's name once: "colorado-schools", "portfolio" (not
        "portfolio-portfolio"), "schools"."""
        slug = slugify(label)
        return slug if slug == self.name or slug.endswith(f"-{self.name}") else f"{slug}-{self.name}"


def csv_export(request, label: str, tables: dict):
    """The CSV response the request asks for with ``?export=<name>``, or None."""
    name = request.GET.get("export")
    if name not in tables:
        return None
    table, rows = tables[name]
    return table.csv(rows() if callable(rows) else rows, label)


def paginate(request, items, param: str = "page", per_page: int = PAGE_SIZE):
    """One page of ``items`` chosen by the ``param`` query parameter (invalid numbers: nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get(param))
