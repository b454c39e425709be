"""Requesting a report: the one use case behind the report pages' buttons, POST /api/v1/report-runs/
and the monthly commissioner briefs (reports.tasks.send_monthly_briefs).

Asking again reuses this month's run; ``force`` makes a fresh one, which costs a full render in the
worker. So each user may force the same report (kind, scope, month) once per
``FORCED_RENDER_INTERVAL``; a failed run, or one whose worker died, is replaced on request without forcing.
"""

import math
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from zones.models import State, Zone

from . import tasks
from .models import ReportRun

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


def request_report(
    user, kind, *, state=None, zone=None, period=None, force=False, email_commissioners=False, review=None
) -> tuple[ReportRun, bool]:
    """Queue a report for ``user``, or reuse this month's run of it: (run, created).

    The run is sent to the report service once the caller's transaction commits; when the service
    is unreachable it is saved unsent (``run.is_unsent``: the answer says so) and sent when the
    service is back. Asking again for a run left unsent sends it again.

    ``review``: the annual review an annual-review run is about (its zone and state follow).

    ``user`` None is the monthly schedule, which acts for no one (no permission to check, no
    forcing). ``email_commissioners`` (commissioner briefs) emails the state's commissioners a link
    once the run is done, whether the run is new or reused; each run is emailed once.

    Raises ValidationError (scope or month), PermissionDenied (not the user's to request) and
    TooManyForcedRenders (forced again within the interval).
    """
    run = ReportRun.prepare(kind, state=state, zone=zone, period=period, requested_by=user, review=review)
    if user is not None:
        if not user.has_perm("reports.add_reportrun", run):
            raise PermissionDenied("You may not request this report.")
        if force:
            _claim_forced_render(user, run)
    run, created = run.submit(force=force, email_commissioners=email_commissioners)
    if run.status == ReportRun.Status.QUEUED:
        tasks.enqueue(run)  # a new run; or one left unsent (the broker was down) or long lost: sent again
    elif email_commissioners and run.status == ReportRun.Status.DONE and run.emailed_at is None:
        transaction.on_commit(partial(tasks.publish, tasks.email_brief_link, run.pk))
    return run, created


def _claim_forced_render(user, run: ReportRun) -> None:
    """Take the user's one forced render of this report for the interval, or raise TooManyForcedRenders."""
    scope_key = ReportRun.scope_key_for(run.kind, run.state, run.zone, run.review)
    key = f"reports:forced:{user.pk}:{run.kind}:{scope_key}:{run.period}"
    interval = int(FORCED_RENDER_INTERVAL.total_seconds())
    if not cache.add(key, time.time() + interval, interval):
        raise TooManyForcedRenders(max(1, math.ceil((cache.get(key) or 0) - time.time())))


def may_request(user, kind, **scope) -> bool:
    """Whether the user may request (and so open the live page of) the ``kind`` report on ``scope``
    (state, zone): the report pages' guard and the index's list ask the same question."""
    return user.has_perm("reports.add_reportrun", ReportRun(kind=kind, **scope))


@dataclass(frozen=True)
class Reportable:
    """A state or a zone the user may report on: a row of the reports index."""

    state: State
    zone: Zone | None = None

    @property
    def kinds(self):
        return ReportRun.ZONE_KINDS[:1] if self.zone else ReportRun.STATE_KINDS


def reportables(user, query: str = "") -> list[Reportable]:
    """The states and zones the user may report on whose name (or state's name) contains
    ``query``: each state followed by its zones, states by name."""
    states = State.objects.order_by("name", "pk")
    zones = Zone.objects.select_related("state", "lead_partner").order_by("name", "pk")
    if query:
        states = states.filter(name__icontains=query)
        zones = zones.filter(Q(name__icontains=query) | Q(state__name__icontains=query))
    rows = [Reportable(state) for state in states if may_request(user, ReportRun.Kind.STATE_PROGRESS, state=state)]
    rows += [
        Reportable(zone.state, zone)
        for zone in zones
        if may_request(user, ReportRun.Kind.ZONE_PROGRESS, state=zone.state, zone=zone)
    ]
    return sorted(rows, key=lambda row: (row.state.name, row.state.pk, row.zone is not None))
