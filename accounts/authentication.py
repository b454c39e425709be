"""REST API authentication by named API token, and throttling per token."""

from rest_framework import authentication, exceptions, throttling

from .models import ApiToken
from .tokens import active_token_for_key, user_for_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>`` (or ``Token <key>``). ``request.auth`` is the ApiToken and
    ``request.user`` sees and changes only what the token's membership allows. The token's use is
    recorded after the response, outside the request's transaction (TokenUseMiddleware)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send 'Authorization: Bearer <key>' with the key and nothing else.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token.") from error
        token = active_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        request._request.api_token = token  # its use is recorded after the response (TokenUseMiddleware)
        return user_for_token(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenRateThrottle(throttling.SimpleRateThrottle):
    """Limits each API token separately (rate ``api_token``); session requests are not counted."""

    scope = "api_token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
