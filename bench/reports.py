"""Benchmark 4: commissioner briefs — one state's PDF, and the batch for every state.

Calls the reports services in this process (the work a Celery worker does per brief): the
progress report of a state, then its PDF. The batch renders every state of the national data
set in turn. Target (reports issue): under 2 s per state brief.
"""

import importlib.util
import time

from .common import NOT_AVAILABLE, print_table, verdict, write_results

TARGET_SECONDS_PER_BRIEF = 2.0


def brief_services():
    """(progress_report, commissioner_brief_pdf) from the reports app, or None before it exists."""
    if importlib.util.find_spec("reports.services") is None:
        return None
    services = importlib.import_module("reports.services")
    needed = ("progress_report", "commissioner_brief_pdf")
    if not all(hasattr(services, name) for name in needed):
        return None
    return services.progress_report, services.commissioner_brief_pdf


def timed_brief(progress_report, commissioner_brief_pdf, state) -> tuple[float, int]:
    started = time.perf_counter()
    pdf = commissioner_brief_pdf(progress_report(state=state))
    return time.perf_counter() - started, len(pdf)


def run(stdout):
    from zones.models import State
    from zones.scale_data import INITIATIVE_NAME

    services = brief_services()
    if services is None:
        stdout.write(f"\nBenchmark 4 — commissioner briefs: {NOT_AVAILABLE} (no reports services yet).\n")
        write_results("reports", {"status": NOT_AVAILABLE, "reason": "reports.services has no brief functions"})
        return NOT_AVAILABLE
    states = list(State.objects.filter(initiative__name=INITIATIVE_NAME).order_by("name"))
    one_seconds, one_bytes = timed_brief(*services, states[0])
    batch_started = time.perf_counter()
    per_state = []
    for state in states:
        seconds, size = timed_brief(*services, state)
        per_state.append({"state": state.name, "seconds": round(seconds, 2), "bytes": size})
        stdout.write(f"  {state.name}: {seconds:.2f} s\r")
    batch_seconds = time.perf_counter() - batch_started
    slowest = max(item["seconds"] for item in per_state)
    record = {
        "one_state": {"state": states[0].name, "seconds": round(one_seconds, 2), "bytes": one_bytes},
        "batch": {"states": len(states), "seconds": round(batch_seconds, 1), "slowest_brief_seconds": slowest},
        "per_state": per_state,
        "target_seconds_per_brief": TARGET_SECONDS_PER_BRIEF,
        "meets_target": slowest < TARGET_SECONDS_PER_BRIEF,
    }
    print_table(
        stdout,
        "Benchmark 4 — commissioner brief PDFs (progress report + WeasyPrint, in process)",
        ["run", "states", "seconds", "per brief", "target per brief", "verdict"],
        [
            [
                "one state brief",
                1,
                record["one_state"]["seconds"],
                record["one_state"]["seconds"],
                "< 2",
                verdict(one_seconds < TARGET_SECONDS_PER_BRIEF),
            ],
            [
                "all-states batch",
                len(states),
                record["batch"]["seconds"],
                f"max {slowest}",
                "< 2",
                verdict(slowest < TARGET_SECONDS_PER_BRIEF),
            ],
        ],
    )
    path = write_results("reports", record)
    stdout.write(f"-> {path}\n")
    return verdict(record["meets_target"])
