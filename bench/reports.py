"""Benchmark 4: the commissioner brief batch and the admin's portfolio PDF, on the largest data set
size of the run (national: 50 states), each in a fresh process like a worker (bench/bench_reports.py):
wall and CPU time and the process's peak RSS.

Targets (issue 21): brief median < 1 s, the batch of every state < 60 s on one worker; the
portfolio PDF of all states < 5 s and < 200 MB.
"""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

from .common import PROJECT_DIR, SIZES, database_name, print_table, verdict, write_results

BRIEF_MEDIAN_S, BATCH_S, PORTFOLIO_S, PORTFOLIO_MB = 1.0, 60.0, 5.0, 200.0


def workload(name, size) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database_name(size)}").geturl(),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_reports", name], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if done.returncode or line is None:
        return {"status": f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"}
    return {"status": "measured", **json.loads(line.removeprefix("BENCH_JSON "))}


def run(stdout, sizes):
    size = max(sizes, key=lambda name: (SIZES[name]["states"], -SIZES[name]["years"]))
    stdout.write(f"\nBenchmark 4 — reports on the {size} data set (each in a fresh process)...\n")
    stdout.flush()
    briefs, portfolio = workload("briefs", size), workload("portfolio", size)
    checks = []
    if briefs["status"] == "measured":
        checks += [
            ("brief, largest state, median", f"{briefs['median_seconds']} s", f"< {BRIEF_MEDIAN_S} s",
             briefs["median_seconds"] < BRIEF_MEDIAN_S),
            (f"brief batch, {briefs['batch_states']} states", f"{briefs['batch_seconds']} s "
             f"(median {briefs['batch_median_seconds']} s, slowest {briefs['batch_slowest_seconds']} s, "
             f"peak RSS {briefs['peak_rss_mb']} MB)", f"< {BATCH_S:.0f} s", briefs["batch_seconds"] < BATCH_S),
        ]  # fmt: skip
    if portfolio["status"] == "measured":
        checks += [
            ("portfolio PDF, time", f"{portfolio['seconds']} s (CPU {portfolio['cpu_seconds']} s)",
             f"< {PORTFOLIO_S:.0f} s", portfolio["seconds"] < PORTFOLIO_S),
            ("portfolio PDF, peak RSS", f"{portfolio['peak_rss_mb']} MB", f"< {PORTFOLIO_MB:.0f} MB",
             portfolio["peak_rss_mb"] < PORTFOLIO_MB),
        ]  # fmt: skip
    rows = [[label, figure, target, verdict(met)] for label, figure, target, met in checks]
    rows += [[name, r["status"], "-", "MISSED"] for name, r in (("briefs", briefs), ("portfolio PDF", portfolio))
             if r["status"] != "measured"]  # fmt: skip
    print_table(stdout, f"Benchmark 4 — reports ({size})", ["workload", "measured", "target", "verdict"], rows)
    checks_json = [{"workload": c[0], "measured": c[1], "target": c[2], "meets_target": c[3]} for c in checks]
    path = write_results("reports", {"size": size, "briefs": briefs, "portfolio_pdf": portfolio, "checks": checks_json})
    stdout.write(f"-> {path}\n")
    return verdict(bool(checks) and len(checks) == 4 and all(c[3] for c in checks))
