"""``Idempotency-Key`` on every API POST (draft-ietf-httpapi-idempotency-key-header, as Stripe
does it), so a client may retry a POST whose answer it lost without doing the work twice.

A POST with ``Idempotency-Key: <1–255 printable characters>`` (quoted as the draft's
structured-field string, or not) claims the key for its user before the view runs: the claim is a
row inserted first (unique per user and key), never a read-then-write, so of two concurrent
requests with one key only one runs. Then:

- a retry with the same key, method, path and body answers the stored response (status, body,
  Content-Type, Location, ETag) with ``Idempotent-Replayed: true``; nothing runs again;
- the same key with another body, method or path → 422 ``idempotency_key_reused``;
- the same key while the first request is still in flight → 409 ``idempotency_key_in_use``;
- keys are per user: one user's key never replays (or blocks) another's; a token's requests are
  its user's (the token is recorded);
- after ``IDEMPOTENCY_KEY_TTL`` seconds (24 h) a key is forgotten: not replayed, runs again
  (``web.tasks.purge_expired_idempotency_keys`` deletes the rows).

Which responses are kept: the final ones, 2xx and 4xx, as the draft and Stripe keep them (a
retry of a refused request gets the same refusal; to correct the body, use a new key). Not kept,
so the key is free again: 5xx (the failure may be transient; the request's work was rolled back)
and the 4xx that say "try again later" (408, 409, 412, 423, 425, 428, 429), whose retry may
rightly succeed.

The view runs in a savepoint of the request's transaction (ATOMIC_REQUESTS), so a refused request
rolls back its work but its answer is still recorded in the request's transaction."""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response

from web.models import IdempotencyRecord

KEY = re.compile(r"[\x20-\x7e]{1,255}")
# 4xx answers that say "not now" rather than "never": not replayed, the key is free again.
TRANSIENT = {408, 409, 412, 423, 425, 428, 429}
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


class InvalidIdempotencyKey(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Idempotency-Key must be 1 to 255 printable ASCII characters."
    default_code = "invalid_idempotency_key"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was used for another request (a different body, method or path); "
        "use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class IdempotencyKeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry once it has answered."
    default_code = "idempotency_key_in_use"


class Replay(Exception):
    """Raised from ``initial`` to answer a retry with the stored response instead of running the view."""

    def __init__(self, record):
        self.record = record


def idempotency_key(request) -> str | None:
    """The request's key (None without the header); 400 for a malformed one."""
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # the draft's sf-string form
        key = key[1:-1]
    if not KEY.fullmatch(key):
        raise InvalidIdempotencyKey()
    return key


def body_digest(request) -> str:
    """SHA-256 of the request body: the raw bytes, or for a multipart upload (which Django does not
    keep in memory) its fields and each file's content."""
    digest = hashlib.sha256()
    if request.content_type.startswith("multipart/"):
        for name, values in sorted(request.data.lists()):
            for value in values:
                digest.update(f"\x00{name}\x00".encode())
                if hasattr(value, "chunks"):
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
    else:
        digest.update(request.body)
    return digest.hexdigest()


def held_elsewhere(user_id: int, key: str) -> bool:
    """Whether another request holds this key right now. Under ATOMIC_REQUESTS a first request's
    claim is not visible until it commits and a duplicate's insert would wait on the unique index;
    on PostgreSQL a transaction-scoped advisory lock, tried without waiting, answers at once (409).
    Elsewhere (SQLite: one writer at a time) the unique index alone decides."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"idempotency:{user_id}:{key}"])
        return not cursor.fetchone()[0]


def replay_response(record) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def kept(response) -> bool:
    """Whether a response is final, so a retry with the same key gets it again (module docstring)."""
    code = response.status_code
    return not getattr(response, "streaming", False) and 200 <= code < 500 and code not in TRANSIENT


class IdempotencyMixin:
    """Idempotency-Key for every POST of the view (see the module)."""

    idempotency_record = None  # the claim this request holds

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST" or "Idempotency-Key" not in request.headers:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():  # a refused request rolls back to here, its claim with it
            response = super().dispatch(request, *args, **kwargs)
        self._keep_answer()
        return response

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated, authorized and throttled first
        key = idempotency_key(request) if request.method == "POST" else None
        if key is not None and request.user.is_authenticated:
            self.idempotency_record = self._claim(request, key)

    def _claim(self, request, key: str):
        """The new claim of ``key``; or Replay / 422 / 409 when the key is taken (module docstring)."""
        now = timezone.now()
        claim = IdempotencyRecord(
            user=request.user,
            token_id=getattr(request.auth, "pk", None),
            key=key,
            method=request.method,
            path=request.path,
            body_sha256=body_digest(request),
            created_at=now,
            expires_at=now + timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL),
        )
        if held_elsewhere(request.user.pk, key):
            raise IdempotencyKeyInUse()
        for _attempt in range(2):  # a second time once an expired claim is deleted
            try:
                with transaction.atomic():
                    claim.save(force_insert=True)
                return claim
            except IntegrityError:
                earlier = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
            if earlier is None or earlier.expires_at <= now:  # forgotten: claim it anew
                IdempotencyRecord.objects.filter(user=request.user, key=key, expires_at__lte=now).delete()
                continue
            if (earlier.method, earlier.path, earlier.body_sha256) != (claim.method, claim.path, claim.body_sha256):
                raise IdempotencyKeyReused()
            if earlier.status is None:
                raise IdempotencyKeyInUse()
            raise Replay(earlier)
        raise IdempotencyKeyInUse()

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return replay_response(exc.record)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = self.idempotency_record
        if record is not None and kept(response):
            if isinstance(response, Response):
                response.render()  # here, inside the request's tenant scope (ScopedQuerysetMixin)
            record.status = response.status_code
            record.body = response.content
            record.headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
        return response

    def _keep_answer(self) -> None:
        """Record the final answer in the request's transaction (the claim is gone if the view's
        savepoint rolled back: it is inserted again), or free a key whose answer is not kept."""
        record = self.idempotency_record
        if record is None:
            return
        if record.status is None:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return
        try:
            with transaction.atomic():
                record.save()  # an update, or an insert when the refusal rolled the claim back
        except IntegrityError:
            pass  # another request claimed the key in between: it answers the retries
