"""Benchmark 4: commissioner briefs — one state's PDF, and the batch for every state.

The timing itself belongs to the reports app (``bench/bench_reports.py``: progress report,
charts and WeasyPrint PDF, in process; target under 2 s per brief); here it runs on the national
data set as part of ``make bench``, or is reported as not available before that app exists.
"""

import importlib.util

from .common import NOT_AVAILABLE, verdict, write_results


def run(stdout):
    if importlib.util.find_spec("bench.bench_reports") is None:
        stdout.write(f"\nBenchmark 4 — commissioner briefs: {NOT_AVAILABLE} (the reports app is not merged yet).\n")
        write_results("reports", {"status": NOT_AVAILABLE, "reason": "no bench/bench_reports.py yet"})
        return NOT_AVAILABLE
    from .bench_reports import run as run_reports

    stdout.write("\nBenchmark 4 — commissioner brief PDFs (every state of the database, in process)\n")
    stdout.flush()
    return verdict(run_reports()["meets_target"])
