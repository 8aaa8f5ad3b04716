"""A background event loop that lets synchronous code drive the async core.

The sync ``Client`` runs coroutines and async generators here, on a daemon thread,
so it works the same from plain scripts and from inside a running loop (Jupyter)
without nest_asyncio. An abandoned sync iterator closes its async generator, which
closes the HTTP connection.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import Future

__all__ = ["run_sync", "iter_sync", "in_background_loop"]

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None  # asyncio is imported on first use (import cost)
_thread: threading.Thread | None = None


def _get_loop() -> asyncio.AbstractEventLoop:
    import asyncio

    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="g4f-loop", daemon=True)
            thread.start()
            _loop, _thread = loop, thread
        return _loop


def in_background_loop() -> bool:
    """Whether the caller runs on g4f's background loop (the sync API's calls do)."""
    return _thread is not None and threading.current_thread() is _thread


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on the background loop and return its result."""
    if in_background_loop():
        coro.close()
        raise RuntimeError("run_sync called from g4f's own loop thread")
    import asyncio

    future: Future[T] = asyncio.run_coroutine_threadsafe(coro, _get_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


#: Largest batch the loop thread may read ahead for a sync iterator.
_MAX_BATCH = 256


class _Pump:
    """Drives an async iterator on the loop thread and hands its items over in batches.

    Each request grants the loop thread a number of items to read (1, then doubling
    up to ``_MAX_BATCH``) and is made only when the consumer has taken everything:
    a short or abandoned stream is read no further than asked, while a long one
    costs one thread hand-over per batch instead of one per item.
    """

    def __init__(self, agen: AsyncIterator[Any], loop: Any) -> None:
        import asyncio

        self._agen = agen
        self._loop = loop
        self._cond = threading.Condition()
        self._items: list[Any] = []  # handed over: guarded by _cond
        self._pending: list[Any] = []  # read in this task step: loop thread only
        self._done = False
        self._error: BaseException | None = None
        self._credit = 0
        self._wake = asyncio.Event()
        self._future: Future[None] | None = None
        self._wake_pending = False

    def _wake_consumer(self) -> None:
        self._wake_pending = False
        with self._cond:
            self._items += self._pending
            self._cond.notify()
        self._pending = []

    def _grant(self, count: int) -> None:
        # At most ``count`` items beyond what the consumer has taken: a request made
        # while the previous grant is not used up must not add to it.
        self._credit = max(self._credit, count)
        self._wake.set()

    def _request(self, count: int) -> None:
        if self._future is None:
            import asyncio

            self._credit = count
            self._future = asyncio.run_coroutine_threadsafe(self._run(), self._loop)
        else:
            self._loop.call_soon_threadsafe(self._grant, count)

    async def _run(self) -> None:
        agen, cond = self._agen, self._cond
        try:
            while True:
                while self._credit <= 0:
                    self._wake.clear()
                    await self._wake.wait()
                item = await agen.__anext__()
                self._credit -= 1
                self._pending.append(item)
                if not self._wake_pending:
                    # Wake the consumer once this task step ends (when the stream waits for
                    # the network, or its credit is used): items already buffered upstream
                    # go over together instead of one thread switch each.
                    self._wake_pending = True
                    self._loop.call_soon(self._wake_consumer)
        except StopAsyncIteration:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self._error = exc
        finally:
            aclose = getattr(agen, "aclose", None)
            try:
                if aclose is not None:
                    await aclose()
            finally:
                with cond:
                    self._items += self._pending
                    self._done = True
                    cond.notify()
                self._pending = []

    def __iter__(self) -> Iterator[Any]:
        window = 1
        cond = self._cond
        while True:
            with cond:
                if not self._items and not self._done:
                    self._request(window)
                    window = min(window * 2, _MAX_BATCH)
                    while not self._items and not self._done:
                        cond.wait()
                items, self._items = self._items, []
                done, error = self._done, self._error
            yield from items
            if done:
                if error is not None:
                    raise error
                return

    def close(self) -> None:
        """Stop reading and close the async iterator (its HTTP connection with it)."""
        if self._future is None:
            aclose = getattr(self._agen, "aclose", None)
            if aclose is not None:
                run_sync(aclose())
            return
        with self._cond:
            if self._done:
                return
        self._future.cancel()
        with self._cond:
            while not self._done and not self._future.done():
                self._cond.wait(0.05)
            if self._done:
                return
        # Cancelled before its first step: the pump never ran, close the iterator here.
        aclose = getattr(self._agen, "aclose", None)
        if aclose is not None:
            run_sync(aclose())


def iter_sync(agen: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async iterator from sync code; closing early closes ``agen``."""
    if in_background_loop():
        raise RuntimeError("iter_sync called from g4f's own loop thread")
    pump = _Pump(agen, _get_loop())
    try:
        yield from pump
    finally:
        try:
            pump.close()
        except Exception:  # noqa: BLE001 - best effort cleanup of an abandoned stream
            pass
