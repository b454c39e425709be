"""The vocabularies of webhooks: what a subscriber may hear of (``EventType``) and where a delivery
stands (``DeliveryStatus``). Pages, API, admin and payloads read them from here."""

from django.db import models


class EventType(models.TextChoices):
    """The ``type`` of a webhook message (Standard Webhooks' dotted names)."""

    STATUS_UPDATE_POSTED = "status_update.posted", "Status update posted"
    PERIOD_SUBMITTED = "period.submitted", "Reporting period submitted"
    PERIOD_APPROVED = "period.approved", "Reporting period approved"
    PERIOD_LOCKED = "period.locked", "Reporting period locked (its values can no longer be changed)"
    MEASUREMENT_CHANGED = "measurement.changed", "Measurement recorded, corrected or deleted"
    COMMITMENT_STATUS_CHANGED = "commitment.status_changed", "Commitment status changed"
    REPORT_READY = "report.ready", "Report ready"
    SCHOOL_CHANGED = "school.changed", "School added or changed"
    SCHOOL_DELETED = "school.deleted", "School deleted"
    ZONE_CHANGED = "zone.changed", "Zone added or changed"
    ZONE_DELETED = "zone.deleted", "Zone deleted"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    RETRYING = "failed_will_retry", "Failed, will retry"
    GAVE_UP = "failed_gave_up", "Failed, gave up"
