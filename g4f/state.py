"""Run-time state of providers in one store: cooldowns, discovered models, metadata caches.

Everything g4f learns while it runs (which provider is cooling down, which models a
service listed, a model's Hub metadata, a failed look-up) lives here instead of in
class attributes spread over modules, so the engine and the tests reset it in one
place and a shared backend can replace the in-process one.

The interface (:class:`Store`) is deliberately small: ``get``/``set`` with a TTL,
``delete``, an atomic counter (``incr``), ``compare_and_set`` and ``clear`` (by key
prefix). Each operation is atomic on one key and never blocks on I/O in the
in-process backend; values are plain data (str, numbers, lists, dicts) so that a
networked backend can serialize them. The ``a*`` coroutine forms delegate to the
sync ones here; a networked backend overrides them with real async calls.

Key namespaces (``prefix:rest``): ``cooldown:`` (the engine), ``models:`` (discovered
model lists), ``anymap:`` (AnyProvider's model map), ``lookup:`` and
``lookup-failed:`` (metadata look-ups, :mod:`g4f.providers.lookup`: ``hub-model:``,
``media-mapping:``, ``space-config:``, ``discovery:``), ``media-task:``
(HuggingFaceMedia's task per model), ``router-models:`` and ``trending-images:``
(what discovery learned about models).
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["Store", "MemoryStore", "get_store", "set_store", "reset_state"]


class Store(ABC):
    """Key → value with an optional time to live (seconds), plus atomic counters."""

    #: True when other processes see what this store holds (a networked backend that is up).
    shared: bool = False

    @abstractmethod
    def get(self, key: str) -> Any | None:
        """The value, or ``None`` when absent or expired."""

    @abstractmethod
    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        """Store ``value``; it expires after ``ttl`` seconds (never when ``None``)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget ``key`` (no error when absent)."""

    @abstractmethod
    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        """Add ``amount`` to an integer (absent counts as 0) and return the new value.

        ``ttl`` applies when the counter is created.
        """

    @abstractmethod
    def compare_and_set(
        self, key: str, expected: Any | None, value: Any, ttl: float | None = None
    ) -> bool:
        """Set ``value`` only if the current value equals ``expected`` (``None``: absent)."""

    @abstractmethod
    def clear(self, prefix: str = "") -> None:
        """Forget every key starting with ``prefix`` (everything by default)."""

    async def aget(self, key: str) -> Any | None:
        return self.get(key)

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.set(key, value, ttl)

    async def adelete(self, key: str) -> None:
        self.delete(key)

    async def aincr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        return self.incr(key, amount, ttl)

    async def acompare_and_set(
        self, key: str, expected: Any | None, value: Any, ttl: float | None = None
    ) -> bool:
        return self.compare_and_set(key, expected, value, ttl)

    async def atake(self, key: str, interval: float, period: float) -> float:
        """One request against a rate window (GCRA), atomically: 0.0 when admitted, else
        the seconds until it would be. ``period / interval`` requests may come at once,
        then one per ``interval`` seconds; the state is one timestamp under ``key``."""
        return self.take(key, interval, period)

    def take(self, key: str, interval: float, period: float) -> float:
        """The sync form of :meth:`atake` (memory only in a networked backend)."""
        now = time.time()
        while True:
            tat = self.get(key)
            start = max(float(tat) if isinstance(tat, (int, float)) else 0.0, now)
            new = start + interval
            if new - now > period + 1e-6:
                return new - period - now
            if self.compare_and_set(key, tat, new, period + 1):
                return 0.0

    async def aget_many(self, keys: list[str]) -> list[Any | None]:
        """The values of ``keys`` in order (one round trip in a networked backend)."""
        return [self.get(key) for key in keys]

    async def aclear(self, prefix: str = "") -> None:
        self.clear(prefix)

    def health(self) -> dict[str, str]:
        """``{"status": "ok" | "degraded", "store": backend in use}`` for ``/health``."""
        return {"status": "ok", "store": "memory"}


class MemoryStore(Store):
    """The in-process backend: a dict guarded by a lock (the sync client's loop thread and
    the caller's thread may both touch it)."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[Any, float | None]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> tuple[Any, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= now:
            del self._data[key]
            return None
        return item

    @staticmethod
    def _expiry(ttl: float | None, now: float) -> float | None:
        return None if ttl is None else now + max(ttl, 0.0)

    def get(self, key: str) -> Any | None:
        with self._lock:
            item = self._live(key, time.monotonic())
        return None if item is None else item[0]

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        now = time.monotonic()
        with self._lock:
            self._data[key] = (value, self._expiry(ttl, now))

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def incr(self, key: str, amount: int = 1, ttl: float | None = None) -> int:
        now = time.monotonic()
        with self._lock:
            item = self._live(key, now)
            if item is None:
                value, expiry = amount, self._expiry(ttl, now)
            else:
                value, expiry = int(item[0]) + amount, item[1]
            self._data[key] = (value, expiry)
            return value

    def compare_and_set(
        self, key: str, expected: Any | None, value: Any, ttl: float | None = None
    ) -> bool:
        now = time.monotonic()
        with self._lock:
            item = self._live(key, now)
            current = None if item is None else item[0]
            if current != expected:
                return False
            self._data[key] = (value, self._expiry(ttl, now))
            return True

    def clear(self, prefix: str = "") -> None:
        with self._lock:
            if not prefix:
                self._data.clear()
                return
            for key in [k for k in self._data if k.startswith(prefix)]:
                del self._data[key]

    def __repr__(self) -> str:
        return f"<MemoryStore keys={len(self._data)}>"


_store: Store = MemoryStore()


def get_store() -> Store:
    """The store every provider and the engine use."""
    return _store


def set_store(store: Store) -> Store:
    """Replace the store (a shared backend); returns the previous one."""
    global _store
    previous, _store = _store, store
    return previous


def reset_state() -> None:
    """Forget all run-time state (tests call this between cases)."""
    _store.clear()
