"""Incremental sync: ``?changed_since=`` on every list of a tracked resource (core.changes).

``changed_since`` is a change version (rows with ``change_version`` above it) or an ISO 8601
timestamp with its UTC offset (rows with ``updated_at`` after it). The first page takes the
change watermark (``core.changes.change_watermark``) and the whole sync serves only rows at or
below it, in ``(change_version, id)`` order, a keyset page at a time: ``next`` carries a signed
cursor with the watermark and the last row's position, so rows written while a client pages are
neither missed nor repeated (they come in the next sync, which resumes from the watermark, the
envelope's ``change_version``). ``changed_since=0`` is a full copy.

A list whose resource is computed (a rollup, not rows of a model) refuses the parameter; a
``changed_since`` older than the deletes the feed still keeps (``register_horizon``) is a 410."""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.db import models
from django.db.models import Q
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from core.changes import TrackedModel, change_watermark

PARAMETER = "changed_since"
CURSOR = "cursor"
HEADER = "X-Change-Version"
BIGINT = 2**63 - 1
CURSOR_SALT = "web.sync.cursor"
# A URL-decoded "+02:00" arrives as " 02:00": the offset of a timestamp sent unencoded.
UNENCODED_OFFSET = re.compile(r" (\d\d:?\d\d)$")

PARAMETER_HELP = (
    "Only what changed after this: a change version (an integer: the change_version of the last sync's "
    "envelope; 0 copies everything) or an ISO 8601 timestamp with its UTC offset (e.g. "
    "2026-01-31T12:00:00Z, less exact: a late commit can be missed). Answers the sync envelope, in change "
    "order, paged by next; 410 when deletes since then are no longer kept (copy everything again)."
)


class ChangeStampsMixin:
    """Every tracked resource (core.changes) shows when it was created and last changed, and its
    change version (what ``?changed_since=`` compares), read-only."""

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        if issubclass(model, TrackedModel):
            datetime_field = self.serializer_field_mapping[models.DateTimeField]
            for name, field_class in (
                ("created_at", datetime_field),
                ("updated_at", datetime_field),
                ("change_version", serializers.IntegerField),
            ):
                fields.setdefault(name, field_class(read_only=True, help_text=model._meta.get_field(name).help_text))
        return fields


def tracked_model(view) -> type | None:
    """The model whose rows a view (or viewset class) lists with their change stamps, else None: a
    computed resource (its serializer shows no stamps, e.g. the portfolio's rollup of states)."""
    serializer_class = getattr(view, "serializer_class", None)
    if not (isinstance(serializer_class, type) and issubclass(serializer_class, ChangeStampsMixin)):
        return None
    model = serializer_class.Meta.model
    return model if issubclass(model, TrackedModel) else None


def syncs(view) -> bool:
    """Whether the view's list answers ``changed_since`` (a change feed always does)."""
    return getattr(view, "change_feed", False) or tracked_model(view) is not None


# --- refusals ---


class InvalidChangedSince(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = (
        "changed_since: a change version (a whole number) or an ISO 8601 timestamp with its UTC offset "
        "(e.g. 2026-01-31T12:00:00Z)."
    )
    default_code = "invalid_changed_since"


class InvalidSyncCursor(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Invalid cursor: follow the next link of a changed_since page as it was given."
    default_code = "invalid_sync_cursor"


class ComputedResource(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = (
        "This resource is computed from others and has no change versions: read it again, or sync the "
        "resources it is computed from with changed_since."
    )
    default_code = "computed_resource"


class ChangesExpired(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = (
        "Deletes that old are no longer kept: copy everything again (changed_since=0) and resume from its "
        "change_version."
    )
    default_code = "changes_expired"


# --- the horizon of kept deletes ---

# (highest purged change version, when the newest purged delete happened) or None: registered by
# the app that keeps the deletes (changes), which this layer does not import.
_horizon: Callable[[], tuple[int, datetime.datetime] | None] = lambda: None  # noqa: E731


def register_horizon(source: Callable[[], tuple[int, datetime.datetime] | None]) -> None:
    global _horizon
    _horizon = source


def kept_since() -> int:
    """The oldest change version a sync may resume from (0 before any purge)."""
    horizon = _horizon()
    return horizon[0] if horizon else 0


# --- the query ---


@dataclass(frozen=True)
class Since:
    """A parsed ``changed_since``: a version or a timestamp, and the value as the envelope echoes it."""

    version: int | None = None
    moment: datetime.datetime | None = None

    @classmethod
    def parse(cls, given: str) -> "Since":
        if given.isascii() and given.isdigit():
            if int(given) > BIGINT:
                raise InvalidChangedSince()
            return cls(version=int(given))
        try:
            moment = datetime.datetime.fromisoformat(UNENCODED_OFFSET.sub(r"+\1", given))
        except ValueError as error:
            raise InvalidChangedSince() from error
        if moment.tzinfo is None:
            raise InvalidChangedSince("changed_since: give the timestamp's UTC offset (e.g. Z or +00:00).")
        return cls(moment=moment)

    @property
    def echo(self):
        return self.version if self.version is not None else self.moment.isoformat()

    def condition(self) -> Q:
        return Q(change_version__gt=self.version) if self.version is not None else Q(updated_at__gt=self.moment)

    def check_kept(self, feed: bool) -> None:
        """A 410 when deletes after this point may have been purged (a list's full copy needs none)."""
        if self.version == 0 and not feed:
            return
        horizon = _horizon()
        if horizon is None:
            return
        version, through = horizon
        if (self.version is not None and self.version < version) or (self.moment is not None and self.moment < through):
            raise ChangesExpired()


@dataclass
class SyncPage:
    since: Since
    watermark: int
    rows: list
    next: str | None


def sync_page(queryset, request, view, page_size: int) -> SyncPage:
    """One page of what changed since ``changed_since``, up to the sync's watermark."""
    if not syncs(view):
        raise ComputedResource()
    given = request.query_params.getlist(PARAMETER)
    if len(given) > 1:
        raise InvalidChangedSince("changed_since: give it once.")
    since = Since.parse(given[0]) if given else Since(version=kept_since())  # a feed: all it keeps
    since.check_kept(feed=getattr(view, "change_feed", False))
    for other in ("page", "ordering"):
        if other in request.query_params:
            message = "A changed_since list is in change order, paged by its next link."
            raise exceptions.ValidationError({other: [message]})
    rows = queryset.filter(since.condition())
    cursor = request.query_params.get(CURSOR)
    if cursor is None:
        watermark = change_watermark(queryset.db)
    else:
        watermark, version, pk = read_cursor(cursor, request, since)
        rows = rows.filter(Q(change_version__gt=version) | Q(change_version=version, pk__gt=pk))
    rows = list(rows.filter(change_version__lte=watermark).order_by("change_version", "pk")[: page_size + 1])
    next_url = None
    if len(rows) > page_size:
        rows = rows[:page_size]
        last = rows[-1]
        token = signing.dumps([request.path, since.echo, watermark, last.change_version, last.pk], salt=CURSOR_SALT)
        next_url = replace_query_param(request.build_absolute_uri(), PARAMETER, since.echo)  # a feed's default
        next_url = replace_query_param(next_url, CURSOR, token)
    return SyncPage(since=since, watermark=watermark, rows=rows, next=next_url)


def read_cursor(token: str, request, since: Since) -> tuple[int, int, int]:
    """(watermark, version, pk) of a next link's cursor, for the same list and changed_since."""
    try:
        path, echo, watermark, version, pk = signing.loads(token, salt=CURSOR_SALT)
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise InvalidSyncCursor() from error
    if path != request.path or echo != since.echo:
        raise InvalidSyncCursor()
    return watermark, version, pk


class ChangedSincePages:
    """A list paginator that also answers ``?changed_since=`` on tracked resources: the sync
    envelope (``changed_since``, ``change_version``: the watermark to resume from, ``next``,
    ``results``) and the ``X-Change-Version`` header, keyset paged (see the module docstring)."""

    sync_query_params = (PARAMETER, CURSOR)
    sync = None

    def paginate_queryset(self, queryset, request, view=None):
        self.sync = None
        if PARAMETER not in request.query_params and not getattr(view, "change_feed", False):
            if CURSOR in request.query_params and getattr(self, "cursor_query_param", None) != CURSOR:
                raise exceptions.ValidationError({CURSOR: ["Only a changed_since list takes a cursor."]})
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.sync = sync_page(queryset, request, view, self.get_page_size(request))
        return self.sync.rows

    def get_paginated_response(self, data):
        if self.sync is None:
            return super().get_paginated_response(data)
        envelope = {
            "changed_since": self.sync.since.echo,
            "change_version": self.sync.watermark,
            "next": self.sync.next,
            "results": data,
        }
        return Response(envelope, headers={HEADER: str(self.sync.watermark)})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if syncs(view):
            parameters.append(
                {
                    "name": PARAMETER,
                    "required": False,
                    "in": "query",
                    "description": PARAMETER_HELP,
                    "schema": {"type": "string", "pattern": r"^(\d{1,19}|\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d))$"},
                }
            )
        return parameters

    def get_paginated_response_schema(self, schema):
        """The page, or with ``changed_since`` the sync envelope (``view`` is set by web.schema)."""
        page = super().get_paginated_response_schema(schema)
        return {"anyOf": [page, envelope_schema(schema)]} if syncs(getattr(self, "view", None)) else page


def envelope_schema(schema) -> dict:
    return {
        "type": "object",
        "required": ["changed_since", "change_version", "next", "results"],
        "properties": {
            "changed_since": {
                "oneOf": [{"type": "integer"}, {"type": "string", "format": "date-time"}],
                "description": "The changed_since of the request.",
            },
            "change_version": {
                "type": "integer",
                "description": "This sync's watermark: every change up to it is in the pages; send it as the next "
                "sync's changed_since.",
            },
            "next": {"type": "string", "nullable": True, "format": "uri", "description": "The next page, if any."},
            "results": schema,
        },
    }
