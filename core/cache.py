"""The cache that fails open: Redis while it answers, this process's memory while it does not.

What the project keeps in its cache can be lost without harm: API throttle counts (DRF), allauth's
login rate limits, the brake on forced report renders. So an unreachable, slow, read-only or full
Redis must cost a request at most one short timeout, never an error:

- every Redis call has short connect and read timeouts (``socket_connect_timeout`` and
  ``socket_timeout``, 0.5 s by default) and no retries;
- a failure (connection refused, timeout, Redis read-only or out of memory) is logged once, the
  call is answered from a local fallback (Django's ``LocMemCache``, one per process, shared by its
  threads), and a breaker sends every call of the process to the fallback for ``breaker_seconds``;
- then one call tries Redis again (the others keep to the fallback meanwhile): if it answers, the
  cache is Redis again (logged once) and the fallback is emptied, so stale counts cannot return at
  the next outage.

While Redis is away, limits are counted per process (a client may get up to N times its rate with
N processes): throttling fails open, it never fails the request. Shared limits return with Redis.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What "Redis is not available" looks like; anything else (a bad key, a wrong type) still raises.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, OutOfMemoryError)

CONNECT_TIMEOUT = 0.5  # seconds
READ_TIMEOUT = 0.5
BREAKER_SECONDS = 5.0
FALLBACK_MAX_ENTRIES = 10_000  # a counter per client and limit (LocMemCache's default, 300, would cull them)


class Breaker:
    """Whether this process should try Redis now. Closed: yes. Open (after a failure): no, until
    ``seconds`` have passed; then one caller may try (and reopens it for the others meanwhile)."""

    def __init__(self, name: str, seconds: float):
        self.name = name
        self.seconds = seconds
        self._lock = threading.Lock()
        self._open_until: float | None = None

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def allows(self) -> bool:
        with self._lock:
            if self._open_until is None:
                return True
            now = time.monotonic()
            if now < self._open_until:
                return False
            self._open_until = now + self.seconds  # this caller probes; the others wait for its answer
            return True

    def failed(self, error: Exception) -> None:
        with self._lock:
            was_closed = self._open_until is None
            self._open_until = time.monotonic() + self.seconds
        if was_closed:
            logger.warning(
                "Cache: Redis at %s unavailable (%s: %s); using this process's memory, retrying every %ss.",
                self.name,
                type(error).__name__,
                error,
                self.seconds,
            )
        else:
            logger.debug("Cache: Redis at %s still unavailable (%s).", self.name, type(error).__name__)

    def succeeded(self) -> bool:
        """Record that Redis answered; True if that ends an outage."""
        if self._open_until is None:  # the common case, without the lock
            return False
        with self._lock:
            if self._open_until is None:
                return False
            self._open_until = None
        logger.warning("Cache: Redis at %s is back; using it again.", self.name)
        return True


# One breaker per Redis location and process: Django makes a cache object per thread.
_breakers: dict[tuple, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(servers, seconds: float) -> Breaker:
    key = (tuple(servers), seconds)
    with _breakers_lock:
        if key not in _breakers:
            _breakers[key] = Breaker(", ".join(_without_password(server) for server in servers), seconds)
        return _breakers[key]


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache with short timeouts, a local fallback and a breaker (see the module).

    OPTIONS: ``breaker_seconds`` (default 5) and redis-py's connection options; unless given,
    ``socket_connect_timeout`` and ``socket_timeout`` are 0.5 s and calls are not retried."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        seconds = float(options.pop("breaker_seconds", BREAKER_SECONDS))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", READ_TIMEOUT)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(self._servers, seconds)
        # LocMemCache shares its storage between instances of one name: one fallback per process.
        fallback_options = {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}
        self.fallback = LocMemCache(f"fail-open {self.breaker.name}", {**params, "OPTIONS": fallback_options})

    def _call(self, name, *args, **kwargs):
        if self.breaker.allows():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except UNAVAILABLE as error:
                self.breaker.failed(error)
            else:
                if self.breaker.succeeded():
                    self.fallback.clear()
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        """Empty both: Redis (when it answers) and this process's fallback."""
        self.fallback.clear()
        return self._call("clear")
