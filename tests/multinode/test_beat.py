"""Two celery beat processes started at once (a rolling deploy, a second replica by mistake): each
periodic task is still sent once per tick, by the beat that leads; when that one dies, the other takes
over within ``BEAT_LEADER_SECONDS`` (config/beat.py)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from tests.faults.workers import PROJECT, REDIS_URL, wait_for
from tests.testdb import database_url

TASK = "web.tasks.purge_expired_idempotency_keys"  # harmless, and no worker runs here: messages stay queued
LEADER_SECONDS = 3


class Beat:
    def __init__(self, name: str, log_dir: Path):
        self.log_path = log_dir / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "BEAT_LEADER_SECONDS": str(LEADER_SECONDS),
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"]
        command += ["--pidfile", str(log_dir / f"{name}.pid")]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def beats(broker, tmp_path):
    started = []

    def start(name):
        started.append(Beat(name, tmp_path))
        return started[-1]

    yield start
    for beat in started:
        beat.kill()


def sent() -> list[int]:
    """The process id of the beat that sent each queued ``TASK`` message, in order."""
    client = redis.Redis.from_url(REDIS_URL)
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    client.close()
    # Celery's "origin" header is "gen<pid>@<host>": the producing process.
    origins = [m["headers"]["origin"] for m in reversed(messages) if m["headers"]["task"] == TASK]
    return [int(origin.removeprefix("gen").split("@")[0]) for origin in origins]


def test_two_beats_send_each_tick_once_and_the_survivor_takes_over(beats):
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="every second", task=TASK, interval=every_second)
    first, second = beats("beat-1"), beats("beat-2")
    wait_for(lambda: "Beat leads" in first.log() + second.log(), 60, "a beat leads")
    started = time.monotonic()
    wait_for(lambda: len(sent()) >= 6, 30, "six ticks sent")
    elapsed = time.monotonic() - started

    pids = sent()
    leader = first if first.process.pid in pids else second
    follower = second if leader is first else first
    assert set(pids) == {leader.process.pid}, "only the leading beat sends"
    assert len(pids) <= elapsed + 2, f"{len(pids)} sends in {elapsed:.1f} s: a tick was sent twice"
    assert "Beat leads" not in follower.log()

    leader.kill()  # kill -9: no hand-over, the lock expires
    took_over = wait_for(
        lambda: follower.process.pid in sent() and time.monotonic(), LEADER_SECONDS + 30, "the other beat takes over"
    )
    assert follower.process.poll() is None
    before = len(sent())
    time.sleep(3)
    assert len(sent()) - before <= 3 + 1  # still once per second, now from the survivor
    assert took_over - started < 60
