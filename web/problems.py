"""Every API error as RFC 9457 problem details (``EXCEPTION_HANDLER``), the JSON 404 of an unknown
route under /api/, and the request's correlation id (``X-Request-ID``) that each problem and the
server's log line of an error carry, so a client's report can be matched to the server's log.

A problem is ``{type, title, status, detail, code, correlation_id}``, plus ``errors`` (one per
invalid field) on a 400, plus any members the refusal carries (``existing`` of a duplicate,
``blocked_by`` of a delete other records prevent: see ``carrying``)."""

import logging
import re
import uuid
from http import HTTPStatus

from django.conf import settings
from django.core import signals
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from core.correlation import bind_correlation_id, correlation_id, reset_correlation_id
from web.renderers import OrjsonRenderer

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE = "urn:zone-portfolio:problem:"

logger = logging.getLogger(__name__)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text='The field ("schools.0.name" when nested); "" for the whole object.')
    code = serializers.CharField(help_text="Machine-readable, e.g. required, invalid, unique, blank.")
    message = serializers.CharField()


class ProblemDetailsSerializer(serializers.Serializer):
    """RFC 9457 problem details: the body of every error response (``application/problem+json``)."""

    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Machine-readable kind of problem, e.g. invalid, not_found, stale.")
    correlation_id = serializers.CharField(help_text="Also the X-Request-ID response header and in the server's log.")
    errors = FieldErrorSerializer(many=True, required=False, help_text="Each invalid field (400 and 422 only).")


# --- the correlation id ---

CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class CorrelationIdMiddleware:
    """Gives each request an id: the client's ``X-Request-ID`` when it is a plain token of at most
    64 characters (a client's own tracing id), else a new one; it is ``request.correlation_id``,
    the ``X-Request-ID`` of the response and the ``correlation_id`` of problems and log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.correlation_id = incoming if CLIENT_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = bind_correlation_id(request.correlation_id)
        try:
            response = self.get_response(request)
        finally:
            reset_correlation_id(token)
        response["X-Request-ID"] = request.correlation_id
        return response


# --- problem details ---


def problem_details(status_code: int, title: str, detail: str, *, code: str | None = None, **extra) -> dict:
    """RFC 9457 problem details (``extra``: members beyond the standard ones); ``code`` defaults to
    the status's name, e.g. ``insufficient_storage``."""
    code = code or HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    return {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
        "correlation_id": correlation_id(),
        **extra,
    }


def problem_response(status_code: int, title: str, detail: str, *, code: str | None = None, **extra) -> Response:
    """An RFC 9457 problem details response."""
    problem = problem_details(status_code, title, detail, code=code, **extra)
    return Response(problem, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def carrying(exc: exceptions.APIException, **members) -> exceptions.APIException:
    """``exc`` whose problem details add ``members`` (e.g. ``blocked_by``)."""
    exc.problem_members = members
    return exc


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class ServerError(exceptions.APIException):
    default_detail = "Something went wrong on our side; quote the correlation id when you report it."
    default_code = "server_error"


# A short title per kind of problem (by code); any other code is titled by its status.
TITLES = {
    "invalid": "Invalid input",
    "parse_error": "Malformed request body",
    "not_authenticated": "Authentication required",
    "authentication_failed": "Authentication failed",
    "permission_denied": "Not allowed",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Not acceptable",
    "unsupported_media_type": "Unsupported media type",
    "throttled": "Too many requests",
    "conflict": "Still in use",
    "write_conflict": "Concurrent change",
    "state_conflict": "Not allowed in this state",
    "stale": "Changed since you read it",
    "too_large": "Request body too large",
    "server_error": "Internal server error",
    "invalid_changed_since": "Invalid changed_since",
    "invalid_sync_cursor": "Invalid sync cursor",
    "computed_resource": "Computed resource",
    "changes_expired": "Changes expired",
}


def as_api_exception(exc) -> exceptions.APIException | None:
    """Django's own refusals as the API's exceptions; None for an unexpected exception."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound()  # Http404's message may name a model: the client gets the plain one
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args[:1])
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return PayloadTooLarge(f"The request body is larger than {limit:g} MB (uploaded files aside).")
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return exceptions.ParseError(f"The request has more than {limit:,} form fields.")
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ParseError(f"The request has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files.")
    return None


def field_errors(detail, path: str = "") -> list[dict]:
    """A ValidationError's detail as ``[{field, code, message}]``: nested serializers and list items
    by dotted path (``schools.0.name``); errors about a whole object under its path ("" at the top)."""
    if isinstance(detail, exceptions.ErrorDetail):
        return [{"field": path, "code": detail.code or "invalid", "message": str(detail)}]
    if isinstance(detail, dict):
        whole = {api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS}
        return [
            error
            for key, value in detail.items()
            for error in field_errors(value, path if key in whole else f"{path}.{key}".lstrip("."))
        ]
    if isinstance(detail, list):  # messages about the path, or the items of a list body or field
        return [
            error
            for index, item in enumerate(detail)
            for error in field_errors(item, path if isinstance(item, str) else f"{path}.{index}".lstrip("."))
        ]
    return []


def _holds_errors(value) -> bool:
    """Whether a member of a ValidationError's detail is error messages (not ``existing``'s {id, url})."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return any(_holds_errors(item) for item in value)
    return isinstance(value, exceptions.ErrorDetail)


def invalid_problem(exc: exceptions.ValidationError) -> tuple[str, dict]:
    """The detail sentence and members of a 400: each field error, and the members a refusal
    carries in its detail beside them (a duplicate's ``existing``)."""
    detail = exc.detail
    members = {}
    if isinstance(detail, dict):
        members = {key: value for key, value in detail.items() if not _holds_errors(value)}
        detail = {key: value for key, value in detail.items() if key not in members}
    errors = field_errors(detail)
    if len(errors) == 1:
        error = errors[0]
        sentence = f"{error['field']}: {error['message']}" if error["field"] else error["message"]
    else:
        fields = sorted({error["field"] or "(the whole object)" for error in errors})
        sentence = f"{len(errors)} problems with the request ({', '.join(fields)}); see errors."
    return sentence, {**members, "errors": errors}


def exception_handler(exc, context):
    """Every error of an API view as problem details, also an unexpected exception (a 500 whose
    traceback is logged with the correlation id, and not shown to the client)."""
    request = context.get("request")
    cid = getattr(request, "correlation_id", None) or correlation_id()
    problem = as_api_exception(exc)
    if problem is None:
        method, path = getattr(request, "method", "?"), getattr(request, "path", "?")
        logger.error(
            "Unexpected error answering %s %s (correlation id %s)",
            method,
            path,
            cid,
            exc_info=(type(exc), exc, exc.__traceback__),
            extra={"correlation_id": cid},
        )
        signals.got_request_exception.send(sender=None, request=getattr(request, "_request", request))
        problem = ServerError()
    if isinstance(problem, exceptions.ValidationError):
        code = problem.default_code
        detail, members = invalid_problem(problem)
    else:
        code = problem.get_codes() if isinstance(problem.get_codes(), str) else problem.default_code
        detail, members = _sentence(problem.detail), {}
    members.update(getattr(problem, "problem_members", {}))
    headers = {}
    if getattr(problem, "auth_header", None):
        headers["WWW-Authenticate"] = problem.auth_header
    if getattr(problem, "wait", None):
        headers["Retry-After"] = str(int(problem.wait))
    set_rollback()
    answer_as_problem(request)
    title = TITLES.get(code) or HTTPStatus(problem.status_code).phrase
    body = problem_details(problem.status_code, title, detail, code=code, correlation_id=cid, **members)
    return Response(body, status=problem.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _sentence(detail) -> str:
    """An exception's detail as one sentence (an APIException may carry a list or a dict)."""
    if isinstance(detail, dict):
        detail = list(detail.values())
    if isinstance(detail, list):
        return " ".join(_sentence(item) for item in detail)
    return str(detail)


def answer_as_problem(request) -> None:
    """An error is JSON whatever the request accepts (HTML of the browsable API, CSV of a list)."""
    if request is not None:
        request.accepted_renderer = OrjsonRenderer()
        request.accepted_media_type = PROBLEM_CONTENT_TYPE


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any other path under /api/, whatever the method: a JSON 404 (not the site's HTML page)."""
    problem = problem_details(404, TITLES["not_found"], f"No API endpoint at {request.path}.", code="not_found")
    return JsonResponse(problem, status=404, content_type=PROBLEM_CONTENT_TYPE)
