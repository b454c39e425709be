"""Secrets handed to a person once (invitation links, API tokens, calendar feed URLs): how one is
made and how it is kept, as a hash only, so the database never holds a usable credential."""

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
