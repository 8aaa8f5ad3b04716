"""Per-key limits and usage counters, kept in the run-time store (Redis when shared).

``rpm`` is a GCRA (generic cell rate algorithm) bucket: a key may send ``rpm``
requests at once and then one every ``60 / rpm`` seconds; the state is one
timestamp per key, updated atomically by the store (:meth:`g4f.state.Store.atake`: a
script on the Redis server's clock), so every worker and instance sharing the store
enforces the same limit. ``tpd`` counts tokens per UTC day; a request is
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
        """Count one request of ``key``, or raise a 429 :class:`ApiError`.

        One store round trip per configured limit; the request counter is updated in
        the background (it is reporting, not a limit)."""
        store = get_store()
        if key.tpd is not None:
            now = time.time()
            used = await store.aget(f"usage:tokens:{key.name}:{_day(now)}")
            if (used or 0) >= key.tpd:
                raise _limited(
                    f"Token limit of key '{key.name}' reached ({key.tpd} tokens per day)",
                    (_day(now) + 1) * _DAY - now,
                )
        if key.rpm is not None:
            wait = await store.atake(f"keys:rpm:{key.name}", PERIOD / key.rpm, PERIOD)
            if wait > 0:
                raise _limited(
                    f"Rate limit of key '{key.name}' reached ({key.rpm} requests per minute)",
                    wait,
                )
        self._background(store.aincr(f"usage:requests:{key.name}"))

    def _background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def record(self, key: ApiKey, tokens: int) -> None:
        """Add ``tokens`` to the key's counters in the background (after the answer)."""
        if tokens <= 0:
            return
        store = get_store()
        day = f"usage:tokens:{key.name}:{_day(time.time())}"

        async def run() -> None:
            await store.aincr(f"usage:tokens:{key.name}", tokens)
            await store.aincr(day, tokens, ttl=2 * _DAY)

        self._background(run())

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
