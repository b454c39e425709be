"""The correlation id of the work in progress: a request's ``X-Request-ID`` (set by
``web.problems.CorrelationIdMiddleware``), or in a Celery task the id of the request that queued it
(``web.observability``). Problems, log lines and task messages read it from here. No Django imports:
the Celery app and the log configuration load this before the apps are ready."""

import uuid
from contextvars import ContextVar, Token

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def correlation_id() -> str:
    """The current request's id (outside a request, a new one)."""
    return _correlation_id.get() or uuid.uuid4().hex


def bound_correlation_id() -> str | None:
    """The id of the request (or of the request that queued the task) being handled, if any."""
    return _correlation_id.get()


def bind_correlation_id(value: str | None) -> Token:
    """Make ``value`` the current id until ``reset_correlation_id`` of the token returned."""
    return _correlation_id.set(value)


def reset_correlation_id(token: Token) -> None:
    _correlation_id.reset(token)
