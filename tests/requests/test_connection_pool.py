"""``connection_pool()``: sessions opened inside it reuse connections; nothing outlives it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from g4f.requests import StreamSession, connection_pool
from g4f.requests.pool import current_pool
from tests.fakes.server import FakeServer


class Peers:
    """The client ports the server has seen, and how many connections are open now."""

    def __init__(self) -> None:
        self.ports: list[int] = []
        self.open = 0

    def app(self) -> web.Application:
        app = web.Application()

        async def hello(request: web.Request) -> web.Response:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.ports.append(peer[1] if peer else -1)
            return web.json_response({"ok": True})

        app.router.add_get("/hello", hello)
        return app


@pytest.fixture
def served() -> Iterator[tuple[FakeServer, Peers]]:
    peers = Peers()
    app = peers.app()
    with FakeServer(app) as server:
        yield server, peers


async def _get(url: str) -> Any:
    async with StreamSession(provider="P") as session:
        async with session.get(url + "/hello") as response:
            return await response.json()


async def test_without_a_pool_each_session_has_its_own_connection(served: Any) -> None:
    server, peers = served
    for _ in range(3):
        assert await _get(server.url) == {"ok": True}
    assert len(set(peers.ports)) == 3


async def test_sessions_in_a_pool_reuse_one_connection(served: Any) -> None:
    server, peers = served
    async with connection_pool() as pool:
        assert current_pool() is pool
        for _ in range(3):
            assert await _get(server.url) == {"ok": True}
        connector = pool._connector
        assert connector is not None and not connector.closed
    assert current_pool() is None
    assert len(set(peers.ports)) == 1
    assert connector.closed, "leaving the block closes the pooled connections"


async def test_tasks_started_in_the_block_share_the_pool(served: Any) -> None:
    server, peers = served
    async with connection_pool():
        await _get(server.url)
        for _ in range(2):
            await asyncio.create_task(_get(server.url))
    assert len(set(peers.ports)) == 1


async def test_a_pool_entered_twice_closes_when_the_outer_block_ends(served: Any) -> None:
    server, _ = served
    pool = connection_pool()
    async with pool:
        async with pool:
            await _get(server.url)
        assert pool._connector is not None and not pool._connector.closed
    assert pool._connector is None


def test_a_pool_is_not_shared_across_event_loops() -> None:
    pool = connection_pool()

    async def connector() -> Any:
        return pool.connector()

    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(connector()) is not None
        assert asyncio.run(connector()) is None
    finally:
        loop.run_until_complete(pool.close())
        loop.close()
