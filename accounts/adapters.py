from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Public sign-up is closed: people join by accepting an invitation."""

    def is_open_for_signup(self, request):
        return False
