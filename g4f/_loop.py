"""A background event loop that lets synchronous code drive the async core.

The sync ``Client`` runs coroutines and async generators here, on a daemon thread,
so it works the same from plain scripts and from inside a running loop (Jupyter)
without nest_asyncio. An abandoned sync iterator closes its async generator, which
closes the HTTP connection.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

__all__ = ["run_sync", "iter_sync"]

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def _get_loop() -> asyncio.AbstractEventLoop:
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="g4f-loop", daemon=True)
            thread.start()
            _loop, _thread = loop, thread
        return _loop


def _in_our_loop() -> bool:
    return _thread is not None and threading.current_thread() is _thread


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on the background loop and return its result."""
    if _in_our_loop():
        coro.close()
        raise RuntimeError("run_sync called from g4f's own loop thread")
    future: Future[T] = asyncio.run_coroutine_threadsafe(coro, _get_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


_END = object()


async def _next(agen: AsyncIterator[T]) -> Any:
    try:
        return await agen.__anext__()
    except StopAsyncIteration:
        return _END


def iter_sync(agen: AsyncIterator[T]) -> Iterator[T]:
    """Iterate an async iterator from sync code; closing early closes ``agen``."""
    try:
        while True:
            item = run_sync(_next(agen))
            if item is _END:
                return
            yield item
    finally:
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            try:
                run_sync(aclose())
            except Exception:  # noqa: BLE001 - best effort cleanup of an abandoned stream
                pass
