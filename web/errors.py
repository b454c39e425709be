"""The site's error pages (403, 404, 500 and a form refused by the CSRF check) on the app's own
layout: what happened in plain words and where to go from here. The API keeps its problem JSON
(``web.problems``): its views answer their own errors, and unknown /api/ paths are its JSON 404.

A 403 shows the refusal's message (the app's ``PermissionDenied`` messages are written for the
reader, and the API shows them too); a 404 shows only the message of a ``ReaderNotFound``: another
``Http404`` may name a model, and "not yours" must read like "does not exist"."""

from django.http import Http404, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

from web.files import StorageUnavailable


class ReaderNotFound(Http404):
    """A 404 whose message is written for the reader (e.g. an invitation link already used)."""


def _back(request) -> str:
    """The page the reader came from, when it is one of ours and not this one (else "")."""
    referer = request.META.get("HTTP_REFERER", "")
    ours = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    return referer if referer and ours and referer != request.build_absolute_uri() else ""


def _page(request, template_name: str, status: int, reason: str = "") -> HttpResponse:
    context = {"reason": reason, "back": _back(request)}
    return HttpResponse(loader.render_to_string(template_name, context, request), status=status)


def page_not_found(request, exception):
    return _page(request, "404.html", 404, str(exception) if isinstance(exception, ReaderNotFound) else "")


def permission_denied(request, exception):
    return _page(request, "403.html", 403, str(exception or ""))


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: a form sent from a page that is too old (or from elsewhere) is refused;
    Django's reason is for the log, not the page."""
    return _page(request, "403_csrf.html", 403)


class UnavailableMiddleware:
    """A page whose dependency is down for a moment (``web.files.StorageUnavailable``) answers the
    503 page with Retry-After, not the 500 page; the API answers its own problem JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            response = _page(request, "503.html", 503, str(exception.detail))
            response["Retry-After"] = str(exception.wait)
            return response
        return None


def server_error(request):
    """Rendered without the request's context: whatever failed (the database, a context processor)
    must not fail this page too. The reference is the request's correlation id, also in the log."""
    context = {"correlation_id": getattr(request, "correlation_id", "")}
    return HttpResponseServerError(loader.render_to_string("500.html", context))
