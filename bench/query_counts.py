"""Benchmark 1: SQL queries per list page and API list endpoint, at 10 and at 1,000 schools.

The endpoints come from the URLconf: every browser page whose URL kwargs are ``<model>_pk`` (filled
with an object the user can see) and every API route named ``*-list``. Each is requested by a
user of every role, on a data set of 10 schools and then one of 1,000 (generate_scale_data at two
sizes, each inside a transaction that is rolled back, in the test copy of the benchmark database).
A count must not change with the size.
"""

import logging

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django_scopes import scopes_disabled

from .common import NOT_AVAILABLE, print_table, role_users, verdict, write_results
from .endpoints import discover_endpoints, url_for

SIZES = {
    "10 schools": {"states": 2, "zones_per_state": 1, "schools_per_zone": 5, "years": 1},
    "1,000 schools": {"states": 2, "zones_per_state": 100, "schools_per_zone": 5, "years": 1},
}


def measure_size(options, endpoints):
    """{(role, endpoint name): (status, queries, rows in scope)} on a freshly generated data set."""
    from devdata.scale_data import ScaleDataGenerator
    from schools.models import School

    measured = {}
    with transaction.atomic():
        ScaleDataGenerator(**options, seed=7).generate()
        for role, user in role_users().items():
            client = Client()
            client.force_login(user)
            with scopes_disabled():  # the wall is each request's; visible_to narrows to the user
                schools = School.objects.visible_to(user).count()
                urls = {name: url_for(name, kwargs, user) for _kind, name, kwargs in endpoints}
            for _kind, name, _kwargs in endpoints:
                url = urls[name]
                if url is None:
                    measured[role, name] = ("no object", None, schools)
                    continue
                client.get(url, secure=True)  # warm-up: per-process caches (content types, ...)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url, secure=True)
                measured[role, name] = (response.status_code, len(queries), schools)
        transaction.set_rollback(True)
    return measured


def run(stdout, sizes):  # its own two sizes, in the test copy of the base database
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
    request_log = logging.getLogger("django.request")
    request_log.setLevel(logging.ERROR)  # the 403/404/405 of roles without access are expected here
    try:
        endpoints = discover_endpoints()
        by_size = {size: measure_size(options, endpoints) for size, options in SIZES.items()}
    finally:
        request_log.setLevel(logging.NOTSET)
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)
    small, large = by_size.values()
    rows, records = [], []
    roles = list(dict.fromkeys(role for role, _name in small))
    for kind, name, _kwargs in endpoints:
        for role in roles:
            (status_s, queries_s, scope_s), (status_l, queries_l, scope_l) = small[role, name], large[role, name]
            if status_s != 200 or status_l != 200:
                outcome = f"skipped ({_status(status_s)} / {_status(status_l)})"
            else:
                outcome = "constant" if queries_s == queries_l else "CHANGES"
            records.append(
                {
                    "kind": kind,
                    "endpoint": name,
                    "role": role,
                    "status": [status_s, status_l],
                    "queries": [queries_s, queries_l],
                    "schools_in_scope": [scope_s, scope_l],
                    "verdict": outcome,
                }
            )
            if status_s == 200 or status_l == 200:
                rows.append([kind, name, role, f"{scope_s} / {scope_l}", f"{queries_s} / {queries_l}", outcome])
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    print_table(
        stdout,
        "Benchmark 1 — SQL queries per request (small / large data set: 10 / 1,000 schools in total)",
        ["kind", "endpoint", "role", "schools in scope", "queries", "verdict"],
        rows or [["-", NOT_AVAILABLE, "-", "-", "-", "no list endpoint answered 200"]],
    )
    changing = [r for r in records if r["verdict"] == "CHANGES"]
    summary = {"endpoints": len(endpoints), "measured": len(rows), "changing": len(changing)}
    stdout.write(f"{summary['measured']} measurements, {summary['changing']} changing with the data.\n")
    path = write_results("query_counts", {"sizes": SIZES, "summary": summary, "results": records})
    stdout.write(f"-> {path}\n")
    return verdict(not changing) if rows else NOT_AVAILABLE


def _status(status) -> str:
    return f"HTTP {status}" if isinstance(status, int) else status
