"""Opt-in connection reuse: ``async with connection_pool(): ...``.

Each provider call opens its own :class:`~g4f.requests.StreamSession` (its own headers,
cookies and timeouts) and, by default, its own connections, closed when the call ends:
nothing outlives a call. Inside ``async with connection_pool()``, the aiohttp sessions
opened by the calls in that block (and in the tasks it starts) share one pool of
keep-alive connections instead, so a second request to the same host skips the TCP
(and TLS) handshake. Leaving the block closes the pool and every connection in it.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

__all__ = ["ConnectionPool", "connection_pool", "current_pool"]

_current: ContextVar[ConnectionPool | None] = ContextVar("g4f_connection_pool", default=None)


class ConnectionPool:
    """Keep-alive connections shared by the sessions opened while it is active.

    Bound to the event loop of its first use; sessions on another loop open their
    own connections as usual.
    """

    def __init__(self) -> None:
        self._connector: Any = None
        self._loop: Any = None
        self._tokens: list[Token[ConnectionPool | None]] = []

    def connector(self) -> Any:
        """The aiohttp connector for a session on the running loop, or None (not shared)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._connector is None or self._connector.closed:
            from ._aiohttp import pool_connector

            self._connector, self._loop = pool_connector(), loop
        elif self._loop is not loop:
            return None
        return self._connector

    async def close(self) -> None:
        """Close every pooled connection."""
        connector, self._connector = self._connector, None
        if connector is not None:
            await connector.close()

    async def __aenter__(self) -> ConnectionPool:
        self._tokens.append(_current.set(self))
        return self

    async def __aexit__(self, *exc: object) -> None:
        _current.reset(self._tokens.pop())
        if not self._tokens:
            await self.close()

    def __repr__(self) -> str:
        state = "open" if self._connector is not None else "idle"
        return f"<ConnectionPool {state}>"


def connection_pool() -> ConnectionPool:
    """A pool to use as ``async with connection_pool(): ...`` (see the module docs)."""
    return ConnectionPool()


def current_pool() -> ConnectionPool | None:
    """The pool active in this context, if any."""
    return _current.get()
