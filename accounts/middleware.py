import allauth.urls
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import URLResolver


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.callback


# allauth's own views (login, logout, email, password, two-factor), matched by the view itself: the
# admin's pages for allauth's models have look-alike URL names ("mfa_authenticator_changelist").
ALLAUTH_VIEWS = frozenset(_views(allauth.urls.urlpatterns))


class InitiativeAdminMFAMiddleware:
    """An initiative admin without a TOTP authenticator is sent to set one up before anything else,
    the Django admin included.

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
        if request.resolver_match.func in ALLAUTH_VIEWS:
            return None
        if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return None
        messages.warning(request, "Initiative admins must set up two-factor authentication before continuing.")
        return redirect("mfa_activate_totp")
