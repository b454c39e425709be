"""An initiative admin's two-factor enrolment, its one owner: who must set up an authenticator app
before anything else (``InitiativeAdminMFAMiddleware``), where they were going when it stopped them,
and the step they are on (the nav shows only that step; allauth's MFA pages show the steps and lead
on to where they were going)."""

from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.urls import reverse

DESTINATION = "accounts.enrolment.destination"  # session key: where the admin was going


@dataclass(frozen=True)
class Step:
    number: int  # 1: set up the authenticator app, 2: save the recovery codes
    url: str  # the step's page
    destination: str  # where "Continue" leads once the codes are saved


def required(user) -> bool:
    """An initiative admin (or superuser) without a TOTP authenticator may only set one up."""
    return user.is_authenticated and user.scope.is_admin and not is_mfa_enabled(user, [Authenticator.Type.TOTP])


def hold(request, destination: str | None) -> None:
    """Remember where the admin was going when enrolment stopped them (the first stop counts)."""
    request.session.setdefault(DESTINATION, destination or settings.LOGIN_REDIRECT_URL)


def leave(request) -> None:
    """The enrolled admin has moved on to the app: the enrolment is over (the steps' "Done")."""
    if request.session.pop(DESTINATION, None) is not None:
        messages.success(request, "Two-factor authentication is on: each login now asks for a code from your app.")


def step(request) -> Step | None:
    """The step of an enrolment under way, or None."""
    user = request.user
    if not user.is_authenticated or not user.scope.is_admin or DESTINATION not in request.session:
        return None
    destination = request.session[DESTINATION]
    if required(user):
        return Step(1, reverse("mfa_activate_totp"), destination)
    return Step(2, reverse("mfa_view_recovery_codes"), destination)
