"""Requesting a report: the one use case behind the report pages' buttons and POST /api/v1/report-runs/.

Asking again reuses this month's run; ``force`` makes a fresh one, which costs a full render in the
worker. So each user may force the same report (kind, scope, month) once per
``FORCED_RENDER_INTERVAL``; a failed or hung run is replaced on request without forcing.
"""

import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from .models import ReportRun
from .tasks import enqueue

FORCED_RENDER_INTERVAL = timedelta(minutes=10)


class TooManyForcedRenders(Exception):
    """The user forced this report again too soon; ``wait`` is the seconds left before they may."""

    def __init__(self, wait: int):
        self.wait = wait
        minutes = math.ceil(wait / 60)
        super().__init__(
            f"You made a fresh run of this report less than {FORCED_RENDER_INTERVAL.seconds // 60} minutes ago. "
            f"Use that run, or try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )


def request_report(user, kind, *, state=None, zone=None, period=None, force=False) -> tuple[ReportRun, bool]:
    """Queue a report for ``user``, or reuse this month's run of it: (run, created).

    Raises ValidationError (scope or month), PermissionDenied (not the user's to request) and
    TooManyForcedRenders (forced again within the interval).
    """
    run = ReportRun.prepare(kind, state=state, zone=zone, period=period, requested_by=user)
    if not user.has_perm("reports.add_reportrun", run):
        raise PermissionDenied("You may not request this report.")
    if force:
        _claim_forced_render(user, run)
    run, created = run.submit(force=force)
    if created:
        enqueue(run)
    return run, created


def _claim_forced_render(user, run: ReportRun) -> None:
    """Take the user's one forced render of this report for the interval, or raise TooManyForcedRenders."""
    key = f"reports:forced:{user.pk}:{run.kind}:{ReportRun.scope_key_for(run.kind, run.state, run.zone)}:{run.period}"
    interval = int(FORCED_RENDER_INTERVAL.total_seconds())
    if not cache.add(key, time.time() + interval, interval):
        raise TooManyForcedRenders(max(1, math.ceil((cache.get(key) or 0) - time.time())))
