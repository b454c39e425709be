"""Conditional requests: ETag on every object and list page, If-None-Match, If-Match.

STAND-IN (foundation of issue 18): branch api-http replaces this module."""


class ConditionalRequestsMixin:
    pass
