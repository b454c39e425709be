"""Idempotency-Key on every POST.

STAND-IN (foundation of issue 18): branch api-http replaces this module."""


class IdempotencyMixin:
    pass
