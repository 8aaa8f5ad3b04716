"""Where stored Responses live: an interface and its in-process backend.

A record is a JSON-compatible dict (the Response object and the chat messages
that continue its conversation). Backends keep records for a time to live and
may evict earlier; a missing record is simply ``None``. Another backend (e.g.
Redis) implements the same three coroutines and is passed to
``create_app(response_store=...)``.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = ["ResponseStore", "MemoryResponseStore", "DEFAULT_TTL"]

#: How long a stored response stays retrievable by default (seconds).
DEFAULT_TTL = 24 * 3600.0


@runtime_checkable
class ResponseStore(Protocol):
    """Async key → record storage with a time to live."""

    async def get(self, key: str) -> dict[str, Any] | None:
        """The record stored under ``key``, or ``None`` (unknown, expired, evicted)."""
        ...

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (``None``: the store's default)."""
        ...

    async def delete(self, key: str) -> bool:
        """Forget ``key``; whether it was there."""
        ...


class MemoryResponseStore:
    """Records in this process's memory, bounded by count and by bytes (oldest go first).

    Values are kept as JSON text: what comes out is a copy (a caller cannot change
    a stored record by mutating it) and exactly what a networked backend would
    return, and the byte bound is cheap to keep.
    """

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_entries: int = 1000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl <= 0 or max_entries < 1 or max_bytes < 1:
            raise ValueError("ttl, max_entries and max_bytes must be positive")
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> dict[str, Any] | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        expires, text = entry
        if expires <= self._clock():
            self._drop(key)
            return None
        value: dict[str, Any] = json.loads(text)
        return value

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if len(text) > self.max_bytes:
            return  # larger than the whole store: keeping it would evict everything
        self._drop(key)
        now = self._clock()
        # Oldest first: with one TTL insertion order is expiry order.
        while self._items and next(iter(self._items.values()))[0] <= now:
            self._drop(next(iter(self._items)))
        self._items[key] = (now + (self.ttl if ttl is None else ttl), text)
        self._bytes += len(text)
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._items)))

    async def delete(self, key: str) -> bool:
        return self._drop(key)

    def _drop(self, key: str) -> bool:
        entry = self._items.pop(key, None)
        if entry is None:
            return False
        self._bytes -= len(entry[1])
        return True
