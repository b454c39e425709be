"""The report workloads, each run alone in a fresh process as a worker would (bench/reports.py starts
them): ``briefs`` times every state's commissioner brief (the largest state's median of 3 first),
``portfolio`` the admin's portfolio PDF of every state. Prints one JSON line with the figures and
the process's peak RSS. Uses the database in DATABASE_URL:

    DATABASE_URL=postgres://.../zone_portfolio_bench_national .venv/bin/python -m bench.bench_reports briefs
"""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path


def _timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``work()``: on a shared machine the CPU time shows the work itself."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def briefs(repeat: int = 3) -> dict:
    from django.db.models import Count
    from django_scopes import scopes_disabled

    from core.tenancy import state_scope
    from reports import services
    from zones.models import State

    with scopes_disabled():
        states = list(State.objects.annotate(schools=Count("districts__schools")).order_by("-schools", "name"))

    def brief(state):
        with state_scope(state.pk):
            services.commissioner_brief_pdf(services.progress_report(state=state))

    largest = states[0]
    brief(largest)  # warm-up: templates, fonts
    single = [_timed(lambda: brief(largest)) for _ in range(repeat)]
    started = time.perf_counter()
    per_state = [_timed(lambda state=state: brief(state)) for state in states]
    return {
        "largest_state": {"name": largest.name, "schools": largest.schools},
        "median_seconds": round(statistics.median(wall for wall, _cpu in single), 2),
        "median_cpu_seconds": round(statistics.median(cpu for _wall, cpu in single), 2),
        "batch_states": len(states),
        "batch_seconds": round(time.perf_counter() - started, 1),
        "batch_median_seconds": round(statistics.median(wall for wall, _cpu in per_state), 2),
        "batch_slowest_seconds": round(max(wall for wall, _cpu in per_state), 2),
    }


def portfolio() -> dict:
    from core.tenancy import state_scope
    from reports import services

    def render():
        with state_scope(None):
            services.portfolio_pdf(services.portfolio_report())

    wall, cpu = _timed(render)
    return {"seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}


WORKLOADS = {"briefs": briefs, "portfolio": portfolio}


def main(name):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures = WORKLOADS[name]()
    print("BENCH_JSON " + json.dumps({**figures, "peak_rss_mb": round(peak_rss_kib() / 1024, 1)}))


def peak_rss_kib() -> int:
    """This process's own peak resident set (VmHWM). Not ``getrusage``'s ``ru_maxrss``: Linux keeps
    that across ``exec``, so a child started by the benchmark reported the parent's larger peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


if __name__ == "__main__":
    main(sys.argv[1])
