"""API paths without their trailing slash.

Django's APPEND_SLASH answers such a path with a redirect, which an HTTP client follows as a GET:
a POST, PUT, PATCH or DELETE would be lost while the client sees a success (and with DEBUG, Django
refuses with a 500). Under /api/ the request is served as the slashed path instead."""

from django.urls import Resolver404, resolve

from web.problems import api_not_found

API_PREFIX = "/api/"


def _api_view(path: str, urlconf):
    """The API view that serves ``path``, or None when only the JSON 404 of unknown routes would."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return None if match.func is api_not_found else match.func


class ApiSlashMiddleware:
    """An /api/ path without its trailing slash whose slashed form is an API route is served as that
    route, whatever the method (no redirect); any other unknown path is the JSON 404. Other pages
    keep CommonMiddleware's redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(API_PREFIX) and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if _api_view(path, urlconf) is None and _api_view(path + "/", urlconf) is not None:
                request.path_info = path + "/"
                request.path = request.path + "/"
        return self.get_response(request)
