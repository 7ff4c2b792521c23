"""The one HTTP layer both API clients share.

    session.py    HttpSession: sends with pacing, retries and the circuit breaker; TokenSource;
                  MaybeCommittedError; response_json; build_client
    pacing.py     Pacer (per-service and per-category budgets), SlidingWindow
    retry.py      RetryPolicy, Retry-After parsing
    redaction.py  Redactor: secrets masked in the debug log

Import from here: ``from sbzoom.clients.http import HttpSession, Pacer, Redactor``.
"""

from sbzoom.clients.http.pacing import WINDOW_MARGIN, Pacer, SlidingWindow
from sbzoom.clients.http.redaction import MASK, Redactor, is_sensitive
from sbzoom.clients.http.retry import RetryPolicy, parse_retry_after, reset_time
from sbzoom.clients.http.session import (
    IDEMPOTENT,
    MAX_RENEWALS,
    MAX_WORKERS,
    TIMEOUT,
    USER_AGENT,
    HttpSession,
    MaybeCommittedError,
    TokenSource,
    build_client,
    response_json,
)

__all__ = [
    "IDEMPOTENT",
    "MASK",
    "MAX_RENEWALS",
    "MAX_WORKERS",
    "TIMEOUT",
    "USER_AGENT",
    "WINDOW_MARGIN",
    "HttpSession",
    "MaybeCommittedError",
    "Pacer",
    "Redactor",
    "RetryPolicy",
    "SlidingWindow",
    "TokenSource",
    "build_client",
    "is_sensitive",
    "parse_retry_after",
    "reset_time",
    "response_json",
]
