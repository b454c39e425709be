"""The summary of the latest run: every endpoint's figures at every size in one table, each target
of issue 21 met or MISSED, written to bench/results/README-table.md (``python -m bench.readme``
copies it into README's Benchmarks section). ``python -m bench.table`` rebuilds it from the JSON
results without running anything.
"""

import json
import sys

from .common import RESULTS_DIR
from .endpoints import ENDPOINTS
from .latency import MAX_GROWTH
from .sql_ratio import TARGET_RATIO

TABLE_FILE = RESULTS_DIR / "README-table.md"
TARGETS = {endpoint.name: endpoint.target_ms for endpoint in ENDPOINTS}
SIZE_LABELS = {"small": "small", "national": "national", "national_10y": "national, 10 y", "national_20m": "20M"}


def latest(name) -> dict:
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def judged_size(sizes) -> str:
    """Targets are judged on the national data set (the largest 5-year size run)."""
    return "national" if "national" in sizes else sizes[-1]


def endpoint_rows(latency, ratios) -> tuple[list[str], list[str]]:
    """The Markdown table's lines and the endpoints' missed targets."""
    sizes = latency.get("sizes") or sorted({r["size"] for r in ratios.get("results", [])})
    judged = judged_size(sizes)
    timing = {(r["endpoint"], r["size"]): r for r in latency.get("results", [])}
    growth = {}
    for g in latency.get("growth", []):
        growth.setdefault(g["endpoint"], []).append(g)
    in_process = {(r["endpoint"], r["size"]): r for r in ratios.get("results", [])}
    comparisons = list(dict.fromkeys(g["comparison"] for g in latency.get("growth", [])))
    endpoints = list(dict.fromkeys([r["endpoint"] for r in latency.get("results", [])] + [e for e, _s in in_process]))
    header = (
        ["endpoint", "p95 target ms"]
        + [f"{SIZE_LABELS.get(s, s)} p50 / p95 ms" for s in sizes]
        + comparisons
        + [f"app ms ({judged})", "hand SQL ms", f"app / SQL (≤ {TARGET_RATIO})", "verdict"]
    )
    lines = ["| " + " | ".join(header) + " |", "| --- | " + " | ".join("---:" for _ in header[1:-1]) + " | --- |"]
    missed = []
    for endpoint in endpoints:
        cells, misses = [endpoint], []
        mine = timing.get((endpoint, judged))
        cells.append(f"< {TARGETS[endpoint]}" if endpoint in TARGETS else "-")
        for size in sizes:
            r = timing.get((endpoint, size))
            cells.append(f"{r['p50_ms']:,} / {r['p95_ms']:,}" if r else "-")
        if mine and not mine["meets_target"]:
            misses.append(f"p95 {mine['p95_ms']:,} ms ≥ {mine['target_p95_ms']}" if not mine["non_200"] else "non-200")
        ratios_here = {g["comparison"]: g for g in growth.get(endpoint, [])}
        for label in comparisons:
            g = ratios_here.get(label)
            cells.append("-" if g is None else f"{g['ratio']}x" if g["meets_target"] else f"**{g['ratio']}x**")
            if g and not g["meets_target"]:
                misses.append(f"{label} {g['ratio']}x > {MAX_GROWTH}")
        r = in_process.get((endpoint, judged))
        if r:
            cells += [f"{r['app_median_ms']:,}", f"{r['sql_median_ms']:,}", f"{r['ratio']}x" if r["ratio"] else "-"]
            if not r["meets_target"]:
                misses.append(f"app/SQL {r['ratio']}x" if r["status"] == 200 else f"HTTP {r['status']}")
        else:
            cells += ["-", "-", "-"]
        measured = any(cell not in ("-", endpoint) for cell in cells[2:])
        cells.append("MISSED" if misses else "met" if measured else "not measured")
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
        if misses:
            missed.append(f"{endpoint}: {', '.join(misses)}")
    return lines, missed


def report_lines(reports) -> tuple[list[str], list[str]]:
    if not reports:
        return [], []
    lines = [f"**Reports** ({reports.get('size')} data set, each in a fresh process):", ""]
    lines += [f"- {c['workload']}: {c['measured']} (target {c['target']}): {'met' if c['meets_target'] else 'MISSED'}"
              for c in reports.get("checks", [])]  # fmt: skip
    missed = [f"{c['workload']}: {c['measured']}" for c in reports.get("checks", []) if not c["meets_target"]]
    for name in ("briefs", "portfolio_pdf"):
        if reports.get(name, {}).get("status", "measured") != "measured":
            lines.append(f"- {name}: {reports[name]['status']}")
            missed.append(f"{name}: {reports[name]['status']}")
    return lines, missed


def build() -> str:
    latency, ratios, reports = latest("latency"), latest("sql_ratio"), latest("reports")
    datasets, counts, sync = latest("datasets"), latest("query_counts"), latest("sync")
    source = latency or ratios or reports
    if not source:
        return "No benchmark results yet: run `make bench`.\n"
    machine = source["machine"]
    loads = [load for r in latency.get("results", []) for load in r["load_average_1m"]]
    out = [
        f"Run of {source['at']} on commit `{machine['commit']}` ({machine.get('branch', '')}"
        f"{', with uncommitted changes' if machine.get('uncommitted_changes') else ''}); machine: "
        f"{machine['nproc']} cores, {machine['memory_gib']} GiB, PostgreSQL {machine['postgresql']}, "
        f"Python {machine['python']}; 1-minute load average "
        + (f"{min(loads)}–{max(loads)} during the latency runs." if loads else f"{machine['load_average'][0]}."),
        "",
    ]
    for size, facts in datasets.get("sizes", {}).items():
        generation = facts.get("generation") or {}
        took = ""
        if generation:
            took = f", generated in {generation['seconds']} s (1-minute load {generation['load_average'][0]})"
        out.append(
            f"- **{SIZE_LABELS.get(size, size)}** (`{facts['database']}`): {facts['states']} states, "
            f"{facts['zones_total']:,} zones, {facts['schools_total']:,} schools, {facts['years']} years, "
            f"~{facts['measurements_estimate']:,} measurements{took}"
        )
    out.append("")
    if latency:
        out.append(
            f"Latency (run {latency['at']}): {latency['samples']} samples per endpoint and size, "
            f"{latency['connections']} concurrent connections, gunicorn {latency['workers']} sync workers per size, "
            "sizes alternated."
        )
    if ratios:
        out.append(f"In process vs hand SQL (run {ratios['at']}): medians of {ratios['repeats']} alternated repeats.")
    out.append("")
    lines, missed = endpoint_rows(latency, ratios)
    out += [*lines, ""]
    more, more_missed = report_lines(reports)
    out += more
    missed += more_missed
    if counts:
        summary = counts.get("summary", {})
        out.append(f"- query counts: {summary.get('measured')} (endpoint, role) pairs, "
                   f"{summary.get('changing')} changing between 10 and 1,000 schools")  # fmt: skip
        if summary.get("changing"):
            missed.append(f"query counts: {summary['changing']} change with the data")
    if sync:
        out.append(f"- sync: full copy {sync['full_copy']['requests']} requests, re-sync after one change "
                   f"{sync['after_one_change']['requests']} requests (limit {sync['request_limit']})")  # fmt: skip
    out += ["", "**Targets missed**: " + ("none." if not missed else ""), *[f"- {line}" for line in missed]]
    return "\n".join(out).rstrip() + "\n"


def run(stdout) -> str:
    text = build()
    RESULTS_DIR.mkdir(exist_ok=True)
    TABLE_FILE.write_text(text)
    stdout.write(f"\nSummary (-> {TABLE_FILE.relative_to(RESULTS_DIR.parent.parent)})\n\n{text}")
    return text


if __name__ == "__main__":
    run(sys.stdout)
