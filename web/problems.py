"""Every API error as RFC 9457 problem details (``EXCEPTION_HANDLER``), and the JSON 404 of an
unknown route under /api/.

STAND-IN (foundation of issue 18): branch api-problems replaces this module."""

from django.http import JsonResponse
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    return drf_exception_handler(exc, context)


def api_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)


class CorrelationIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
