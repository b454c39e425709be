"""Every API error as RFC 9457 problem details (``EXCEPTION_HANDLER``), and the JSON 404 of an
unknown route under /api/.

STAND-IN (foundation of issue 18): branch api-problems replaces this module; the serializers'
fields are the contract the schema (branch api-schema) documents."""

from django.http import JsonResponse
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


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


def exception_handler(exc, context):
    return drf_exception_handler(exc, context)


def api_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)


class CorrelationIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
