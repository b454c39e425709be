"""The API's renderers: JSON through orjson (the same bytes as DRF's, several times faster), and
every API list as CSV, for spreadsheets and BI tools: ``Accept: text/csv`` on a list operation."""

import io
import json
import re
from decimal import Decimal

import orjson
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from web.csv_export import write_rows

# A number as DRF writes a decimal: written as a number, not as text neutralised with a quote
# ("-5.00" stays a number). No leading zeros, so a code such as a postal code stays text.
PLAIN_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")


# Date-times, dates and times go to DRF's encoder (milliseconds, "Z" for UTC) like Decimals and
# lazy strings do: orjson's own formats differ.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# DRF escapes these two so the JSON stays a JavaScript subset.
LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


DRF_ENCODER = JSONEncoder()


def drf_default(value):
    """What DRF's encoder makes of a value orjson leaves to it; a Decimal as Python writes its
    float (``1e-07``, where orjson writes ``1e-7``)."""
    if isinstance(value, Decimal):
        return orjson.Fragment(json.dumps(float(value)))
    return DRF_ENCODER.default(value)


class OrjsonRenderer(JSONRenderer):
    """DRF's compact JSON, encoded by orjson: a long list encodes in a fraction of the time. What
    orjson refuses (an integer beyond 64 bits, a key that is not a string) and indented output
    (``Accept: application/json; indent=4``, the browsable API) are DRF's own rendering. Only a
    float a serializer gives as a float beyond 1e16 or under 1e-4 reads ``1e16``, not ``1e+16``."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=drf_default, option=ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in LINE_SEPARATORS:
            body = body.replace(raw, escaped)
        return body


class CsvListRenderer(BaseRenderer):
    """The page's rows, one per object: nested objects flattened into dotted columns
    (``zone.name``), lists joined by "; ", the header from the serializer's fields in order, every
    cell formula-safe (web.csv_export). The page's links move to a ``Link`` header and its count
    to ``X-Total-Count``; the file is named after the resource (``zones.csv``)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:  # no body (304)
            return b""
        context = renderer_context or {}
        response, view = context.get("response"), context.get("view")
        rows = page_rows(data)
        if response is not None:
            paginate_in_headers(response, data)
            resource = context["request"].path.rstrip("/").rsplit("/", 1)[-1]
            response["Content-Disposition"] = f'attachment; filename="{resource}.csv"'
        flat_rows = [flatten(row) for row in rows]
        header = columns(serializer_columns(view), flat_rows)
        stream = io.StringIO()
        write_rows(stream, header, ([as_cell(row.get(column)) for column in header] for row in flat_rows))
        return stream.getvalue().encode(self.charset)


def page_rows(data) -> list[dict]:
    """The rows of a page, of an unpaginated list, or the one object a list operation answers."""
    if isinstance(data, dict):
        return data.get("results", [data])
    return list(data)


def paginate_in_headers(response, data) -> None:
    """A page's ``next``/``previous`` links as a ``Link`` header and its ``count`` as ``X-Total-Count``."""
    if not isinstance(data, dict) or "results" not in data:
        return
    links = [f'<{data[name]}>; rel="{rel}"' for name, rel in (("next", "next"), ("previous", "prev")) if data.get(name)]
    if links:
        response["Link"] = ", ".join(links)
    if "count" in data:
        response["X-Total-Count"] = str(data["count"])


def serializer_columns(view) -> list[str]:
    """The columns the view's serializer writes, in its fields' order (nested serializers dotted);
    none when the view has no serializer."""
    get_serializer = getattr(view, "get_serializer", None)
    if get_serializer is None:
        return []
    try:
        serializer = get_serializer()
    except AssertionError:  # a view without serializer_class
        return []
    return list(readable_columns(serializer))


def readable_columns(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if isinstance(field, serializers.Serializer):  # one nested object (many=True is a ListSerializer)
            yield from readable_columns(field, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def columns(declared: list[str], flat_rows: list[dict]) -> list[str]:
    """The declared columns, each widened to the dotted keys the rows hold under it (an object
    that is not a serializer, e.g. a computed summary), then any key the rows hold beyond them."""
    seen = list(dict.fromkeys(key for row in flat_rows for key in row))
    header = []
    for column in declared:
        header.extend([key for key in seen if key == column or key.startswith(f"{column}.")] or [column])
    beyond = [key for key in seen if not any(column == key or column.startswith(f"{key}.") for column in header)]
    return [*header, *beyond]


def flatten(row: dict, prefix="") -> dict:
    """A row's nested objects as dotted keys."""
    flat = {}
    for key, value in row.items():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def as_cell(value):
    """One value as a cell: lists joined by "; " (an object in a list as compact JSON), booleans as
    in JSON, decimals as numbers."""
    if isinstance(value, list):
        return "; ".join(str(as_cell(item)) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and PLAIN_NUMBER.fullmatch(value):
        return Decimal(value)
    return value


class CsvListsMixin:
    """CSV is for list operations only: any other operation asked for ``text/csv`` is a 406, and
    an error is never CSV (it is problem JSON)."""

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            return renderers
        return [renderer for renderer in renderers if not isinstance(renderer, CsvListRenderer)]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "accepted_renderer", None), CsvListRenderer):
            response.accepted_renderer = next(
                renderer for renderer in super().get_renderers() if not isinstance(renderer, CsvListRenderer)
            )
            response.accepted_media_type = response.accepted_renderer.media_type
        return response
