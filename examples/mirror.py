"""Mirror a state's zones, schools and measurements into a local SQLite file, incrementally.

Usage:
    python examples/mirror.py --url https://zones.example.org --token <API token> --state <state id> \\
        --db colorado.sqlite3

The first run copies everything (``changed_since=0``); each later run asks only for what changed
since the change version the last run ended at (kept per resource in the ``sync`` table), then
applies the deletes feed (``/api/v1/deletes/``). Rows are kept as JSON in ``records`` (resource,
id, change_version, data). If the server no longer keeps deletes that old (410 Gone), the copy is
emptied and made again. Standard library only; run it from cron as often as you like.
"""

import argparse
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

RESOURCES = ("zones", "schools", "measurements")
DELETES = "deletes"
SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    resource TEXT NOT NULL, id INTEGER NOT NULL, change_version INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (resource, id));
CREATE TABLE IF NOT EXISTS sync (resource TEXT PRIMARY KEY, change_version INTEGER NOT NULL);
"""


class Expired(Exception):
    """The server no longer keeps the deletes since our last sync: copy everything again."""


class Client:
    def __init__(self, url: str, token: str):
        self.base = url.rstrip("/") + "/api/v1/"
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.requests = 0

    def pages(self, resource: str, **params):
        """Each page of a ``changed_since`` list, following ``next`` (the last one has the watermark)."""
        url = self.base + f"{resource}/?" + urllib.parse.urlencode(params)
        while url:
            self.requests += 1
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=self.headers)) as response:
                    page = json.load(response)
            except urllib.error.HTTPError as error:
                if error.code == 410:
                    raise Expired() from error
                if error.code == 429:  # throttled: wait as told, then ask again
                    time.sleep(int(error.headers.get("Retry-After", "1")))
                    continue
                raise
            yield page
            url = page["next"]


def position(db, resource: str):
    row = db.execute("SELECT change_version FROM sync WHERE resource = ?", (resource,)).fetchone()
    return row[0] if row else None


def remember(db, resource: str, version: int) -> None:
    db.execute("INSERT OR REPLACE INTO sync (resource, change_version) VALUES (?, ?)", (resource, version))


def sync_once(client: Client, db, state: int) -> dict:
    """Copy what changed since the last run; returns how many rows changed and were deleted."""
    counts = {"changed": 0, "deleted": 0}
    first_copy = position(db, DELETES) is None
    for resource in RESOURCES:
        since = position(db, resource) or 0
        for page in client.pages(resource, changed_since=since, state=state, page_size=100):
            db.executemany(
                "INSERT OR REPLACE INTO records (resource, id, change_version, data) VALUES (?, ?, ?, ?)",
                [(resource, row["id"], row["change_version"], json.dumps(row)) for row in page["results"]],
            )
            counts["changed"] += len(page["results"])
        remember(db, resource, page["change_version"])
    # A first copy has no deletes to apply up to its oldest resource's watermark.
    since = position(db, DELETES) if not first_copy else min(position(db, r) for r in RESOURCES)
    for page in client.pages(DELETES, changed_since=since, page_size=100):
        for row in page["results"]:
            if row["resource"] in RESOURCES:
                gone = db.execute("DELETE FROM records WHERE resource = ? AND id = ?", (row["resource"], row["id"]))
                counts["deleted"] += gone.rowcount
    remember(db, DELETES, page["change_version"])
    db.commit()
    return counts


def mirror(url: str, token: str, state: int, path: str) -> dict:
    """One run: an incremental sync, or a fresh full copy when the server says ours is too old."""
    client = Client(url, token)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    try:
        counts = sync_once(client, db, state)
    except Expired:
        db.rollback()
        db.executescript("DELETE FROM records; DELETE FROM sync;")
        counts = sync_once(client, db, state)
    db.close()
    return {**counts, "requests": client.requests}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="The site, e.g. https://zones.example.org")
    parser.add_argument("--token", required=True, help="An API token that reads the state")
    parser.add_argument("--state", required=True, type=int, help="The state's id")
    parser.add_argument("--db", required=True, help="The SQLite file to keep the copy in")
    args = parser.parse_args(argv)
    counts = mirror(args.url, args.token, args.state, args.db)
    print(f"{counts['changed']} changed, {counts['deleted']} deleted, {counts['requests']} requests")


if __name__ == "__main__":
    main()
