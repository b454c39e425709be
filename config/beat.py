"""Celery beat that sends each periodic task once per tick, however many beat processes run.

One beat is deployed (docker-compose's ``beat`` service, the Kubernetes beat Deployment of one replica),
but two can overlap: a rolling deploy, a replica started by mistake, a host thought dead that is not.
Each would send every periodic task. So a beat sends only while it leads: it holds a lock in the
broker's Redis (``SET NX`` with an expiry of ``BEAT_LEADER_SECONDS``, renewed at every tick);
the others tick without sending and one takes over within that time when the leader dies. Beat writes
each entry's last run to the database after every send (``CELERY_BEAT_SYNC_EVERY = 1``) and a new
leader reads the schedule from there, so a takeover neither repeats nor skips a run.

Without a Redis broker (``make run``: tasks run eagerly, no beat) there is nothing to share and the
scheduler simply sends. With Redis unreachable no beat leads, which loses nothing: nothing could be
sent then anyway, and the tasks catch up (they work from their rows, not from the tick).
"""

import contextlib
import logging

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

LOCK_KEY = "celery-beat:leader"


class SingleBeatScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler, sending only while it holds the leader lock."""

    def __init__(self, *args, **kwargs):
        self.leader_seconds = settings.BEAT_LEADER_SECONDS
        self._lock = None
        self._leading = False
        super().__init__(*args, **kwargs)
        broker = self.app.conf.broker_url or ""
        if broker.startswith(("redis://", "rediss://")):
            client = redis.Redis.from_url(broker, socket_connect_timeout=2, socket_timeout=2)
            self._lock = client.lock(LOCK_KEY, timeout=self.leader_seconds, thread_local=False)

    def tick(self, *args, **kwargs):
        if not self.leads():
            return self.leader_seconds / 3  # try again well before a dead leader's lock expires
        # Sleep at most a third of the lock's life, so the lock is renewed long before it expires.
        return min(super().tick(*args, **kwargs), self.leader_seconds / 3)

    def leads(self) -> bool:
        """Whether this beat holds (or just took) the leader lock, renewing it."""
        if self._lock is None:
            return True
        try:
            if self._leading:
                self._lock.reacquire()
            elif self._lock.acquire(blocking=False):
                logger.info("Beat leads: it sends the periodic tasks.")
                self._leading = True
                self._initial_read = True  # read the schedule, last runs included, from the database
                self._heap = None
        except (LockError, RedisError) as error:
            if self._leading:
                logger.warning("Beat lost the lead (%s): it stops sending.", error)
            self._leading = False
        return self._leading

    def close(self):
        """Hand over at once on a clean stop instead of after the lock's expiry."""
        super().close()
        if self._lock is not None and self._leading:
            with contextlib.suppress(LockError, RedisError):
                self._lock.release()
            self._leading = False
