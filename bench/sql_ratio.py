"""Benchmark 3: distance from the limit — the zones API list against one hand-written query.

The API's first page of 50 zones (with schools and progress), as the initiative admin, is
requested in this process through Django's test client (the whole server side: middleware,
scoping, queries, serialization, JSON). ``bench/zones_page.sql`` produces the same rows and
aggregates in PostgreSQL in one query, fetched with psycopg. Both run alternately BENCH_REPEATS
times (default 15) in the same run; the medians give the ratio (target: at most 3x). The SQL
rows are checked against the API's so the comparison is like for like.
"""

import os
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from psycopg.rows import dict_row

from .common import BENCH_DIR, NOT_AVAILABLE, connect, print_table, role_users, verdict, write_results
from .endpoints import discover_endpoints

PAGE_SIZE = 50
TARGET_RATIO = 3
SQL = (BENCH_DIR / "zones_page.sql").read_text()
EXACT_METRIC_FIELDS = ("metric", "baseline", "latest", "target", "latest_period")
# Decimal rounding differs on exact halves: Python rounds half to even, PostgreSQL half away from zero.
TOLERANCES = {"projected": Decimal("0.01"), "share_of_target": Decimal("0.001"), "gain": Decimal("0")}


def nest(rows) -> list[dict]:
    """The flat SQL rows as the API nests them: zones > schools > progress metrics."""
    zones = {}
    for row in rows:
        zone = zones.setdefault(row["zone_id"], {"id": row["zone_id"], "total": row["total"], "schools": {}})
        if row["school_id"] is None:
            continue
        school = zone["schools"].setdefault(
            row["school_id"], {"id": row["school_id"], "status": row["school_status"], "metrics": []}
        )
        if row["metric_id"] is not None:
            school["metrics"].append({**row, "metric": row["metric_id"]})
    return [{**zone, "schools": list(zone["schools"].values())} for zone in zones.values()]


def differences(api_zones, sql_rows, api_count) -> list[str]:
    """How the SQL rows differ from the API's page (empty: the same rows and aggregates)."""
    found = []
    sql_zones = nest(sql_rows)
    if [z["id"] for z in api_zones] != [z["id"] for z in sql_zones]:
        return ["the pages hold different zones or a different order"]
    if sql_zones and sql_zones[0]["total"] != api_count:
        found.append(f"count {api_count} (API) vs {sql_zones[0]['total']} (SQL)")
    for zone, sql_zone in zip(api_zones, sql_zones, strict=True):
        if [s["id"] for s in zone["schools"]] != [s["id"] for s in sql_zone["schools"]]:
            found.append(f"zone {zone['id']}: different schools")
            continue
        for school, sql_school in zip(zone["schools"], sql_zone["schools"], strict=True):
            progress = school["progress"]
            if progress["status"] != sql_school["status"]:
                found.append(f"school {school['id']}: status {progress['status']} vs {sql_school['status']}")
            if len(progress["metrics"]) != len(sql_school["metrics"]):
                found.append(f"school {school['id']}: different metrics")
                continue
            for metric, sql_metric in zip(progress["metrics"], sql_school["metrics"], strict=True):
                if metric["status"] != sql_metric["status"]:
                    found.append(f"school {school['id']} metric {metric['metric']}: status differs")
                for name in EXACT_METRIC_FIELDS:
                    if _number(metric[name]) != _number(sql_metric[name]):
                        found.append(f"school {school['id']} metric {metric['metric']}: {name} differs")
                for name, tolerance in TOLERANCES.items():
                    a, b = _number(metric[name]), _number(sql_metric[name])
                    if (a is None) != (b is None) or (a is not None and abs(a - b) > tolerance):
                        found.append(f"school {school['id']} metric {metric['metric']}: {name} {a} vs {b}")
    return found


def _number(value) -> Decimal | None:
    """API decimals are strings, SQL ones Decimals: compare them as decimals."""
    return None if value is None else Decimal(str(value))


def run(stdout):
    repeats = int(os.environ.get("BENCH_REPEATS", "15"))
    zone_list = next(
        (name for kind, name, _ in discover_endpoints() if kind == "api list" and name.endswith(":zone-list")), None
    )
    if zone_list is None:
        stdout.write(f"\nBenchmark 3 — zones API vs hand-written SQL: {NOT_AVAILABLE} (no zones API list yet).\n")
        write_results("sql_ratio", {"status": NOT_AVAILABLE, "reason": "no zones API list in the URLconf"})
        return NOT_AVAILABLE
    client = Client()
    client.force_login(role_users()["initiative admin"])
    url = f"{reverse(zone_list)}?page_size={PAGE_SIZE}"
    api_times, api_cpu_times, sql_times = [], [], []
    with connect(settings.DATABASES["default"]) as raw, raw.cursor(row_factory=dict_row) as cursor:
        response = client.get(url, secure=True)  # warm-up (and the rows to compare)
        cursor.execute(SQL, {"limit": PAGE_SIZE, "offset": 0})
        for _ in range(repeats):
            started, cpu_started = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, secure=True)
            api_times.append(time.perf_counter() - started)
            api_cpu_times.append(time.process_time() - cpu_started)
            started = time.perf_counter()
            cursor.execute(SQL, {"limit": PAGE_SIZE, "offset": 0})
            sql_rows = cursor.fetchall()
            sql_times.append(time.perf_counter() - started)
    if response.status_code != 200:
        stdout.write(f"\nBenchmark 3 — {NOT_AVAILABLE}: {url} answered HTTP {response.status_code}.\n")
        write_results("sql_ratio", {"status": NOT_AVAILABLE, "reason": f"HTTP {response.status_code}"})
        return NOT_AVAILABLE
    body = response.json()
    mismatches = differences(body["results"], sql_rows, body.get("count"))
    api_ms, sql_ms = statistics.median(api_times) * 1000, statistics.median(sql_times) * 1000
    ratio = api_ms / sql_ms
    record = {
        "url": url,
        "repeats": repeats,
        "zones": len(body["results"]),
        "schools": sum(len(z["schools"]) for z in body["results"]),
        "api_queries": len(queries),
        "api_median_ms": round(api_ms, 1),
        "api_p90_ms": round(statistics.quantiles(api_times, n=10)[-1] * 1000, 1),
        # CPU time of this process alone: the Python side of the request, less the waits for a
        # CPU on a shared machine (and less PostgreSQL's own work).
        "api_python_cpu_median_ms": round(statistics.median(api_cpu_times) * 1000, 1),
        "sql_median_ms": round(sql_ms, 1),
        "sql_p90_ms": round(statistics.quantiles(sql_times, n=10)[-1] * 1000, 1),
        "ratio": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "same_rows": not mismatches,
        "differences": mismatches[:20],
        "meets_target": ratio <= TARGET_RATIO and not mismatches,
    }
    print_table(
        stdout,
        f"Benchmark 3 — zones API list ({record['zones']} zones, {record['schools']} schools with progress) "
        f"vs one hand-written SQL query, medians of {repeats}",
        ["", "median ms", "p90 ms", "Python CPU ms", "queries"],
        [
            [
                "API (server side, in process)",
                record["api_median_ms"],
                record["api_p90_ms"],
                record["api_python_cpu_median_ms"],
                record["api_queries"],
            ],
            ["PostgreSQL, one query (psycopg)", record["sql_median_ms"], record["sql_p90_ms"], "-", 1],
        ],
    )
    stdout.write(
        f"ratio {record['ratio']}x (target <= {TARGET_RATIO}x): {verdict(record['meets_target'])}; "
        f"same rows and aggregates: {'yes' if not mismatches else f'NO ({len(mismatches)} differences)'}\n"
    )
    path = write_results("sql_ratio", record)
    stdout.write(f"-> {path}\n")
    return verdict(record["meets_target"])
