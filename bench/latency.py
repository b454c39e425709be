"""Benchmark 2: latency under load on the national data set.

gunicorn (2 sync workers, persistent database connections) serves the app on PostgreSQL; wrk,
a separate process, drives one endpoint at a time for BENCH_DURATION seconds (default 10) over
BENCH_CONNECTIONS connections (default 2: one per worker, so the figures are service times,
not queueing behind a saturated worker); BENCH_ONLY=api,zone keeps the endpoints whose label
holds one of those words. Pages are requested with a session cookie, the state's
zone list also with an API token (bench/wrk_report.lua sends either).

Targets on this 2-core machine: p95 under 100 ms for API pages of 50 rows and the zone page,
under 300 ms for the portfolio page (the state page has no stated target).
"""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.test import Client
from django.urls import reverse

from .common import (
    BENCH_DIR,
    NOT_AVAILABLE,
    PROJECT_DIR,
    RESULTS_DIR,
    print_table,
    role_users,
    verdict,
    write_results,
)
from .endpoints import discover_endpoints, url_for

WORKERS = 2
API_PAGE = "?page_size=50"
API_TARGET_MS, ZONE_PAGE_TARGET_MS, PORTFOLIO_TARGET_MS = 100, 100, 300
# The main API lists (router basenames) and the pages, found by URL name in the URLconf.
MAIN_API_LISTS = [
    "zone",
    "school",
    "state",
    "measurement",
    "commitment",
    "expenditure",
    "statusupdate",
    "school-progress",
    "zone-funding",
    "state-funding",
]
PAGES = [  # (label, URL names it may have, role, p95 target in ms or None)
    ("portfolio page", ("portfolio",), "initiative admin", PORTFOLIO_TARGET_MS),
    ("state page", ("state_detail", "state"), "state lead", None),
    ("zone page", ("zone_detail", "zone"), "state lead", ZONE_PAGE_TARGET_MS),
]


def find_name(endpoints, kind, candidates):
    names = [name for endpoint_kind, name, _kwargs in endpoints if endpoint_kind == kind]
    for candidate in candidates:
        match = next((name for name in names if name.rsplit(":", 1)[-1] == candidate), None)
        if match:
            return match
    return None


def plan():
    """[(label, role, path, auth headers, target)] and the labels with no such endpoint yet."""
    users = role_users()
    endpoints = discover_endpoints()
    kwargs_of = {name: kwargs for _kind, name, kwargs in endpoints}
    sessions = {}

    def cookie(role):
        if role not in sessions:
            client = Client()
            client.force_login(users[role])
            sessions[role] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return {"BENCH_COOKIE": sessions[role]}

    runs, missing = [], []
    for label, candidates, role, target in PAGES:
        name = find_name(endpoints, "page", candidates)
        path = url_for(name, kwargs_of[name], users[role]) if name else None
        if path is None:
            missing.append(label)
            continue
        runs.append((label, role, path, cookie(role), target))
    for basename in MAIN_API_LISTS:
        name = find_name(endpoints, "api list", [f"{basename}-list"])
        if name is None:
            missing.append(f"API {basename} list")
            continue
        runs.append(
            (
                f"API {basename} list",
                "initiative admin",
                reverse(name) + API_PAGE,
                cookie("initiative admin"),
                API_TARGET_MS,
            )
        )
    zones = find_name(endpoints, "api list", ["zone-list"])
    if zones:
        runs.append(
            (
                "API zone list (token)",
                "state lead",
                reverse(zones) + API_PAGE,
                token_header(users["state lead"]),
                API_TARGET_MS,
            )
        )
    return runs, missing


def token_header(user):
    from accounts.models import ApiToken

    membership = user.memberships.get()
    ApiToken.objects.filter(membership=membership, name="benchmark").delete()  # the key of an earlier run is lost
    token = ApiToken(membership=membership, name="benchmark")
    key = token.issue_key()
    token.save()
    return {"BENCH_AUTHORIZATION": f"Bearer {key}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # The API's per-user throttle would answer 429 to a load test.
        "API_USER_RATE": "100000000/minute",
        "API_TOKEN_RATE": "100000000/minute",
    }
    env.pop("REDIS_URL", None)
    RESULTS_DIR.mkdir(exist_ok=True)
    log = open(RESULTS_DIR / "gunicorn.log", "w")  # noqa: SIM115 (closed with the server)
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "config.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, log
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process, log)
    raise SystemExit("gunicorn did not start; see bench/results/gunicorn.log")


def stop_gunicorn(process, log):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def probe(port, path, auth) -> int:
    """One request as wrk will send it (a page must answer 200, not a redirect to the login)."""
    headers = {"X-Forwarded-Proto": "https"}
    if "BENCH_COOKIE" in auth:
        headers["Cookie"] = auth["BENCH_COOKIE"]
    if "BENCH_AUTHORIZATION" in auth:
        headers["Authorization"] = auth["BENCH_AUTHORIZATION"]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def wrk(port, path, auth, duration, connections) -> dict:
    command = [
        "wrk",
        "--threads=1",
        f"--connections={connections}",
        f"--duration={duration}s",
        "--timeout=10s",
        f"--script={BENCH_DIR / 'wrk_report.lua'}",
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, env={**os.environ, **auth}, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def run(stdout):
    duration = int(os.environ.get("BENCH_DURATION", "10"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", str(WORKERS)))
    if shutil.which("wrk") is None:
        stdout.write("\nBenchmark 2 — latency: wrk is not installed (make bench installs it with apt).\n")
        write_results("latency", {"status": NOT_AVAILABLE, "reason": "wrk missing"})
        return NOT_AVAILABLE
    runs, missing = plan()
    only = [word.strip().lower() for word in os.environ.get("BENCH_ONLY", "").split(",") if word.strip()]
    if only:  # e.g. BENCH_ONLY=api: only the endpoints whose label holds one of the words
        runs = [run for run in runs if any(word in run[0].lower() for word in only)]
    port = free_port()
    process, log = start_gunicorn(port)
    records = []
    try:
        for label, role, path, auth, target in runs:
            record = {"endpoint": label, "role": role, "path": path, "target_p95_ms": target}
            status = probe(port, path, auth)
            if status != 200:
                record["status"] = f"{NOT_AVAILABLE} (HTTP {status})"
            else:
                figures = wrk(port, path, auth, duration, connections)
                seconds = figures["duration_us"] / 1e6
                record.update(
                    {
                        "status": "measured",
                        "requests": figures["requests"],
                        "requests_per_second": round(figures["requests"] / seconds, 1),
                        **{f"{p}_ms": round(figures[f"{p}_us"] / 1000, 1) for p in ("p50", "p95", "p99", "max")},
                        "non_2xx": figures["non_2xx"],
                        "socket_errors": figures["socket_errors"],
                    }
                )
                record["meets_target"] = (
                    None if target is None else record["p95_ms"] < target and not figures["non_2xx"]
                )
            records.append(record)
    finally:
        stop_gunicorn(process, log)
    rows = []
    for r in records:
        if r["status"] != "measured":
            rows.append([r["endpoint"], r["role"], r["target_p95_ms"] or "-", "-", "-", "-", "-", "-", r["status"]])
            continue
        outcome = "no target" if r["meets_target"] is None else verdict(r["meets_target"])
        rows.append(
            [
                r["endpoint"],
                r["role"],
                f"< {r['target_p95_ms']}" if r["target_p95_ms"] else "-",
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["requests_per_second"],
                r["non_2xx"],
                outcome,
            ]
        )
    rows += [[label, "-", "-", "-", "-", "-", "-", "-", f"{NOT_AVAILABLE}: no such URL yet"] for label in missing]
    print_table(
        stdout,
        f"Benchmark 2 — latency under load (gunicorn {WORKERS} workers, "
        f"wrk {connections} connections, {duration} s per endpoint)",
        ["endpoint", "as", "p95 target ms", "p50 ms", "p95 ms", "p99 ms", "req/s", "non-2xx", "verdict"],
        rows,
    )
    path = write_results(
        "latency",
        {
            "workers": WORKERS,
            "connections": connections,
            "duration_s": duration,
            "results": records,
            "missing": missing,
        },
    )
    stdout.write(f"-> {path}\n")
    if any(r.get("meets_target") is False for r in records):
        return verdict(False)
    if missing or any(r["status"] != "measured" for r in records):
        return f"{NOT_AVAILABLE} for some endpoints; none measured missed its target"
    return verdict(True)
