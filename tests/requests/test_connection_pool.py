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
        connector = pool.connector()
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
        assert pool.is_open
    assert not pool.is_open


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


class Recorder:
    """Echoes each request's Authorization and Cookie headers; ``/login`` sets a cookie."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application()

        async def echo(request: web.Request) -> web.Response:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            entry = {
                "port": peer[1] if peer else -1,
                "authorization": request.headers.get("Authorization"),
                "cookie": request.headers.get("Cookie"),
            }
            self.seen.append(entry)
            response = web.json_response(entry)
            if request.path == "/login":
                response.set_cookie("srv", request.query["who"])
            return response

        app.router.add_get("/echo", echo)
        app.router.add_get("/login", echo)
        return app


@pytest.fixture
def two_fakes() -> Iterator[tuple[FakeServer, Recorder, FakeServer, Recorder]]:
    first, second = Recorder(), Recorder()
    with FakeServer(first.app()) as a, FakeServer(second.app()) as b:
        yield a, first, b, second


async def _echo(session: StreamSession, url: str) -> Any:
    async with session.get(url) as response:
        return await response.json()


async def test_a_pool_shares_connections_but_never_headers_or_cookies(two_fakes: Any) -> None:
    server_a, fake_a, server_b, fake_b = two_fakes
    async with connection_pool():
        a = StreamSession(
            provider="A", headers={"Authorization": "Bearer token-a"}, cookies={"sid": "a"}
        )
        b = StreamSession(provider="B", headers={"Authorization": "Bearer token-b"})
        async with a, b:
            await _echo(a, server_a.url + "/login?who=a")
            await _echo(b, server_a.url + "/echo")
            await _echo(b, server_b.url + "/echo")
            again = await _echo(a, server_a.url + "/echo")
            assert a.cookies == {"sid": "a", "srv": "a"}
            assert b.cookies == {}
    # Both callers used the one pooled connection to server A...
    assert len({entry["port"] for entry in fake_a.seen}) == 1
    # ...and each request carried only its own caller's credentials.
    assert [entry["authorization"] for entry in fake_a.seen] == [
        "Bearer token-a",
        "Bearer token-b",
        "Bearer token-a",
    ]
    assert fake_a.seen[0]["cookie"] == "sid=a"
    assert fake_a.seen[1]["cookie"] is None, "B got A's cookie through the pool"
    assert sorted(again["cookie"].split("; ")) == ["sid=a", "srv=a"]
    assert fake_b.seen == [
        {"port": fake_b.seen[0]["port"], "authorization": "Bearer token-b", "cookie": None}
    ]


async def test_concurrent_callers_in_one_pool_never_see_each_others_tokens(
    two_fakes: Any,
) -> None:
    server, fake, _, _ = two_fakes
    callers = 8

    async def caller(index: int) -> list[Any]:
        token = f"Bearer caller-{index}"
        async with StreamSession(
            provider=f"P{index}", headers={"Authorization": token}, cookies={"who": str(index)}
        ) as session:
            return [await _echo(session, server.url + "/echo") for _ in range(5)]

    async with connection_pool() as pool:
        results = await asyncio.gather(*(caller(i) for i in range(callers)))
        connector = pool.connector()
    for index, answers in enumerate(results):
        assert {a["authorization"] for a in answers} == {f"Bearer caller-{index}"}
        assert {a["cookie"] for a in answers} == {f"who={index}"}
    # 40 requests over at most one connection per concurrent caller.
    assert len(fake.seen) == callers * 5
    assert len({entry["port"] for entry in fake.seen}) <= callers
    assert connector.closed


async def test_a_request_header_overrides_the_session_header_whatever_its_case(
    two_fakes: Any,
) -> None:
    server, fake, _, _ = two_fakes
    async with connection_pool():
        async with StreamSession(headers={"authorization": "Bearer session"}) as session:
            async with session.get(
                server.url + "/echo", headers={"Authorization": "Bearer request"}
            ) as response:
                assert (await response.json())["authorization"] == "Bearer request"
    assert [entry["authorization"] for entry in fake.seen] == ["Bearer request"]


class LaggingEnd:
    """Streams two events and ``[DONE]``, then ends the body after ``lag`` seconds."""

    def __init__(self, lag: float) -> None:
        self.lag = lag
        self.ports: list[int] = []

    def app(self) -> web.Application:
        app = web.Application()

        async def stream(request: web.Request) -> web.StreamResponse:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.ports.append(peer[1] if peer else -1)
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            for text in ('data: {"n": 1}\n\n', 'data: {"n": 2}\n\n', "data: [DONE]\n\n"):
                await response.write(text.encode())
            await asyncio.sleep(self.lag)
            await response.write_eof()
            return response

        app.router.add_get("/stream", stream)
        return app


async def _read_sse(url: str) -> list[Any]:
    async with StreamSession(provider="P") as session:
        async with session.get(url + "/stream") as response:
            return [data async for data in response.sse()]


async def test_a_stream_ended_by_done_gives_its_connection_back_to_the_pool() -> None:
    fake = LaggingEnd(lag=0.05)
    with FakeServer(fake.app()) as server:
        async with connection_pool():
            for _ in range(3):
                assert await _read_sse(server.url) == [{"n": 1}, {"n": 2}]
    assert len(fake.ports) == 3
    assert len(set(fake.ports)) == 1, "the body's end after [DONE] was not read"


async def test_a_body_that_never_ends_after_done_is_closed_not_awaited() -> None:
    fake = LaggingEnd(lag=30)
    with FakeServer(fake.app()) as server:
        async with connection_pool():
            started = asyncio.get_running_loop().time()
            for _ in range(2):
                assert await _read_sse(server.url) == [{"n": 1}, {"n": 2}]
            elapsed = asyncio.get_running_loop().time() - started
    assert elapsed < 5, f"waited {elapsed:.1f} s for a body that never ends"
    assert len(set(fake.ports)) == 2, "a connection with an unread body went back to the pool"
