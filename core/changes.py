"""Change tracking: when each row was created and last changed, and a change version that lets a
client copy only what changed since its last sync.

Every model the API serves is a ``TrackedModel``. The database stamps ``updated_at`` and
``change_version`` itself, in a trigger on each table (installed by the ``changes`` app after every
``migrate``), so every write path (pages, API, imports' bulk writes, ``QuerySet.update()``, the
admin, tasks, raw SQL) stamps them, and an update that changes nothing stamps nothing.

The change version is the writing transaction's id on PostgreSQL (``pg_current_xact_id()``) and a
counter bumped under SQLite's single write lock. It is monotonic in what a reader may safely hand
out: ``change_watermark()`` is the highest version below every transaction still in flight, so a
client that reads the rows with ``change_version`` in ``(since, watermark]`` and resumes from the
watermark misses no row a slower transaction commits later, and sees each change once.
"""

from django.db import connections, models
from django.utils import timezone

STAMPED_FIELDS = ("updated_at", "change_version")


class TrackedModel(models.Model):
    """Abstract base of every model the API serves: ``created_at``, and ``updated_at`` and
    ``change_version`` stamped by the database (see the module docstring).

    ``natural_key_fields`` maps the names a client keys the row by outside this system to their
    paths (``{"nces_id": "nces_id"}``); a delete is published with them (``changes.Tombstone``),
    so a downstream copy that never stored our ids can still apply it."""

    natural_key_fields: dict[str, str] = {}

    created_at = models.DateTimeField(default=timezone.now, editable=False, help_text="When the record was created.")
    updated_at = models.DateTimeField(
        default=timezone.now, editable=False, help_text="When the record last changed (set by the database)."
    )
    change_version = models.BigIntegerField(
        default=0,
        editable=False,
        db_index=True,
        help_text="Increases with every change; list with ?changed_since=<this> to get what changed after it.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The trigger has just set them in the row: read them again when next used (a deferred
        # field reloads itself), and never write the stale copies back.
        for name in STAMPED_FIELDS:
            self.__dict__.pop(name, None)


# The snapshot's horizon (ids from it on may be in flight), the oldest id in flight below it that
# is this database's, our own transaction's id, and whether every id from the horizon up to ours
# is another database's (ids wrap at 2^32 in pg_stat_activity).
WATERMARK_SQL = """
WITH snapshot AS (SELECT pg_current_snapshot() AS s),
here AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE backend_xid IS NOT NULL AND datname = current_database()
)
SELECT pg_snapshot_xmax(s)::text::bigint,
    (SELECT min(x::text::bigint) FROM pg_snapshot_xip(s) AS x
     WHERE x::text::bigint % 4294967296 IN (SELECT xid FROM here)),
    pg_current_xact_id_if_assigned()::text::bigint,
    NOT EXISTS (
        SELECT 1 FROM generate_series(
            pg_snapshot_xmax(s)::text::bigint, coalesce(pg_current_xact_id_if_assigned()::text::bigint, 0) - 1
        ) AS ids(x)
        WHERE ids.x % 4294967296 IN (SELECT xid FROM here)
    )
FROM snapshot
"""


def change_watermark(using: str = "default") -> int:
    """The highest change version every reader may hand out now: all rows stamped with a version
    up to it are committed (or rolled back), none will appear later with a smaller one."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Transaction ids are the whole server's: only those in flight in this database hold
            # us back (another application or test run never writes these tables). An id of the
            # snapshot no session shows any more has ended since, and the next statement sees
            # its rows: asking "is it here?" rather than "is it elsewhere?" is what keeps a
            # transaction of another database that ends meanwhile from freezing the watermark.
            # pg_stat_activity is read once per transaction unless its snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(WATERMARK_SQL)
            xmax, oldest_in_flight, own, none_here_below_own = cursor.fetchone()
            if oldest_in_flight is not None:
                return oldest_in_flight - 1
            # Our own transaction's rows are visible to us: hand them out too, when no id between
            # the snapshot's horizon and ours is in flight in this database.
            if own is not None and own >= xmax and none_here_below_own:
                return own
            return xmax - 1
        cursor.execute("SELECT value FROM zp_change_counter WHERE id = 1")
        row = cursor.fetchone()
        return row[0] if row else 0
