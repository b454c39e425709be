"""Conditional requests for every API view (RFC 9110 §13): validators on what a GET answers, and
preconditions on what a write changes, so a client neither re-downloads what it has nor
overwrites a change it has not seen.

- ``ETag`` on every successful GET of an object or a list page, and on a PUT/PATCH's answer: a
  versioned record's is ``"<version>"`` (core.concurrency: the version every save increments);
  anything else's is a hash of the body as served, so it changes exactly when the
  representation does.
- ``If-None-Match`` matching it → 304 Not Modified, no body.
- ``If-Match`` on a change (PUT, PATCH, DELETE, or an action POSTed to an object): the object is
  locked first, then compared as it is now; a versioned record's version, any other object's
  ETag of the representation a GET would answer; no match → 412 (``*`` matches any object).
  With ``API_REQUIRE_IF_MATCH`` a PUT/PATCH/DELETE without ``If-Match`` is refused with 428.
- ``Location`` on every 201: the created object's URL (a bulk create has no single object).

Errors are raised as DRF exceptions with a code; the API's exception handler formats them."""

import hashlib
from contextlib import suppress

from django.conf import settings
from django.http import HttpResponseNotModified
from django.urls import NoReverseMatch
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.concurrency import StaleRecord, VersionedModel, lock_rows

# What a 304 keeps of the response it stands for (the rest describes a body it does not have).
BODY_HEADERS = {"content-type", "content-length", "content-language", "content-encoding"}


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = StaleRecord().messages[0]
    default_code = "stale"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Send If-Match with the ETag you read (e.g. If-Match: "3"), so that a change made since is not overwritten.'
    )
    default_code = "precondition_required"


def entity_tags(header: str) -> list[str]:
    """The tags of an ``If-Match``/``If-None-Match`` list, quotes kept, ``W/`` dropped: our tags
    are computed on the uncompressed representation, and gzip (Django's GZipMiddleware) only marks
    them weak because the bytes on the wire differ, so ``W/"x"`` names the same representation."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def if_match_version(request) -> int | None:
    """The version an ``If-Match: "<version>"`` header expects (``*`` or none: None); an ETag that
    is no version of ours can never match (-1)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    versions = [int(tag.strip('"')) for tag in entity_tags(header) if tag.strip('"').isdigit()]
    return versions[0] if len(versions) == 1 else -1


def body_etag(content: bytes) -> str:
    """A strong ETag of a representation's bytes."""
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


class ConditionalRequestsMixin:
    """ETag/If-None-Match on reads, a locked If-Match check on changes, Location on creates (see
    the module). A view that answers with another object than ``get_object``'s (an action's
    result) sets ``etag_object`` to it."""

    etag_object = None

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS:
            self.check_preconditions(obj)
        self.etag_object = obj
        return obj

    def check_preconditions(self, obj) -> None:
        """Lock the row this change changes (a partial PATCH then writes its fields over the
        current values of the others: no lost update) and refuse it unless ``If-Match`` names
        the object as it is now."""
        header = self.request.headers.get("If-Match", "").strip()
        if not header and self.request.method in ("PUT", "PATCH", "DELETE") and settings.API_REQUIRE_IF_MATCH:
            raise PreconditionRequired()
        lock_rows(type(obj), [obj.pk])
        obj.refresh_from_db()  # the current values, now that nobody else can change them
        if not header or header == "*":
            return
        if isinstance(obj, VersionedModel):
            if if_match_version(self.request) != obj.version:
                raise PreconditionFailed()
        elif self.representation_etag(obj) not in entity_tags(header):
            raise PreconditionFailed(
                "This record was changed since you read it (its ETag is no longer the one you sent); "
                "read it again and resend your change."
            )

    def representation_etag(self, obj) -> str:
        """The ETag a GET of ``obj`` answers: serialized by the view's own serializer (not an
        action's), rendered by its first renderer, as a plain GET would be."""
        renderer = self.renderer_classes[0]()
        serializer_class = type(self).serializer_class or self.get_serializer_class()
        data = serializer_class(obj, context=self.get_serializer_context()).data
        return body_etag(renderer.render(data, renderer.media_type, {"request": self.request, "view": self}))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not isinstance(response, Response) or response.status_code >= 300 or request.method == "DELETE":
            return response
        if response.status_code == status.HTTP_201_CREATED and not response.has_header("Location"):
            self._locate_created(response)
        obj = self.etag_object
        if isinstance(obj, VersionedModel):
            response["ETag"] = f'"{obj.version}"'
        elif request.method == "POST" and isinstance(response.data, dict):
            version = response.data.get("version")  # a created record's
            if isinstance(version, int):
                response["ETag"] = f'"{version}"'
        if request.method not in ("GET", "HEAD", "PUT", "PATCH"):
            return response
        if not response.has_header("ETag"):  # a change answers the new representation: its ETag too
            response.render()  # here, inside the request's tenant scope (ScopedQuerysetMixin)
            response["ETag"] = body_etag(response.content)
        if request.method in ("PUT", "PATCH"):
            return response
        return self._not_modified(request, response) or response

    def _not_modified(self, request, response):
        """A 304 standing for ``response`` when the client's ``If-None-Match`` names its ETag."""
        header = request.headers.get("If-None-Match", "").strip()
        if not header or (header != "*" and response["ETag"] not in entity_tags(header)):
            return None
        not_modified = HttpResponseNotModified()
        for name, value in response.items():
            if name.lower() not in BODY_HEADERS:
                not_modified[name] = value
        return not_modified

    def _locate_created(self, response) -> None:
        """``Location``: the created object's ``url`` field, else its detail route."""
        data = response.data
        if not isinstance(data, dict):
            return  # a bulk create: no single object
        if isinstance(data.get("url"), str):
            response["Location"] = data["url"]
        elif data.get("id") is not None and not getattr(self, "detail", False) and getattr(self, "basename", None):
            with suppress(NoReverseMatch):  # no detail route to point at: no Location
                response["Location"] = self.reverse_action("detail", args=[data["id"]])
