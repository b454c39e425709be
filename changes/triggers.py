"""The triggers that stamp ``updated_at`` and ``change_version`` on every tracked table
(core.changes), installed (or replaced) after every ``migrate``, so a new tracked model gets its
trigger with its migration and no write path can skip the stamp."""

from django.apps import apps
from django.db import connections

from core.changes import TrackedModel

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION zp_track_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;  -- an update that changes nothing is not a change
    END IF;
    NEW.change_version := pg_current_xact_id()::text::bigint;
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    'CREATE OR REPLACE TRIGGER zp_track_change BEFORE INSERT OR UPDATE ON "{table}" '
    "FOR EACH ROW EXECUTE FUNCTION zp_track_change()"
)
# SQLite: the counter bumped under the database's one write lock (not a model: an implementation
# detail of this backend, created here with its triggers).
SQLITE_COUNTER = "CREATE TABLE IF NOT EXISTS zp_change_counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"
# SQLite cannot change NEW in a BEFORE trigger: stamp the row after the write (recursive
# triggers are off, so this UPDATE does not fire the trigger again).
SQLITE_STAMP = """
    INSERT OR IGNORE INTO zp_change_counter (id, value) VALUES (1, 0);
    UPDATE zp_change_counter SET value = value + 1 WHERE id = 1;
    UPDATE "{table}" SET change_version = (SELECT value FROM zp_change_counter WHERE id = 1),
        updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE rowid = NEW.rowid;
"""
SQLITE_TRIGGERS = (
    'DROP TRIGGER IF EXISTS "zp_track_insert_{table}"',
    'DROP TRIGGER IF EXISTS "zp_track_update_{table}"',
    'CREATE TRIGGER "zp_track_insert_{table}" AFTER INSERT ON "{table}" FOR EACH ROW BEGIN {stamp} END',
    'CREATE TRIGGER "zp_track_update_{table}" AFTER UPDATE ON "{table}" FOR EACH ROW WHEN {changed} BEGIN {stamp} END',
)


def stamped_models() -> list:
    """Every model whose rows carry the stamps: the tracked models and the tombstones."""
    tombstone = apps.get_model("changes", "Tombstone")
    return [model for model in apps.get_models() if issubclass(model, TrackedModel)] + [tombstone]


def install(using="default", **kwargs):
    """(Re)create the stamping trigger of every stamped table that exists in the database."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        models = [model for model in stamped_models() if model._meta.db_table in tables]
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for model in models:
                cursor.execute(PG_TRIGGER.format(table=model._meta.db_table))
        elif connection.vendor == "sqlite":
            cursor.execute(SQLITE_COUNTER)
            for model in models:
                table = model._meta.db_table
                columns = [
                    f.column for f in model._meta.concrete_fields if f.name not in ("updated_at", "change_version")
                ]
                changed = "(" + " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns) + ")"
                stamp = SQLITE_STAMP.format(table=table)
                for statement in SQLITE_TRIGGERS:
                    cursor.execute(statement.format(table=table, stamp=stamp, changed=changed))
