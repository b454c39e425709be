"""Benchmark: one state's commissioner brief and the all-states batch (target: under 2 s per brief).

Uses the database the app uses (DATABASE_URL; load the demo or the national-scale data first):

    .venv/bin/python bench/bench_reports.py

or, from other code, ``from bench.bench_reports import run; run()``. Prints a table and writes
bench/results/reports.json. Times the whole brief: queries, charts and the WeasyPrint PDF.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def _setup_django():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _time_brief(state) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for one brief: on a shared machine the CPU time shows the work itself."""
    from reports import services

    wall, cpu = time.perf_counter(), time.process_time()
    services.commissioner_brief_pdf(services.progress_report(state=state))
    return time.perf_counter() - wall, time.process_time() - cpu


def run(repeat: int = 3, results_dir: Path = ROOT / "bench" / "results") -> dict:
    """Time the largest state's brief (median of ``repeat``) and every state's brief once."""
    _setup_django()
    from django.db.models import Count

    from zones.models import State

    states = list(State.objects.annotate(schools=Count("districts__schools")).order_by("-schools", "name"))
    if not states:
        raise SystemExit("No states in the database: run `manage.py seed_demo` (or load the national data) first.")
    largest = states[0]
    _time_brief(largest)  # warm-up: templates, fonts
    single = [_time_brief(largest) for _ in range(repeat)]
    batch_started = time.perf_counter()
    per_state = {state.name: _time_brief(state) for state in states}
    batch = time.perf_counter() - batch_started
    slowest = max(per_state.values())
    result = {
        "benchmark": "reports",
        "target_seconds_per_brief": TARGET_SECONDS,
        "largest_state": {
            "name": largest.name,
            "schools": largest.schools,
            "median_seconds": statistics.median(wall for wall, _cpu in single),
            "median_cpu_seconds": statistics.median(cpu for _wall, cpu in single),
        },
        "batch": {
            "states": len(states),
            "total_seconds": batch,
            "mean_seconds_per_brief": batch / len(states),
            "slowest_seconds": slowest[0],
            "slowest_cpu_seconds": slowest[1],
        },
        "load_average": os.getloadavg()[0],
    }
    result["meets_target"] = slowest[0] < TARGET_SECONDS
    _print(result)
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "reports.json").write_text(json.dumps(result, indent=2))
    return result


def _print(result: dict) -> None:
    largest, batch = result["largest_state"], result["batch"]
    rows = [
        (
            f"brief, {largest['name']} ({largest['schools']} schools), median",
            largest["median_seconds"],
            largest["median_cpu_seconds"],
        ),
        (f"all-states batch ({batch['states']} briefs), total", batch["total_seconds"], None),
        ("all-states batch, mean per brief", batch["mean_seconds_per_brief"], None),
        ("all-states batch, slowest brief", batch["slowest_seconds"], batch["slowest_cpu_seconds"]),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'commissioner briefs':<{width}}  wall s   CPU s")
    for label, wall, cpu in rows:
        print(f"{label:<{width}}  {wall:6.2f}  {'' if cpu is None else f'{cpu:6.2f}'}")
    verdict = "meets" if result["meets_target"] else "MISSES"
    print(
        f"{verdict} the target of {result['target_seconds_per_brief']:.1f} s per state brief "
        f"(wall time; load average {result['load_average']:.1f})"
    )


if __name__ == "__main__":
    run()
