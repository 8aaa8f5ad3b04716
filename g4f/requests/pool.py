"""Connection reuse: who owns the keep-alive connections a call uses.

A provider call opens its own :class:`~g4f.requests.StreamSession` (its own headers,
cookies, timeouts). Where it sends its requests depends on the pool in force:

* inside ``async with connection_pool():``, a ``Client``/``AsyncClient`` call (the
  client owns a pool until ``close()``) or a request of the API server (one pool for
  the server's lifetime), the aiohttp requests go through that pool's one
  ``ClientSession``, whose connections stay open between calls;
* a call on g4f's own background loop with no pool of its own (the legacy
  ``g4f.ChatCompletion.create``, the providers' sync methods) uses the process-wide
  :func:`shared_pool`;
* anything else opens and closes its own connections, as before.

A pool never carries state between callers: its ``ClientSession`` has no cookie jar
(``DummyCookieJar``) and no default headers; each ``StreamSession`` sends its own
headers and cookies with every request and keeps the cookies servers set in a jar of
its own. Idle connections close after ``idle_timeout`` seconds (aiohttp's keep-alive
timeout). A pool is bound to the event loop that first used it; when that loop shuts
down (``asyncio.run`` ending, ``loop.shutdown_asyncgens()``) or the pool is garbage
collected, its connections are closed, so a dropped client leaves no open socket
(and no ``ResourceWarning``).
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import AsyncIterator, Awaitable
from contextvars import ContextVar, Token
from typing import Any, TypeVar

__all__ = [
    "ConnectionPool",
    "connection_pool",
    "current_pool",
    "pool_in_force",
    "shared_pool",
    "run_in_pool",
    "iter_in_pool",
    "IDLE_TIMEOUT",
]

T = TypeVar("T")

#: Seconds an unused keep-alive connection stays open.
IDLE_TIMEOUT = 15.0

# A weak reference: callbacks that aiohttp schedules during a request (keep-alive timers)
# keep a copy of the context, which must not keep a dropped client's pool alive.
_current: ContextVar[weakref.ref[ConnectionPool] | None] = ContextVar(
    "g4f_connection_pool", default=None
)


#: The sessions of open pools, held here until closed: a pool dropped by its owner is
#: garbage, and if its session were too, the session's finalizer would run (and warn)
#: before the close the guard below schedules.
_LIVE: set[tuple[Any, Any]] = set()


async def _close_with_loop(resources: tuple[Any, Any]) -> AsyncIterator[None]:
    """Closes ``resources`` (session, connector) when its loop shuts down or it is dropped.

    An async generator started on the pool's loop is registered with that loop:
    ``shutdown_asyncgens()`` closes it, and so does the loop's finalizer hook when the
    generator is garbage collected with its pool.
    """
    try:
        yield
    finally:
        session, connector = resources
        try:
            await session.close()
            await connector.close()
        finally:
            _LIVE.discard(resources)


class ConnectionPool:
    """Keep-alive connections shared by the requests made while it is in force.

    Use ``async with pool:`` (or :meth:`use`) to put it in force; ``await pool.close()``
    closes its connections (a later request opens new ones).
    """

    def __init__(self, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.idle_timeout = idle_timeout
        self._session: Any = None
        self._connector: Any = None
        self._loop: Any = None
        self._guard: Any = None
        self._tokens: list[Token[weakref.ref[ConnectionPool] | None]] = []
        self._ref = weakref.ref(self)

    def session(self) -> Any:
        """The pool's aiohttp ``ClientSession`` on the running loop, or None (not shared).

        None when the pool is open on another event loop that is still running: a
        connection belongs to one loop.
        """
        import asyncio

        loop = asyncio.get_running_loop()
        session = self._session
        if session is not None and not session.closed:
            if self._loop is loop:
                return session
            if not self._loop.is_closed():
                return None
        from ._aiohttp import pool_session

        self._session, self._connector = pool_session(self.idle_timeout)
        self._loop = loop
        resources = (self._session, self._connector)
        _LIVE.add(resources)
        guard = _close_with_loop(resources)
        try:
            # Run it to its first ``yield`` now, on this loop, so the loop knows it.
            guard.asend(None).send(None)
        except StopIteration:
            pass
        self._guard = guard
        return self._session

    def connector(self) -> Any:
        """The aiohttp connector of :meth:`session` (None when not shared)."""
        return self._connector if self.session() is not None else None

    @property
    def is_open(self) -> bool:
        """Whether the pool holds a session (maybe with idle connections)."""
        return self._session is not None and not self._session.closed

    async def close(self) -> None:
        """Close every pooled connection (on the pool's loop; one that ended is dropped)."""
        import asyncio

        guard, self._guard = self._guard, None
        loop, self._loop = self._loop, None
        self._session = self._connector = None
        if guard is None:
            return
        if loop is asyncio.get_running_loop():
            await guard.aclose()
        elif not loop.is_closed():
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(guard.aclose(), loop))

    def use(self) -> _InForce:
        """A context manager putting the pool in force without closing it afterwards."""
        return _InForce(self)

    async def __aenter__(self) -> ConnectionPool:
        self._tokens.append(_current.set(self._ref))
        return self

    async def __aexit__(self, *exc: object) -> None:
        _current.reset(self._tokens.pop())
        if not self._tokens:
            await self.close()

    def __repr__(self) -> str:
        return f"<ConnectionPool {'open' if self.is_open else 'idle'}>"


class _InForce:
    """``with pool.use():`` — requests in the block (and tasks it starts) use ``pool``."""

    __slots__ = ("_pool", "_token")

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool

    def __enter__(self) -> ConnectionPool:
        self._token = _current.set(self._pool._ref)
        return self._pool

    def __exit__(self, *exc: object) -> None:
        try:
            _current.reset(self._token)
        except ValueError:
            # Finished in another context (an abandoned stream closed by the loop's
            # finalizer): there is nothing of ours to restore there.
            pass


def connection_pool(idle_timeout: float = IDLE_TIMEOUT) -> ConnectionPool:
    """A pool to use as ``async with connection_pool(): ...``, closed when the block ends."""
    return ConnectionPool(idle_timeout)


#: The process-wide pools, one per event loop (an ended loop's pool goes with it).
_shared: weakref.WeakKeyDictionary[Any, ConnectionPool] = weakref.WeakKeyDictionary()


def shared_pool() -> ConnectionPool:
    """The process-wide pool of the running loop, for calls that have none of their own.

    The legacy ``g4f.ChatCompletion`` calls and every call on g4f's background loop
    use it; its connections close after :data:`IDLE_TIMEOUT` idle seconds, when the
    loop shuts down, and at interpreter exit.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    pool = _shared.get(loop)
    if pool is None:
        if not _shared:
            atexit.register(_close_shared)
        pool = _shared[loop] = ConnectionPool()
    return pool


def _close_shared() -> None:
    """At exit, close the pool of g4f's background loop (the only loop still running then)."""
    import asyncio

    for loop, pool in list(_shared.items()):
        if not pool.is_open or loop.is_closed() or not loop.is_running():
            continue
        future = asyncio.run_coroutine_threadsafe(pool.close(), loop)
        try:
            future.result(2)
        except Exception:  # noqa: BLE001 - best effort at interpreter exit
            future.cancel()


def run_in_pool(pool: ConnectionPool, call: Awaitable[T]) -> Awaitable[T]:
    """``call`` awaited with ``pool`` in force."""
    return _run_in_pool(pool, call)


async def _run_in_pool(pool: ConnectionPool, call: Awaitable[T]) -> T:
    token = _current.set(pool._ref)
    try:
        return await call
    finally:
        _current.reset(token)


async def iter_in_pool(pool: ConnectionPool, stream: AsyncIterator[T]) -> AsyncIterator[T]:
    """``stream``'s items, each step run with ``pool`` in force.

    The pool is in force only while ``stream`` runs, never in the consumer's code
    between two items (a call the consumer makes there is not this pool's).
    """
    step = stream.__anext__
    put, restore, ref = _current.set, _current.reset, pool._ref
    try:
        while True:
            token = put(ref)
            try:
                item = await step()
            except StopAsyncIteration:
                return
            finally:
                restore(token)
            yield item
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


def pool_in_force() -> ConnectionPool | None:
    """The pool a caller put in force (``connection_pool()`` block, the API server), if any."""
    ref = _current.get()
    return None if ref is None else ref()


def current_pool() -> ConnectionPool | None:
    """The pool for a request made now: the one in force, else the shared one on g4f's loop."""
    ref = _current.get()
    if ref is not None:
        return ref()
    from .._loop import in_background_loop

    return shared_pool() if in_background_loop() else None
