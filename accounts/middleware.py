import contextvars
import logging
from importlib import import_module

import allauth.urls
from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import URLResolver

from core.tenancy import reach_scope

from . import enrolment
from .tokens import mark_used

logger = logging.getLogger(__name__)


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.callback


# allauth's own views (login, logout, email, password, two-factor), matched by the view itself: the
# admin's pages for allauth's models have look-alike URL names ("mfa_authenticator_changelist").
ALLAUTH_VIEWS = frozenset(_views(allauth.urls.urlpatterns))


class TenantScopeMiddleware:
    """Every request runs inside the django-scopes scope of its user (the fail-closed wall, see
    core.tenancy): an initiative admin or superuser (pages and Django admin) every state, anyone
    else only the rows ``visible_to`` them, anonymous visitors none. This is the one place pages and
    the admin are scoped: a view reads ``Model.objects`` and gets what its user may see. API token
    requests are authenticated inside the view and re-enter their token's scope there (web.rest).

    The URLconf, and with it every view, form and serializer module, is imported here at startup
    in an empty context, outside any scope: querysets those modules build at import then take the
    scope of the request that uses them, instead of the scope of the first request that imported
    them."""

    def __init__(self, get_response):
        self.get_response = get_response
        contextvars.Context().run(import_module, settings.ROOT_URLCONF)

    def __call__(self, request):
        with reach_scope(request.user):
            return self.get_response(request)


class TokenUseMiddleware:
    """Records an API token's use (``last_used_at``) once its request has answered, outside the
    request's transaction (ATOMIC_REQUESTS wraps the view only): a request never holds the token's
    row while it works, so requests sharing a token never wait for each other, and a use counts
    even when the request failed and its transaction rolled back. Bookkeeping never fails a request:
    if the database refuses it, the next use tries again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "api_token", None)  # set by ApiTokenAuthentication
        if token is not None:
            try:
                mark_used(token)
            except DatabaseError:
                logger.warning("Could not record the use of API token %s.", token.pk, exc_info=True)
        return response


class InitiativeAdminMFAMiddleware:
    """An initiative admin without a TOTP authenticator is sent to set one up before anything else,
    the Django admin included (the rule: ``accounts.enrolment``); where they were going is kept for
    the "Continue" after the recovery codes, and forgotten once they reach the app enrolled.

    allauth's own pages (login, logout, email, password, two-factor) stay reachable so the admin
    can complete the setup or leave.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.scope.is_admin:
            return None
        allauths = request.resolver_match.func in ALLAUTH_VIEWS
        if not enrolment.required(user):
            if not allauths:
                enrolment.leave(request)
            return None
        enrolment.hold(request, None if allauths or request.method != "GET" else request.get_full_path())
        return None if allauths else redirect("mfa_activate_totp")
