"""The failover engine: the only code in g4f that retries a provider or moves to the next.

A request names a provider (a class), an aggregate (``AnyProvider``, ``HuggingSpace``,
``HuggingFaceMedia``) or a retry list (``IterListProvider([...])``). Aggregates only
*produce candidates* (``get_candidates(model, **kwargs)`` → ``(provider, model id)``
pairs, possibly awaited); the engine expands them in order, runs each candidate and
decides, from the typed error, whether to try the same candidate again, to move on,
or to give up. The rules are docs/client.md's retry table (a test compares it with these constants):

- one deadline, ``timeout``, for the whole call (expansion, metadata look-ups, every
  attempt, every wait); when it passes, :class:`~g4f.errors.TimeoutError`;
- ``stream_timeout`` is the longest silence of a candidate, first byte included; a
  silent candidate is abandoned and not retried;
- before the first content chunk, connection errors and 429/502/503/504 are retried
  on the same candidate at most :data:`MAX_RETRIES` times (jittered backoff, or the
  server's Retry-After / ``estimated_time``); a wait longer than :data:`LONG_WAIT`
  cools the candidate down and moves on when another candidate is left;
- anything else (500, 401/402/403, model not supported, an empty answer, ...) moves
  to the next candidate at once; rejected credentials get one re-authentication;
- after the first content chunk any failure is :class:`StreamInterruptedError` with
  the partial text: the output of two candidates is never mixed.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from ..config import default_stream_timeout, default_timeout
from ..debug import logger
from ..errors import (
    G4FError,
    InvalidRequestError,
    ModelNotFoundError,
    NetworkError,
    ResponseError,
    ResponseStatusError,
    RetryNoProviderError,
    RetryProviderError,
    StreamInterruptedError,
    StreamTimeoutError,
    TimeoutError,
    is_transient,
)
from ..state import get_store
from ..typing import Messages
from .lookup import reset_call_deadline, set_call_deadline
from .response import ProviderInfo, Reasoning, RequestLogin, is_content

__all__ = [
    "MAX_RETRIES",
    "LONG_WAIT",
    "RETRY_STATUS",
    "NEXT_STATUS",
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "DEFAULT_COOLDOWN",
    "Candidate",
    "failover",
    "cooldown",
    "is_cooling_down",
    "clear_cooldowns",
    "backoff_delay",
]

#: Retries of one candidate before its first content chunk (so 1 + 2 attempts).
MAX_RETRIES = 2
#: A Retry-After / ``estimated_time`` above this (seconds) moves on when it can.
LONG_WAIT = 5.0
#: Statuses retried on the same candidate (connection errors too).
RETRY_STATUS = frozenset({429, 502, 503, 504})
#: Statuses that move to the next candidate at once.
NEXT_STATUS = frozenset({400, 401, 402, 403, 404, 500})
#: Jittered exponential backoff: uniform(0, min(cap, base * 2**attempt)) seconds.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 4.0
#: Seconds a failed candidate stays at the back of the order without a Retry-After.
DEFAULT_COOLDOWN = 30.0
MAX_COOLDOWN = 600.0
monotonic = time.monotonic
#: Time the engine keeps for itself after the deadline (closing streams).
_MARGIN = 0.05
_MAX_DEPTH = 4


# --- cooldowns (in the run-time store) -------------------------------------------------


def cooldown(name: str, seconds: float | None = None) -> None:
    """Order candidate ``name`` last for ``seconds`` (Retry-After, else 30 s)."""
    seconds = DEFAULT_COOLDOWN if seconds is None else min(max(seconds, 0.0), MAX_COOLDOWN)
    if seconds > 0:
        get_store().set(f"cooldown:{name}", time.time() + seconds, seconds)
    else:
        get_store().delete(f"cooldown:{name}")


def is_cooling_down(name: str) -> bool:
    """Whether ``name`` failed recently enough to be tried last."""
    return get_store().get(f"cooldown:{name}") is not None


def clear_cooldowns() -> None:
    get_store().clear("cooldown:")


def backoff_delay(attempt: int, retry_after: float | None) -> float:
    """Seconds before retry ``attempt`` (0-based): Retry-After if given, else jittered backoff."""
    if retry_after is not None:
        return max(0.0, float(retry_after))
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * (2**attempt)))


# --- candidates -------------------------------------------------------------------------


def provider_name(provider: Any) -> str:
    return getattr(provider, "__name__", None) or type(provider).__name__


def _label(provider: Any) -> str:
    get_label = getattr(provider, "get_label", None)
    return get_label() if callable(get_label) else provider_name(provider)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One provider with the model id it gets; ``leaf`` when it needs no expansion.

    ``route`` marks one of several routes of the same provider (HuggingFaceMedia's
    inference providers): its key, for errors and cooldowns, includes the model id.
    """

    provider: Any
    model: str
    leaf: bool = True
    depth: int = 0
    route: bool = False

    @property
    def name(self) -> str:
        return provider_name(self.provider)

    @property
    def key(self) -> str:
        return f"{self.name} ({self.model})" if self.route else self.name


def _expands(provider: Any) -> bool:
    return callable(getattr(provider, "get_candidates", None))


async def _expand(candidate: Candidate, kwargs: dict[str, Any]) -> list[Candidate]:
    """The candidates an aggregate offers for the model, cooling ones last."""
    result = candidate.provider.get_candidates(candidate.model, **kwargs)
    if asyncio.iscoroutine(result):
        result = await result
    found: list[Candidate] = []
    for item in result:
        provider, model = item if isinstance(item, tuple) else (item, None)
        model = candidate.model if model is None else model
        route = provider is candidate.provider
        leaf = route or not _expands(provider) or candidate.depth + 1 >= _MAX_DEPTH
        found.append(Candidate(provider, model or "", leaf, candidate.depth + 1, route))
    cooling = await get_store().aget_many([f"cooldown:{c.key}" for c in found])  # one read
    return [c for c, _ in sorted(zip(found, cooling, strict=True), key=lambda p: p[1] is not None)]


def select_api_key(provider: Any, api_key: Any) -> Any:
    """A key dict is looked up by provider name then family; a string goes to every provider."""
    if isinstance(api_key, dict):
        name = provider_name(provider)
        parent = provider.get_parent() if hasattr(provider, "get_parent") else name
        return api_key.get(name) or api_key.get(parent)
    return api_key


# --- the silence and deadline watch -----------------------------------------------------


class _Watch:
    """Cancels the waiting task when a candidate is silent too long or the deadline passes.

    Per chunk it costs a clock read and an attribute write; one timer is armed at a
    time, re-armed only when it fires.
    """

    __slots__ = ("deadline", "silence", "since", "task", "handle", "fired")

    def __init__(self, deadline: float, silence: float) -> None:
        self.deadline = deadline
        self.silence = silence
        self.since: float | None = None
        self.task: asyncio.Task[Any] | None = None
        self.handle: asyncio.TimerHandle | None = None
        self.fired: str | None = None

    def attempt(self) -> None:
        """A new attempt starts, read by the current task (one task reads one attempt:
        asking for the current task per chunk would cost more than the rest together)."""
        self.task = asyncio.current_task()
        self.fired = None

    def arm(self, since: float) -> None:
        due = min(since + self.silence, self.deadline)
        loop = asyncio.get_running_loop()
        self.handle = loop.call_at(loop.time() + max(0.0, due - time.monotonic()), self._check)

    def _check(self) -> None:
        self.handle = None
        since, task = self.since, self.task
        if since is None or task is None or task.done() or self.fired:
            return
        now = time.monotonic()
        if now >= self.deadline - 0.001:
            self.fired = "deadline"
        elif now - since >= self.silence - 0.001:
            self.fired = "silence"
        else:
            self.arm(since)
            return
        task.cancel()

    def caught(self) -> str | None:
        """After a CancelledError: why the watch fired, or None when the cancel came from outside."""
        if self.fired is None or self.task is None:
            return None
        return self.fired if self.task.uncancel() == 0 else None

    def stop(self) -> None:
        self.since = None
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


class _DeadlinePassed(Exception):
    """Internal: the call's deadline passed."""


# --- decisions --------------------------------------------------------------------------


def _retry_wait(exc: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retrying the same candidate, or None when it must not be retried."""
    if isinstance(exc, NetworkError):
        return backoff_delay(attempt, None)
    if isinstance(exc, ResponseStatusError) and exc.status_code in RETRY_STATUS:
        return backoff_delay(attempt, exc.retry_after)
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _combine(failures: dict[str, BaseException]) -> BaseException:
    if len(failures) == 1:
        return next(iter(failures.values()))
    if not failures:
        return RetryNoProviderError("No provider available")
    if all(isinstance(e, ModelNotFoundError) for e in failures.values()):
        return RetryProviderError("No provider serves this model", failures)
    return RetryProviderError("All providers failed", failures)


def _deadline_error(timeout: float, failures: dict[str, BaseException]) -> TimeoutError:
    lines = "".join(
        f"\n{name}: {type(exc).__name__}: {_one_line(exc)}" for name, exc in failures.items()
    )
    return TimeoutError(f"The request timed out after {timeout:g} s (timeout){lines}")


# --- the engine -------------------------------------------------------------------------


async def failover(
    provider: Any,
    model: str,
    messages: Messages,
    *,
    on_failure: Callable[[str, BaseException], None] | None = None,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """Answer with the first candidate of ``provider`` that works (see the module docstring).

    ``timeout``, ``stream_timeout`` and ``max_retries`` are read from ``kwargs``; the
    rest goes to every candidate. ``on_failure(name, error)`` hears each abandoned
    candidate by its key (the provider's name; with the model id for a route). ``None``
    chunks are dropped.
    """
    timeout = _seconds("timeout", kwargs.pop("timeout", None), default_timeout)
    silence = _seconds("stream_timeout", kwargs.pop("stream_timeout", None), default_stream_timeout)
    max_retries = kwargs.pop("max_retries", None)
    if max_retries is None:
        limit = getattr(provider, "retry_limit", None)
        max_retries = limit() if callable(limit) else None
    if max_retries is None:
        max_retries = MAX_RETRIES
    elif isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise InvalidRequestError(f"max_retries must be an integer >= 0, not {max_retries!r}")
    deadline = time.monotonic() + timeout
    token = set_call_deadline(deadline)
    watch = _Watch(deadline, silence)
    failures: dict[str, BaseException] = {}
    queue: deque[Candidate] = deque([Candidate(provider, model or "", not _expands(provider))])
    top = True

    def fail(candidate: Candidate, exc: BaseException, cool: float | None = None) -> None:
        key = candidate.key
        if key in failures:  # the same provider twice in one list
            key = f"{key} #{sum(1 for k in failures if k.startswith(key)) + 1}"
        failures[key] = exc
        if cool is not None or is_transient(exc):
            cooldown(candidate.key, cool if cool is not None else getattr(exc, "retry_after", None))
        if on_failure is not None:
            on_failure(candidate.key, exc)
        logger.debug("%s failed: %s: %s", key, type(exc).__name__, _one_line(exc))

    try:
        while queue:
            candidate = queue.popleft()
            if not candidate.leaf:
                try:
                    children = await _bounded(_expand(candidate, kwargs), deadline)
                except _DeadlinePassed:
                    raise _deadline_error(timeout, failures) from None
                except G4FError as exc:
                    if top or isinstance(exc, InvalidRequestError):
                        raise
                    fail(candidate, exc)
                    continue
                if not children and top:
                    raise RetryNoProviderError("No provider available")
                top = False
                queue.extendleft(reversed(children))
                continue
            top = False
            name = candidate.name
            attempt = 0
            extra: dict[str, Any] = {}
            reauthed = waited_long = False
            while True:
                call = {**kwargs, **extra}
                if "api_key" in call:
                    call["api_key"] = select_api_key(candidate.provider, call["api_key"])
                left = deadline - time.monotonic()
                if left <= _MARGIN:
                    raise _deadline_error(timeout, failures)
                call["timeout"] = left
                call["stream_timeout"] = silence
                held: list[Any] = [
                    ProviderInfo(name=name, model=candidate.model, label=_label(candidate.provider))
                ]
                started = False
                partial: list[str] = []
                stream = candidate.provider.create_async_generator(
                    candidate.model, messages, **call
                )
                pull = stream.__anext__
                failure: BaseException | None = None
                watch.attempt()
                try:
                    while True:
                        # Per chunk: a clock read; the timer is armed only when none is.
                        watch.since = since = monotonic()
                        if watch.handle is None:
                            watch.arm(since)
                        try:
                            chunk = await pull()
                        except StopAsyncIteration:
                            break
                        except asyncio.CancelledError:
                            why = watch.caught()
                            if why is None:
                                raise
                            if why == "deadline":
                                raise _DeadlinePassed() from None
                            raise TimeoutError(
                                f"{name}: no data for {silence:g} s (stream_timeout)",
                                provider=name,
                            ) from None
                        watch.since = None
                        if started:
                            if type(chunk) is str:
                                partial.append(chunk)
                            yield chunk
                        elif chunk is None:
                            continue
                        elif is_content(chunk):
                            started = True
                            for item in held:
                                yield item
                            held.clear()
                            if isinstance(chunk, str):
                                partial.append(chunk)
                            yield chunk
                        elif isinstance(chunk, (Reasoning, RequestLogin)):
                            yield chunk  # progress and login prompts pass at once
                        else:
                            held.append(chunk)
                    if not started:
                        raise ResponseError(
                            f"{name}: empty answer (no text, tool call or media)", provider=name
                        )
                except _DeadlinePassed:
                    if started:
                        failure = TimeoutError(
                            f"The request timed out after {timeout:g} s (timeout)"
                        )
                    else:
                        raise _deadline_error(timeout, failures) from None
                except Exception as exc:  # noqa: BLE001 - every failure is decided below
                    failure = exc
                finally:
                    watch.stop()
                    await _close(stream)
                if failure is None:
                    for item in held:
                        yield item
                    return
                if started:
                    fail(candidate, failure)
                    kind = (
                        StreamTimeoutError
                        if isinstance(failure, TimeoutError)
                        else StreamInterruptedError
                    )
                    raise kind(
                        f"{name} failed after it started streaming: "
                        f"{type(failure).__name__}: {_one_line(failure)}",
                        partial="".join(partial),
                        cause=failure,
                        provider=name,
                        status_code=getattr(failure, "status_code", None),
                    ) from failure
                if isinstance(failure, InvalidRequestError):
                    raise failure  # the caller's request is wrong: no candidate can answer it
                # The rejected credentials never leave the engine on the error object.
                rejected = getattr(failure, "__dict__", {}).pop("failed_auth", None)
                if rejected is not None and not reauthed:
                    # Rejected credentials: one more attempt that authenticates afresh.
                    reauthed = True
                    extra = {"reauth": True, "failed_auth": rejected}
                    continue
                wait = _retry_wait(failure, attempt)
                if wait is None:
                    fail(candidate, failure)
                    break
                left = deadline - time.monotonic() - _MARGIN
                if wait > LONG_WAIT and (queue or waited_long):
                    fail(candidate, failure, cool=wait)  # others first; this one later
                    break
                if attempt >= max_retries or wait > left:
                    fail(candidate, failure)
                    break
                waited_long = waited_long or wait > LONG_WAIT
                attempt += 1
                logger.debug(
                    "%s: retry %d after %s in %.2f s", name, attempt, type(failure).__name__, wait
                )
                await asyncio.sleep(wait)
        raise _combine(failures)
    finally:
        watch.stop()
        reset_call_deadline(token)


def _seconds(name: str, value: Any, default: Callable[[], float]) -> float:
    """A positive, finite number of seconds (``None``: the configured default)."""
    if value is None:
        return float(default())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        raise InvalidRequestError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


async def _bounded(coro: Any, deadline: float) -> Any:
    left = deadline - time.monotonic()
    if left <= _MARGIN:
        coro.close()
        raise _DeadlinePassed()
    try:
        return await asyncio.wait_for(coro, left)
    except asyncio.TimeoutError:
        raise _DeadlinePassed() from None


async def _close(stream: Any) -> None:
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        try:
            await aclose()
        except Exception as exc:  # noqa: BLE001 - a failing close must not hide the answer's fate
            logger.debug("closing a provider stream failed: %s", type(exc).__name__)
