"""What the API plumbing keeps between requests: the Idempotency-Key records (web.idempotency)."""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """A POST's ``Idempotency-Key`` claim, then its final response, replayed to a retry until
    ``expires_at``. Keys are the user's own (unique per user). ``status`` is empty while the first
    request is in flight."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey("accounts.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Written by web.idempotency from the request, never typed in.
    key = models.CharField(max_length=255, editable=False)
    method = models.CharField(max_length=10, editable=False)
    path = models.CharField(max_length=2048, editable=False)
    body_sha256 = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the request body, hex.")
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict, blank=True, help_text="The response's Content-Type, Location and ETag.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="web_idempotency_key_per_user")]

    def __str__(self):
        return f"{self.method} {self.path} ({self.key})"
