"""The server's connection pool: one for the application's lifetime.

Every request's upstream calls (and the tasks they start) send through it, so
requests to the same service reuse keep-alive connections; it is closed when the
application is cleaned up. Callers never share credentials through it (see
:mod:`g4f.requests.pool`).
"""

from __future__ import annotations

from aiohttp import web

from ..requests.pool import ConnectionPool

__all__ = ["install_pool", "POOL_KEY"]

POOL_KEY: web.AppKey[ConnectionPool] = web.AppKey("g4f_pool", ConnectionPool)


def install_pool(app: web.Application) -> ConnectionPool:
    """Give ``app`` a pool in force for every request, closed on cleanup."""
    pool = ConnectionPool()
    app[POOL_KEY] = pool

    @web.middleware
    async def pool_middleware(request: web.Request, handler: web.Handler) -> web.StreamResponse:
        with pool.use():
            return await handler(request)

    async def close_pool(app: web.Application) -> None:
        await pool.close()

    app.middlewares.append(pool_middleware)
    app.on_cleanup.append(close_pool)
    return pool
