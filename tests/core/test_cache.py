"""The fail-open cache (core.cache): Redis while it answers; this process's memory, a breaker and
one logged warning while it does not. No Redis server is needed: a dead port, or RedisCache's own
calls replaced by ones that fail or succeed as the test says."""

import logging
import socket
import time

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from core import cache as fail_open
from core.cache import FailOpenRedisCache


def dead_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


def backend(url=None, **options):
    return FailOpenRedisCache(url or dead_url(), {"OPTIONS": options, "KEY_PREFIX": "test"})


class FakeRedis:
    """Stands in for RedisCache's calls: fails while ``down``, else serves a dict; counts calls."""

    def __init__(self, monkeypatch):
        self.down = True
        self.calls = 0
        self.data = {}
        monkeypatch.setattr(RedisCache, "get", lambda cache, *args: self.get(cache, *args))
        monkeypatch.setattr(RedisCache, "set", lambda cache, *args: self.set(cache, *args))

    def get(self, cache, key, default=None, version=None):
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused.")
        return self.data.get(key, default)

    def set(self, cache, key, value, timeout=None, version=None):
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused.")
        self.data[key] = value


@pytest.fixture
def clock(monkeypatch):
    """core.cache's monotonic clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(fail_open.time, "monotonic", lambda: now[0])
    return now


def test_every_operation_is_answered_from_memory_when_redis_is_unreachable():
    cache = backend()
    started = time.monotonic()

    cache.set("a", 1)
    assert cache.get("a") == 1
    assert cache.add("b", 2) is True and cache.add("b", 3) is False
    assert cache.incr("b") == 3
    assert cache.get_or_set("c", 4) == 4
    assert cache.set_many({"d": 5, "e": 6}) == []
    assert cache.get_many(["d", "e", "missing"]) == {"d": 5, "e": 6}
    assert cache.has_key("d") and cache.touch("d", 60)
    cache.delete_many(["d", "e"])
    assert cache.delete("a") is True
    assert cache.get_many(["a", "d"]) == {}
    cache.clear()
    assert cache.get("b") is None

    assert time.monotonic() - started < 1  # one refused connection, then the breaker: no waiting


def test_the_fallback_is_one_per_process_and_location():
    url = dead_url()
    backend(url).set("shared", "yes")  # Django makes a cache object per thread: they share the fallback
    assert backend(url).get("shared") == "yes"
    assert backend().get("shared") is None  # another Redis, another fallback


def test_a_short_timeout_and_no_retries_by_default():
    options = backend()._options
    assert options["socket_connect_timeout"] == fail_open.CONNECT_TIMEOUT <= 0.5
    assert options["socket_timeout"] == fail_open.READ_TIMEOUT <= 0.5
    assert options["retry"].get_retries() == 0
    assert "breaker_seconds" not in options  # ours, not redis-py's
    assert backend(socket_timeout=0.1)._options["socket_timeout"] == 0.1


def test_the_breaker_skips_redis_after_a_failure_then_one_call_tries_it_again(monkeypatch, clock, caplog):
    redis = FakeRedis(monkeypatch)
    cache = backend(breaker_seconds=5)
    caplog.set_level(logging.DEBUG, logger="core.cache")

    for _ in range(20):
        cache.set("counter", "local")
        assert cache.get("counter") == "local"
    assert redis.calls == 1  # the first call failed; the other 39 went straight to memory

    clock[0] += 5
    assert cache.get("counter") == "local"  # one probe, still down: back to memory for 5 s more
    assert redis.calls == 2
    assert cache.get("counter") == "local"
    assert redis.calls == 2

    redis.down = False
    clock[0] += 5
    assert cache.get("counter") is None  # Redis again; the counts kept in memory are dropped
    cache.set("counter", "shared")
    assert redis.data and redis.calls == 4
    assert cache.fallback.get("counter") is None

    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings  # one when Redis went away, one when it came back
    assert "unavailable" in warnings[0] and "is back" in warnings[1]


def test_while_one_call_probes_redis_the_others_keep_to_memory(clock):
    breaker = fail_open.Breaker("redis://example:6379/0", seconds=5)
    assert breaker.allows()
    breaker.failed(RedisConnectionError("refused"))
    assert not breaker.allows()
    clock[0] += 5
    assert breaker.allows()  # the probe
    assert not breaker.allows() and not breaker.allows()
    assert breaker.succeeded() is True
    assert breaker.allows() and breaker.succeeded() is False


def test_passwords_stay_out_of_the_log_name():
    cache = backend("redis://:s3cret@127.0.0.1:1/3")
    assert cache.breaker.name == "redis://127.0.0.1:1/3"


def test_errors_that_are_not_an_outage_still_raise(monkeypatch):
    def wrong_type(cache, key, default=None, version=None):
        raise ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value")

    monkeypatch.setattr(RedisCache, "get", wrong_type)
    with pytest.raises(ResponseError):
        backend().get("key")
