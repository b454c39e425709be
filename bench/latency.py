"""Benchmark 2: latency under load, every endpoint of issue 21 at every data set size side by side.

One gunicorn per size (2 sync workers, persistent database connections) serves the app on that
size's database; a load driver in this process keeps BENCH_CONNECTIONS (default 2: one per
worker, so the figures are service times, not queueing) requests in flight and records each
one's time. An endpoint's BENCH_SAMPLES (default 200) samples per size are taken in rounds that
alternate the sizes, so a change in the machine's load falls on every size alike. p50/p95/p99 are
exact percentiles of those samples; the 1-minute load average is recorded per endpoint.
BENCH_ONLY=workspace,api keeps the endpoints whose name holds one of those words.
"""

import http.client
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from .common import (
    COMPARISONS,
    PROJECT_DIR,
    RESULTS_DIR,
    database_name,
    on_database,
    print_table,
    role_users,
    verdict,
    write_results,
)
from .endpoints import Subjects, chosen_endpoints

WORKERS = 2
ROUND = 50  # samples per size before the next size's turn
MAX_GROWTH = 1.3  # issue 21: national / small (and 10 years, 20M rows) at most 1.3x


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(size, port):
    env = {
        **os.environ,
        "DATABASE_URL": urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database_name(size)}").geturl(),
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
    log = open(RESULTS_DIR / f"gunicorn-{size}.log", "w")  # noqa: SIM115 (closed with the server)
    process = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "config.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=120",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, log
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(process, log)
    raise SystemExit(f"gunicorn did not start; see bench/results/gunicorn-{size}.log")


def stop_gunicorn(process, log):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def request(port, path, headers) -> tuple[int, float]:
    """(status, seconds) of one GET, its body read to the end."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def load(port, path, headers, samples, connections) -> list[tuple[int, float]]:
    """``samples`` requests over ``connections`` concurrent clients."""
    results, lock = [], threading.Lock()
    left = [samples]

    def client():
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            outcome = request(port, path, headers)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values, share) -> float:
    """The nearest-rank percentile (p95 of 200 samples: the 190th fastest)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def session_headers(users) -> dict:
    """{role: request headers} with a signed-in session, the same rows in every size's database."""
    headers = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers[role] = {"Cookie": cookie, "X-Forwarded-Proto": "https"}
    return headers


def run(stdout, sizes):
    samples = int(os.environ.get("BENCH_SAMPLES", "200"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", str(WORKERS)))
    endpoints = chosen_endpoints()
    plans = {}
    for size in sizes:
        with on_database(size):
            subjects = Subjects.find()
            plans[size] = (session_headers(role_users()), {e.name: e.path(subjects) for e in endpoints})
    servers = {}
    try:
        for size in sizes:
            port = free_port()
            servers[size] = (port, *start_gunicorn(size, port))
        records = []
        for endpoint in endpoints:
            stdout.write(f"  {endpoint.name} ...")
            stdout.flush()
            load_before, started = os.getloadavg()[0], time.perf_counter()
            taken = {size: [] for size in sizes}
            for size in sizes:  # warm-up: the worker's caches, the database's pages
                headers, paths = plans[size]
                load(servers[size][0], paths[endpoint.name], headers[endpoint.role], connections, connections)
            while any(len(taken[size]) < samples for size in sizes):
                for size in sizes:
                    headers, paths = plans[size]
                    wanted = min(ROUND, samples - len(taken[size]))
                    if wanted:
                        port = servers[size][0]
                        taken[size] += load(port, paths[endpoint.name], headers[endpoint.role], wanted, connections)
            load_after = os.getloadavg()[0]
            stdout.write(f" {time.perf_counter() - started:.0f} s\n")
            for size in sizes:
                times = [seconds * 1000 for _status, seconds in taken[size]]
                failed = sum(status != 200 for status, _seconds in taken[size])
                p95 = round(percentile(times, 0.95), 1)
                records.append(
                    {
                        "size": size,
                        "endpoint": endpoint.name,
                        "role": endpoint.role,
                        "path": plans[size][1][endpoint.name],
                        "samples": len(times),
                        "connections": connections,
                        "p50_ms": round(percentile(times, 0.50), 1),
                        "p95_ms": p95,
                        "p99_ms": round(percentile(times, 0.99), 1),
                        "max_ms": round(max(times), 1),
                        "non_200": failed,
                        "target_p95_ms": endpoint.target_ms,
                        "meets_target": p95 < endpoint.target_ms and not failed,
                        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
                    }
                )
    finally:
        for _port, process, log in servers.values():
            stop_gunicorn(process, log)
    growth = growth_ratios(records, sizes)
    print_table(
        stdout,
        f"Benchmark 2 — latency under load (gunicorn {WORKERS} workers per size, {connections} connections, "
        f"{samples} samples per endpoint and size)",
        ["endpoint", "target p95 ms"]
        + [f"{size} {p}" for size in sizes for p in ("p50", "p95")]
        + [label for _a, _b, label in comparisons(sizes)]
        + ["non-200", "verdict"],
        [latency_row(endpoint, records, growth, sizes) for endpoint in endpoints],
    )
    path = write_results(
        "latency",
        {
            "workers": WORKERS,
            "connections": connections,
            "samples": samples,
            "sizes": sizes,
            "results": records,
            "growth": growth,
            "max_growth": MAX_GROWTH,
        },
    )
    stdout.write(f"-> {path}\n")
    met = all(r["meets_target"] for r in records) and all(g["meets_target"] for g in growth)
    return verdict(met)


def comparisons(sizes):
    return [(a, b, label) for a, b, label in COMPARISONS if a in sizes and b in sizes]


def growth_ratios(records, sizes) -> list[dict]:
    """p50 of the larger size over the smaller one's, per endpoint and comparison (target <= 1.3)."""
    by_key = {(r["endpoint"], r["size"]): r for r in records}
    growth = []
    for endpoint in dict.fromkeys(r["endpoint"] for r in records):
        for larger, smaller, label in comparisons(sizes):
            ratio = round(by_key[endpoint, larger]["p50_ms"] / by_key[endpoint, smaller]["p50_ms"], 2)
            growth.append(
                {"endpoint": endpoint, "comparison": label, "ratio": ratio, "meets_target": ratio <= MAX_GROWTH}
            )
    return growth


def latency_row(endpoint, records, growth, sizes) -> list:
    mine = {r["size"]: r for r in records if r["endpoint"] == endpoint.name}
    ratios = {g["comparison"]: g for g in growth if g["endpoint"] == endpoint.name}
    met = all(r["meets_target"] for r in mine.values()) and all(g["meets_target"] for g in ratios.values())
    return (
        [endpoint.name, f"< {endpoint.target_ms}"]
        + [mine[size][p] for size in sizes for p in ("p50_ms", "p95_ms")]
        + [f"{ratios[label]['ratio']}x" for _a, _b, label in comparisons(sizes)]
        + [sum(r["non_200"] for r in mine.values()), verdict(met)]
    )
