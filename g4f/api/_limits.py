"""Per-key limits and usage counters, kept in the run-time store (Redis when shared).

``rpm`` is a GCRA (generic cell rate algorithm) bucket: a key may send ``rpm``
requests at once and then one every ``60 / rpm`` seconds; the state is one
timestamp per key, updated by compare-and-set, so every worker and instance sharing
the store enforces the same limit. ``tpd`` counts tokens per UTC day; a request is
refused once the day's count reached the limit. Refusals are ``429`` with
``Retry-After``. Counters (``usage:``) are keyed by key *name*, never by the key.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from ..state import get_store
from ._errors import ApiError
from ._keys import ApiKey, KeyRing

__all__ = ["Limiter", "PERIOD"]

#: The rpm window (seconds).
PERIOD = 60.0
_DAY = 86400
#: Compare-and-set attempts before a busy key is told to retry.
_CAS_TRIES = 8


def _day(now: float) -> int:
    return int(now // _DAY)


def _limited(message: str, retry_after: float) -> ApiError:
    seconds = max(1, math.ceil(retry_after))
    return ApiError(
        429,
        message,
        type="rate_limit_error",
        code="rate_limit_exceeded",
        headers={"Retry-After": str(seconds)},
    )


class Limiter:
    """Admits requests of a key against its limits and counts what it used."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    async def admit(self, key: ApiKey) -> None:
        """Count one request of ``key``, or raise a 429 :class:`ApiError`."""
        store = get_store()
        now = time.time()
        rpm_key = f"keys:rpm:{key.name}"
        tokens_key = f"usage:tokens:{key.name}:{_day(now)}"
        tat, used = await store.aget_many([rpm_key, tokens_key])
        if key.tpd is not None and (used or 0) >= key.tpd:
            raise _limited(
                f"Token limit of key '{key.name}' reached ({key.tpd} tokens per day)",
                (_day(now) + 1) * _DAY - now,
            )
        if key.rpm is not None:
            await self._take(key, rpm_key, tat, now)
        await store.aincr(f"usage:requests:{key.name}")

    async def _take(self, key: ApiKey, rpm_key: str, tat: Any, now: float) -> None:
        interval = PERIOD / key.rpm  # type: ignore[operator]
        store = get_store()
        for _ in range(_CAS_TRIES):
            start = max(float(tat) if isinstance(tat, (int, float)) else 0.0, now)
            new = start + interval
            if new - now > PERIOD + 1e-6:
                raise _limited(
                    f"Rate limit of key '{key.name}' reached ({key.rpm} requests per minute)",
                    new - PERIOD - now,
                )
            if await store.acompare_and_set(rpm_key, tat, new, ttl=PERIOD + 1):
                return
            now = time.time()
            tat = await store.aget(rpm_key)
        raise _limited(f"Rate limit of key '{key.name}': too many requests at once", 1)

    def record(self, key: ApiKey, tokens: int) -> None:
        """Add ``tokens`` to the key's counters in the background (after the answer)."""
        if tokens <= 0:
            return
        store = get_store()
        day = f"usage:tokens:{key.name}:{_day(time.time())}"

        async def run() -> None:
            await store.aincr(f"usage:tokens:{key.name}", tokens)
            await store.aincr(day, tokens, ttl=2 * _DAY)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Wait for pending counter updates (shutdown, tests)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def usage(self, ring: KeyRing) -> list[dict[str, Any]]:
        """Requests and tokens per key name (all time, and tokens today)."""
        day = _day(time.time())
        names = [k.name for k in ring.keys]
        keys = []
        for name in names:
            keys += [f"usage:requests:{name}", f"usage:tokens:{name}", f"usage:tokens:{name}:{day}"]
        values = await get_store().aget_many(keys)
        rows = []
        for i, key in enumerate(ring.keys):
            requests, tokens, today = values[3 * i : 3 * i + 3]
            rows.append(
                {
                    "name": key.name,
                    "requests": int(requests or 0),
                    "tokens": int(tokens or 0),
                    "tokens_today": int(today or 0),
                    "rpm": key.rpm,
                    "tpd": key.tpd,
                }
            )
        return rows
