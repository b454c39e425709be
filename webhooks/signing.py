"""Webhook secrets and signatures (Standard Webhooks). A secret is ``whsec_`` + base64 of 24 random
bytes, shown to its owner once and stored encrypted (Fernet) under a key derived from
``WEBHOOK_SECRET_KEY`` (or ``SECRET_KEY`` when unset): a copy of the database alone signs nothing."""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet
from django.conf import settings
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _fernet() -> Fernet:
    key_material = getattr(settings, "WEBHOOK_SECRET_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(f"zone-portfolio webhooks:{key_material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def signed_headers(secret: str, message_id: str, timestamp, body: bytes) -> dict:
    """The Standard Webhooks headers of one attempt at sending ``body``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
        "content-type": "application/json",
    }
