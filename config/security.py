"""Protections at the HTTP edge that Django's own settings do not cover: oversized request bodies
refused from their headers, and the security headers on static files (served by WhiteNoise, which
answers before the middleware that adds them to every other response)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from imports.reading import MAX_UPLOAD_BYTES

API_PREFIX = "/api/"


def body_limit(request) -> int:
    """The largest body a request may carry: form and JSON data up to Django's limit; a multipart
    form may add one uploaded file (imports and bulk measurements) up to the upload limit."""
    if request.content_type == "multipart/form-data":
        return MAX_UPLOAD_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    """Refuse a body larger than the limit from its Content-Length, before any of it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a valid length
        limit = body_limit(request)
        if length > limit:
            return too_large(request, length, limit)
        return self.get_response(request)


def too_large(request, length: int, limit: int) -> HttpResponse:
    detail = f"The request body is {length / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:.0f} MB."
    if request.content_type == "multipart/form-data":
        detail += f" An uploaded file may be at most {MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB."
    if request.path_info.startswith(API_PREFIX):
        from web.problems import PROBLEM_CONTENT_TYPE, problem_details  # settings import this module: no models yet

        problem = problem_details(413, "Request body too large", detail, code="too_large")
        return JsonResponse(problem, status=413, content_type=PROBLEM_CONTENT_TYPE)
    page = f"<!doctype html><title>Request too large</title><h1>Request too large</h1><p>{escape(detail)}</p>"
    return HttpResponse(page, status=413)


def static_file_headers(headers, path, url):
    """WHITENOISE_ADD_HEADERS_FUNCTION: the page policy and framing rule on static files too (an
    SVG opened directly is a document that could run script)."""
    from csp.utils import build_policy

    headers["Content-Security-Policy"] = build_policy()
    headers["X-Frame-Options"] = settings.X_FRAME_OPTIONS
