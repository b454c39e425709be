"""Reasons for changes of a status that matters (a school's turnaround status, a zone's status, a
commitment's status): such a change is saved only with its reason, on every write path, because
the model's ``save`` refuses it otherwise. The reason travels as simple_history's ``_change_reason``
on the instance, so the change's history row holds it (``history_change_reason``) and the audit
trail shows who changed what and why."""

from django.core.exceptions import ValidationError
from django.db import models

REASON_MAX_LENGTH = 2000  # kept whole: history_change_reason is a text column (settings)
REASON_LABEL = "Reason for the change"
REASON_HELP = "Required when the status changes; kept in the history with the change."


def required_reason(reason, why: str) -> str:
    """``reason`` stripped, or a ValidationError on ``reason`` asking to "Say why <why>." (a
    withdrawal, a void, a delete: the history keeps it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why {why}."})
    return reason


def reason_required_error(instance) -> ValidationError:
    field = instance._meta.get_field(instance.reasoned_field)
    return ValidationError(
        {instance.reasoned_field: f"Give the reason for changing the {field.verbose_name}."}, code="reason_required"
    )


class ReasonedStatusModel(models.Model):
    """Abstract base: a change of ``reasoned_field`` is saved only with ``_change_reason`` set.

    The status the row was read with is remembered (``from_db``), so the check costs no query; a
    versioned model refuses a save over a newer row anyway (core.concurrency), so what was read is
    what the save changes. Creating a row is not a change."""

    reasoned_field = "status"

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if cls.reasoned_field in field_names:
            instance._stored_status = getattr(instance, cls.reasoned_field)
        return instance

    def refresh_from_db(self, *args, fields=None, **kwargs):
        super().refresh_from_db(*args, fields=fields, **kwargs)
        if fields is None or self.reasoned_field in fields:
            self._stored_status = getattr(self, self.reasoned_field)

    def stored_status(self):
        """The status as stored (None for a row not saved yet)."""
        if self._state.adding:
            return None
        if hasattr(self, "_stored_status"):
            return self._stored_status
        stored = type(self)._base_manager.filter(pk=self.pk).values_list(self.reasoned_field, flat=True)
        return stored.first()

    def status_changes(self, status=None) -> bool:
        """Does saving ``status`` (default: the instance's) change the stored status?"""
        stored = self.stored_status()
        return stored is not None and stored != (getattr(self, self.reasoned_field) if status is None else status)

    def change_reason(self) -> str:
        return (getattr(self, "_change_reason", None) or "").strip()

    def save(self, *args, update_fields=None, **kwargs):
        saves_status = update_fields is None or self.reasoned_field in update_fields
        if saves_status and self.status_changes() and not self.change_reason():
            raise reason_required_error(self)
        if self.change_reason():
            self._change_reason = self.change_reason()
        super().save(*args, update_fields=update_fields, **kwargs)
        self._stored_status = getattr(self, self.reasoned_field)
