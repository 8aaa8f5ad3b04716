"""Metadata look-ups (Hub model info, provider mappings, Space configs): short, cached, bounded.

A provider often asks a second service something before it can answer (which
template a model needs, which inference providers serve it, which endpoint a Space
exposes). Such a look-up must never cost a request its whole timeout: it gets its
own short timeout (:data:`LOOKUP_TIMEOUT`, further capped by what is left of the
call's deadline), a successful answer is cached for the caller's ``ttl`` and a
failed one for :data:`FAILURE_TTL`, so one slow Hub costs one wait, not one per
candidate and attempt.

The call's deadline comes from the failover engine through a context variable
(:func:`call_deadline`), which every provider generator run by the engine sees.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from .. import errors
from ..errors import (
    G4FError,
    MissingAuthError,
    PaymentRequiredError,
    RateLimitError,
    TimeoutError,
)
from ..state import get_store

__all__ = [
    "LOOKUP_TIMEOUT",
    "FAILURE_TTL",
    "call_deadline",
    "set_call_deadline",
    "reset_call_deadline",
    "remaining",
    "lookup",
    "forget",
]

T = TypeVar("T")

#: Longest wait for one metadata look-up, in seconds.
LOOKUP_TIMEOUT = 10.0
#: Seconds a failed look-up is remembered (its error raised again without a request).
FAILURE_TTL = 30.0

_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "g4f_call_deadline", default=None
)


def call_deadline() -> float | None:
    """The current call's deadline (``time.monotonic()`` seconds), if an engine set one."""
    return _DEADLINE.get()


def set_call_deadline(deadline: float | None) -> contextvars.Token[float | None]:
    """Set the deadline the look-ups of this context respect (the engine does this)."""
    return _DEADLINE.set(deadline)


def reset_call_deadline(token: contextvars.Token[float | None]) -> None:
    """Undo :func:`set_call_deadline` (tolerates a generator finished in another context)."""
    try:
        _DEADLINE.reset(token)
    except ValueError:
        _DEADLINE.set(None)


def remaining(default: float) -> float:
    """Seconds left before the call's deadline (``default`` when there is none)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return default
    return max(0.0, deadline - time.monotonic())


#: Failures that depend on the caller (its token, its quota), never remembered for others.
_CALLER_ERRORS = (MissingAuthError, PaymentRequiredError, RateLimitError)


def _remember_failure(key: str, exc: G4FError) -> None:
    if isinstance(exc, _CALLER_ERRORS):
        return
    get_store().set(
        f"lookup-failed:{key}",
        {
            "type": type(exc).__name__,
            "message": str(exc),
            "status_code": exc.status_code,
            "provider": exc.provider,
        },
        FAILURE_TTL,
    )


def _cached_failure(key: str) -> G4FError | None:
    data = get_store().get(f"lookup-failed:{key}")
    if not isinstance(data, dict):
        return None
    kind = getattr(errors, str(data.get("type")), None)
    if not (isinstance(kind, type) and issubclass(kind, G4FError)):
        kind = errors.ResponseError
    try:
        return kind(
            str(data.get("message", "")),
            status_code=data.get("status_code"),
            provider=data.get("provider"),
        )
    except TypeError:  # an error class with another signature
        return errors.ResponseError(str(data.get("message", "")), provider=data.get("provider"))


async def lookup(
    key: str,
    fetch: Callable[[], Awaitable[T]],
    *,
    ttl: float,
    what: str = "metadata look-up",
    provider: str | None = None,
    timeout: float = LOOKUP_TIMEOUT,
) -> T:
    """``fetch()``'s answer, cached under ``key`` for ``ttl`` seconds.

    The fetch is bounded by ``min(timeout, time left of the call)``; a
    :class:`~g4f.errors.G4FError` it raises (a timeout included) is remembered for
    :data:`FAILURE_TTL` seconds and raised again at once meanwhile. A fetch cut by the
    call's own deadline is not remembered (it says nothing about the service), nor is
    a failure about the caller's credentials or quota.
    """
    store = get_store()
    cached = store.get(f"lookup:{key}")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    failed = _cached_failure(key)
    if failed is not None:
        raise failed
    left = remaining(timeout)
    limit = min(timeout, left)
    try:
        value = await asyncio.wait_for(fetch(), limit)
    except asyncio.TimeoutError:
        who = f"{provider}: " if provider else ""
        error = TimeoutError(f"{who}{what} got no answer within {limit:.1f} s", provider=provider)
        if limit >= timeout:
            _remember_failure(key, error)
        raise error from None
    except G4FError as exc:
        _remember_failure(key, exc)
        raise
    store.set(f"lookup:{key}", value, ttl)
    return value


def forget(key: str) -> None:
    """Drop a cached answer and a cached failure for ``key``."""
    store = get_store()
    store.delete(f"lookup:{key}")
    store.delete(f"lookup-failed:{key}")
