"""Benchmark 3: distance from the limit — every endpoint of issue 21 against its hand-written SQL.

Each endpoint (bench/endpoints.py: ENDPOINTS) is requested in this process through Django's test
client as its role (the whole server side: middleware, scoping, queries, rendering) and its
bench/sql/<name>.sql, one hand-written query producing the same rows and aggregates, is fetched with
psycopg; the two alternate BENCH_REPEATS times (default 7) after a warm-up, at every data set size
in turn, and the medians give the ratio (target: at most 3x). The zones API's rows are also checked
field by field against its SQL's, so that comparison is like for like.
"""

import json
import os
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from psycopg.rows import dict_row

from .common import connect, on_database, print_table, role_users, verdict, write_results
from .endpoints import Subjects, chosen_endpoints

TARGET_RATIO = 3
CHECKED_SQL = "api_zones"  # its rows are compared with the API's, field by field
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


def fetch(client, url) -> tuple[int, bytes]:
    """Status and body, a streamed body (CSV) read to its end: its generation is part of the time."""
    response = client.get(url, secure=True)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body


def measure_size(size, endpoints, repeats) -> list[dict]:
    """Every endpoint of one data set size: app and hand SQL alternated, medians."""
    records = []
    with on_database(size), connect(settings.DATABASES["default"]) as raw, raw.cursor(row_factory=dict_row) as cursor:
        subjects, users = Subjects.find(), role_users()
        params = subjects.sql_params()
        clients = {}
        for endpoint in endpoints:
            if endpoint.role not in clients:
                clients[endpoint.role] = Client()
                clients[endpoint.role].force_login(users[endpoint.role])
            client, url, sql = clients[endpoint.role], endpoint.path(subjects), endpoint.sql_text()
            fetch(client, url)  # warm-up: per-process caches, the database's pages
            cursor.execute(sql, params)
            app_times, cpu_times, sql_times = [], [], []
            for _ in range(repeats):
                started, cpu_started = time.perf_counter(), time.process_time()
                with CaptureQueriesContext(connection) as queries:
                    status, body = fetch(client, url)
                app_times.append(time.perf_counter() - started)
                cpu_times.append(time.process_time() - cpu_started)
                started = time.perf_counter()
                cursor.execute(sql, params)
                sql_rows = cursor.fetchall()
                sql_times.append(time.perf_counter() - started)
            app_ms, sql_ms = statistics.median(app_times) * 1000, statistics.median(sql_times) * 1000
            record = {
                "size": size,
                "endpoint": endpoint.name,
                "url": url,
                "role": endpoint.role,
                "sql": f"bench/sql/{endpoint.sql}.sql",
                "status": status,
                "bytes": len(body),
                "queries": len(queries),
                "app_median_ms": round(app_ms, 1),
                # CPU time of this process alone: the Python side, less waits for a CPU on a shared machine.
                "app_python_cpu_median_ms": round(statistics.median(cpu_times) * 1000, 1),
                "sql_median_ms": round(sql_ms, 2),
                "sql_rows": len(sql_rows),
                "ratio": round(app_ms / sql_ms, 2) if sql_ms else None,
            }
            if endpoint.sql == CHECKED_SQL and status == 200:
                page = json.loads(body)
                mismatches = differences(page["results"], sql_rows, page.get("count"))
                record["same_rows"], record["differences"] = not mismatches, mismatches[:20]
            record["meets_target"] = status == 200 and record["ratio"] <= TARGET_RATIO
            records.append(record)
    return records


def run(stdout, sizes):
    repeats = int(os.environ.get("BENCH_REPEATS", "7"))
    endpoints = chosen_endpoints()
    records = []
    for size in sizes:
        stdout.write(f"\nBenchmark 3 — app vs hand SQL on the {size} data set ({len(endpoints)} endpoints)...\n")
        stdout.flush()
        records += measure_size(size, endpoints, repeats)
    by_key = {(r["endpoint"], r["size"]): r for r in records}
    rows = []
    for endpoint in endpoints:
        row = [endpoint.name]
        for size in sizes:
            r = by_key[endpoint.name, size]
            ok = r["status"] == 200
            row += [r["app_median_ms"] if ok else f"HTTP {r['status']}", r["sql_median_ms"], r["ratio"] if ok else "-"]
        row.append(", ".join(f"{size}: {verdict(by_key[endpoint.name, size]['meets_target'])}" for size in sizes))
        rows.append(row)
    headers = ["endpoint"] + [f"{size} {column}" for size in sizes for column in ("app ms", "SQL ms", "ratio")]
    print_table(
        stdout,
        f"Benchmark 3 — app (in process) vs hand-written SQL, medians of {repeats} alternated repeats "
        f"(target: ratio <= {TARGET_RATIO})",
        [*headers, "verdict"],
        rows,
    )
    for r in records:
        if "same_rows" in r:
            stdout.write(
                f"{r['endpoint']} ({r['size']}): same rows and aggregates as {r['sql']}: "
                f"{'yes' if r['same_rows'] else 'NO: ' + '; '.join(r['differences'][:3])}\n"
            )
    path = write_results("sql_ratio", {"repeats": repeats, "target_ratio": TARGET_RATIO, "results": records})
    stdout.write(f"-> {path}\n")
    return verdict(all(r["meets_target"] for r in records))
