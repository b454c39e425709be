"""Paging a ``changed_since`` sync while writes continue (web.sync), against a live server on
PostgreSQL: writer threads insert and update rows in their own transactions, some held open across
pages, while a client syncs again and again with small pages. No sync serves a row twice, and the
copy the syncs build ends equal to the database: nothing is lost to a transaction that committed
after a page was read with a higher version already served."""

import random
import threading
import time

import psycopg
import pytest
import requests
from django.db import connection, transaction
from django_scopes import scopes_disabled

from accounts.models import Role
from accounts.tokens import issue_token
from core.changes import change_watermark
from schools.models import School
from tests.factories import LaunchedZoneFactory, SchoolFactory, StateFactory
from tests.worlds import membership

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
WRITES_EACH = 12


def sync(url: str, headers: dict, since: int) -> tuple[list[dict], int]:
    """One sync from ``since``: every page's rows (small pages) and the watermark to resume from."""
    response = requests.get(url, {"changed_since": since, "page_size": 2}, headers=headers, timeout=60)
    rows = []
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return rows, body["change_version"]
        response = requests.get(body["next"], headers=headers, timeout=60)


def sync_into(copy: dict, url: str, headers: dict, since: int) -> int:
    """One sync applied to ``copy`` (id → name); no row may come twice in it. Returns the watermark."""
    rows, watermark = sync(url, headers, since)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "a row served twice in one sync"
    copy.update({row["id"]: row["name"] for row in rows})
    return watermark


def writer(district, seed: int, errors: list) -> None:
    """Inserts and renames schools, each in its own transaction; every third one is held open a while."""
    chance = random.Random(seed)
    try:
        with scopes_disabled():  # a thread starts outside the test's disabled wall
            for step in range(WRITES_EACH):
                with transaction.atomic():
                    if step % 4 == 0:
                        SchoolFactory(district=district)
                    else:
                        pk = chance.choice(list(School.objects.values_list("pk", flat=True)))
                        School.objects.filter(pk=pk).update(name=f"School {seed}-{step}")
                    if step % 3 == 0:
                        time.sleep(0.4)  # in flight while the client reads pages
                time.sleep(chance.random() / 10)
    except Exception as error:  # reported by the test
        errors.append(error)
    finally:
        connection.close()


def test_syncing_while_rows_change_loses_and_repeats_nothing(live_server):
    state = StateFactory()
    zone = LaunchedZoneFactory(state=state)
    district = zone.districts.get()
    for _ in range(6):
        SchoolFactory(district=district)
    _token, key = issue_token(membership(Role.STATE_VIEWER, state=state), "sync")
    url, headers = f"{live_server.url}/api/v1/schools/", {"Authorization": f"Bearer {key}"}

    errors = []
    threads = [threading.Thread(target=writer, args=(district, seed, errors)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    copy, since, syncs = {}, 0, 0
    while any(thread.is_alive() for thread in threads) or syncs < 2:
        since = sync_into(copy, url, headers, since)
        syncs += 1
    for thread in threads:
        thread.join()
    assert not errors, errors
    # The watermark waits for every older transaction still open on the server (also another
    # database's: transaction ids are the cluster's), then serves the rest.
    newest, deadline = max(School.objects.values_list("change_version", flat=True)), time.monotonic() + 240
    while since < newest:
        assert time.monotonic() < deadline, "the watermark never passed the last write"
        since = sync_into(copy, url, headers, since)
        time.sleep(0.5)

    assert syncs > 2
    assert copy == dict(School.objects.values_list("pk", "name"))
    assert sync(url, headers, since)[0] == []


def open_transaction(database: str):
    """A connection to ``database`` holding a transaction that has a transaction id (a write's)."""
    settings = {**connection.get_connection_params(), "dbname": database}
    other = psycopg.connect(**settings)
    xid = other.execute("SELECT pg_current_xact_id()::text::bigint").fetchone()[0]
    return other, xid


def watermark_after_a_commit() -> int:
    """The watermark once a later transaction of this database has committed (the snapshot knows
    only ids below the newest committed one)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()")
    return change_watermark()


def test_the_watermark_waits_for_this_databases_transactions_only():
    """A transaction in flight in this database holds the watermark below it (it may still commit
    rows stamped with its id); one in another database of the server (another application, another
    test process) writes none of these rows and must not freeze every client's sync."""
    elsewhere, elsewhere_xid = open_transaction("postgres")
    try:
        assert watermark_after_a_commit() > elsewhere_xid
        here, here_xid = open_transaction(connection.settings_dict["NAME"])
        try:
            assert watermark_after_a_commit() == here_xid - 1
        finally:
            here.close()
        assert watermark_after_a_commit() > here_xid
    finally:
        elsewhere.close()


def test_a_transaction_reads_its_own_changes_past_another_databases_newer_ones():
    """Ids are handed out server-wide: another database's transaction that took its id just before
    ours (and is still open) is beyond our snapshot's horizon, yet must not hide our own rows from
    us (a request listing what it has just written, inside one transaction)."""
    elsewhere, _ = open_transaction("postgres")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()::text::bigint")
            own = cursor.fetchone()[0]
            assert change_watermark() == own
    finally:
        elsewhere.close()
