import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: people join by accepting an invitation."""

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app, **kwargs):
        """allauth counts only an explicit re-authentication as recent, yet a sign-in a moment ago
        proves as much: within allauth's window (ACCOUNT_REAUTHENTICATION_TIMEOUT) after signing in,
        nobody is asked again for the password they just typed (an admin sets up two-factor right
        after the login with one password). Past the window, sensitive actions ask as before."""
        if self.request is not None and signed_in_recently(self.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def signed_in_recently(request) -> bool:
    """Whether the session's user last proved who they are (sign-in or re-authentication, by a
    method allauth accepts for re-authentication) within allauth's re-authentication window."""
    times = [
        record["at"]
        for record in get_authentication_records(request, request.user)
        if record.get("method") in account_settings.REAUTHENTICATION_METHODS
    ]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT
