"""How API responses travel: rate-limit headers, compression.

STAND-IN (foundation of issue 18): branch api-transport replaces this module."""


class RateLimitHeadersMixin:
    pass


class ApiGZipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
