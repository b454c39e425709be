"""API paths without their trailing slash.

STAND-IN (foundation of issue 18): branch api-problems replaces this module."""


class ApiSlashMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
