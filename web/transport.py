"""How API responses travel: rate-limit headers, compression, date-times in UTC."""

import datetime
import math

from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from rest_framework import serializers

# Compressed when the client accepts gzip: data only. HTML pages carry the CSRF token, and
# compressing a secret next to text the attacker can inject leaks it (BREACH); PDF and XLSX
# are compressed already.
COMPRESSED_MEDIA_TYPES = {"application/json", "text/csv"}


class RateLimitHeadersMixin:
    """Every authenticated API response says where the client stands against its most restrictive
    throttle, the IETF draft's way (``RateLimit-Limit``, ``-Remaining``, ``-Reset`` in seconds)
    and GitHub's (``X-RateLimit-*``, reset as epoch seconds), so a client slows down before a 429."""

    _throttles = None

    def get_throttles(self):
        """The same throttle instances for the check and for the headers: each keeps the request
        history it read from the cache."""
        if self._throttles is None:
            self._throttles = super().get_throttles()
        return self._throttles

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        standing = tightest_standing(self._throttles or ())
        if standing is not None:
            limit, remaining, reset, now = standing
            response["RateLimit-Limit"] = str(limit)
            response["RateLimit-Remaining"] = str(remaining)
            response["RateLimit-Reset"] = str(reset)
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(remaining)
            response["X-RateLimit-Reset"] = str(math.ceil(now) + reset)
        return response


def tightest_standing(throttles):
    """(limit, remaining, seconds until one more request is allowed, now) of the throttle with the
    fewest requests left; None when no throttle counted this request (e.g. a token throttle for a
    session). DRF's throttles keep a sliding window: the oldest counted request leaves it first."""
    standings = []
    for throttle in throttles:
        history = getattr(throttle, "history", None)
        if getattr(throttle, "key", None) is None or history is None:
            continue
        remaining = max(throttle.num_requests - len(history), 0)
        reset = math.ceil(history[-1] + throttle.duration - throttle.now) if history else 0
        standings.append((remaining, -reset, throttle.num_requests, throttle.now))
    if not standings:
        return None
    remaining, minus_reset, limit, now = min(standings)
    return limit, remaining, max(-minus_reset, 0), now


class ApiGZipMiddleware(GZipMiddleware):
    """Django's gzip for data responses only (JSON, problem JSON, CSV): a zones list is about ten
    times smaller. Never HTML (BREACH, see ``COMPRESSED_MEDIA_TYPES``)."""

    def process_response(self, request, response):
        media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type in COMPRESSED_MEDIA_TYPES or media_type.endswith("+json"):
            return super().process_response(request, response)
        return response


class UtcDateTimeField(serializers.DateTimeField):
    """A date-time leaves the API in UTC (``2026-03-01T14:05:00Z``), whatever the site's time zone
    (pages show local time). Input with any offset is read as given; one without an offset is
    the site's local time, as before. The API's model serializers map every model DateTimeField
    to it (WebConfig.ready)."""

    def to_representation(self, value):
        with timezone.override(datetime.UTC):
            return super().to_representation(value)
