"""The API's content negotiation (``DEFAULT_CONTENT_NEGOTIATION_CLASS``).

STAND-IN (foundation of issue 18): branch api-problems replaces this module."""

from rest_framework.negotiation import DefaultContentNegotiation


class ApiContentNegotiation(DefaultContentNegotiation):
    pass
