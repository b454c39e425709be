"""The project's own apps and models, found from the code (not from a hand-kept list): every
installed app whose package lives in this repository."""

import hashlib
from pathlib import Path

from django.apps import apps
from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def project_apps() -> list:
    """Installed apps whose code sits in this repository, in INSTALLED_APPS (layer) order."""
    return [config for config in apps.get_app_configs() if Path(config.path).parent == REPO]


def project_models() -> set:
    """The project's own models, without the audit-history twins."""
    return {
        model
        for config in project_apps()
        for model in config.get_models()
        if not model.__name__.startswith("Historical")
    }


def rows_fingerprint(models) -> dict:
    """{model label: (row count, checksum of its rows in primary-key order)}: two equal fingerprints
    mean nothing was written to those tables. On PostgreSQL the database computes it in one query
    (the isolation matrix takes one after each of hundreds of POSTs); elsewhere Python reads the rows."""
    models = sorted(models, key=lambda model: model._meta.label)
    if connection.vendor != "postgresql":
        fingerprint = {}
        for model in models:
            rows = list(model._base_manager.order_by("pk").values_list())
            fingerprint[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return fingerprint
    quote = connection.ops.quote_name
    each = (
        f"SELECT %s::text, count(*), md5(coalesce(string_agg(fp_row::text, '|' ORDER BY fp_row.{quote(pk)}), ''))"
        f" FROM {quote(table)} fp_row"
        for table, pk in ((model._meta.db_table, model._meta.pk.column) for model in models)
    )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(each), [model._meta.label for model in models])
        return {label: (count, digest) for label, count, digest in cursor.fetchall()}


def rows_written(models) -> int | None:
    """How many rows this transaction has inserted, updated or deleted in the models' tables so far,
    rolled-back savepoints included (PostgreSQL's pg_stat_xact_user_tables); None elsewhere. While it
    stays the same, so does their ``rows_fingerprint``: a caller may keep the one it has."""
    if connection.vendor != "postgresql":
        return None
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE schemaname = current_schema() AND relname = ANY(%s)",
            [tables],
        )
        return cursor.fetchone()[0]
