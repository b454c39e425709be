"""Optimistic concurrency: a ``version`` column that refuses a stale write.

A record people edit at the same time (through a form opened minutes ago, or an API client that
read it earlier) carries a version that every save increments. A save writes the row only where
the stored version is still the one the instance was read with (``UPDATE … WHERE version = n``);
when someone else saved in between, nothing is written and ``StaleRecord`` is raised, so no
acknowledged change is silently overwritten. Pages show its message on the form; the API answers
412 Precondition Failed (web.rest).

The check holds on every write path that calls ``save()`` (pages, API, admin, services), because
it is the database's compare-and-set, not a read before the write.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction

# PostgreSQL's SQLSTATEs of a write that lost a race to a concurrent one.
UNIQUE_VIOLATION = "23505"
DEADLOCK = "40P01"
SERIALIZATION_FAILURE = "40001"
LOCK_NOT_AVAILABLE = "55P03"

STALE_MESSAGE = "This record was changed by someone else since you opened it; review the current values and save again."


class StaleRecord(ValidationError):
    """The record was saved by someone else after this copy of it was read."""

    def __init__(self, message: str = STALE_MESSAGE):
        super().__init__(message, code="stale")


class VersionedModel(models.Model):
    """Abstract base: a ``version`` (1 when created, +1 at every save) checked by every update."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Incremented by every change; a change made from an older version is refused.",
    )

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if self._state.adding:
            return super().save(*args, update_fields=update_fields, **kwargs)
        if update_fields is not None:
            update_fields = {*update_fields, "version"}
        expected = self.version
        self._expected_version = expected
        self.version = expected + 1
        try:
            with transaction.atomic():  # a refused save leaves the surrounding transaction usable
                return super().save(*args, update_fields=update_fields, **kwargs)
        except BaseException:
            self.version = expected
            raise
        finally:
            del self._expected_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = getattr(self, "_expected_version", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        updated = super()._do_update(
            base_qs.filter(version=expected), using, pk_val, values, update_fields, forced_update
        )
        if not updated and base_qs.filter(pk=pk_val).exists():
            raise StaleRecord()
        return updated

    def expect_version(self, version) -> None:
        """Save only over ``version`` (what the user saw, e.g. a form's hidden field or an API
        client's If-Match): a different stored version makes the save raise StaleRecord."""
        if version is not None and int(version) != self.version:
            raise StaleRecord()


def lock_rows(model, pks) -> None:
    """Lock ``model``'s rows ``pks`` (``SELECT … FOR UPDATE``) until the end of the current
    transaction, in pk order, so two writers locking overlapping rows wait, never deadlock."""
    ids = sorted({pk for pk in pks if pk is not None})
    if ids:
        list(model._base_manager.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def sqlstate(error: Exception) -> str | None:
    """The SQLSTATE of the database error behind a Django ``DatabaseError`` (None on SQLite, which has none)."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
