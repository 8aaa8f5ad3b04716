"""StreamSession (aiohttp transport) against a local server: timeouts, cuts, typed errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp import web

from g4f.errors import (
    MissingAuthError,
    NetworkError,
    RateLimitError,
    ResponseStatusError,
    TimeoutError,
)
from g4f.requests import FormFile, StreamSession
from tests.fakes.server import FakeServer, cut_connection, hf_error, open_sse, write_sse


def make_app() -> web.Application:
    app = web.Application()

    async def sse(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        for i in range(3):
            await write_sse(response, {"i": i})
        await write_sse(response, "[DONE]")
        return response

    async def cut(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        await write_sse(response, {"i": 0})
        await asyncio.sleep(0.05)
        cut_connection(request)
        return response

    async def stall(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        await write_sse(response, {"i": 0})
        await asyncio.sleep(float(request.query.get("s", "5")))
        return response

    async def drip(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        for i in range(4):
            await write_sse(response, {"i": i})
            await asyncio.sleep(0.15)
        return response

    async def reset(request: web.Request) -> web.StreamResponse:
        cut_connection(request)
        return web.Response()

    async def error(request: web.Request) -> web.Response:
        status = int(request.query["status"])
        return hf_error(
            status, "nope", shape=request.query.get("shape", "string"), headers={"Retry-After": "3"}
        )

    async def echo(request: web.Request) -> web.Response:
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            parts = {}
            async for part in reader:
                parts[part.name] = {"filename": part.filename, "text": (await part.read()).decode()}
            return web.json_response({"parts": parts, "cookies": dict(request.cookies)})
        return web.json_response(
            {
                "json": await request.json() if request.can_read_body else None,
                "cookies": dict(request.cookies),
            },
            headers={"Set-Cookie": "session=abc; Path=/"},
        )

    app.router.add_get("/sse", sse)
    app.router.add_get("/cut", cut)
    app.router.add_get("/stall", stall)
    app.router.add_get("/drip", drip)
    app.router.add_get("/reset", reset)
    app.router.add_get("/error", error)
    app.router.add_post("/echo", echo)
    return app


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(make_app()) as fake:
        yield fake


async def test_sse_roundtrip(server: FakeServer) -> None:
    async with StreamSession(provider="T") as session:
        async with session.get(server.url + "/sse") as response:
            assert response.ok and response.content_type == "text/event-stream"
            assert [e async for e in response.sse()] == [{"i": 0}, {"i": 1}, {"i": 2}]


async def test_cut_mid_stream_is_network_error(server: FakeServer) -> None:
    got = []
    async with StreamSession(provider="T") as session:
        with pytest.raises(NetworkError):
            async with session.get(server.url + "/cut") as response:
                async for item in response.sse():
                    got.append(item)
    assert got == [{"i": 0}]


async def test_reset_before_headers_is_network_error(server: FakeServer) -> None:
    async with StreamSession(provider="T") as session:
        with pytest.raises(NetworkError):
            async with session.get(server.url + "/reset"):
                pass


async def test_connection_refused_is_network_error() -> None:
    async with StreamSession(provider="T", connect_timeout=2) as session:
        with pytest.raises(NetworkError) as info:
            async with session.get("http://127.0.0.1:9/"):
                pass
    assert info.value.provider == "T"


async def test_stall_longer_than_stream_timeout(server: FakeServer) -> None:
    async with StreamSession(provider="T", stream_timeout=0.3) as session:
        with pytest.raises(TimeoutError):
            async with session.get(server.url + "/stall?s=5") as response:
                async for _ in response.sse():
                    pass


async def test_slow_drip_below_stream_timeout_completes(server: FakeServer) -> None:
    async with StreamSession(provider="T", stream_timeout=1.0) as session:
        async with session.get(server.url + "/drip") as response:
            assert len([e async for e in response.sse()]) == 4


async def test_total_timeout(server: FakeServer) -> None:
    async with StreamSession(provider="T", timeout=0.4, stream_timeout=5) as session:
        with pytest.raises(TimeoutError):
            async with session.get(server.url + "/drip") as response:
                async for _ in response.sse():
                    pass


@pytest.mark.parametrize(
    "status,shape,cls",
    [
        (401, "string", MissingAuthError),
        (429, "openai", RateLimitError),
        (500, "html", ResponseStatusError),
    ],
)
async def test_raise_for_status_is_typed(
    server: FakeServer, status: int, shape: str, cls: type
) -> None:
    async with StreamSession(provider="T") as session:
        async with session.get(server.url + f"/error?status={status}&shape={shape}") as response:
            with pytest.raises(cls) as info:
                await response.raise_for_status()
    assert info.value.status_code == status
    assert info.value.retry_after == 3.0


async def test_cookies_sent_and_received(server: FakeServer) -> None:
    async with StreamSession(cookies={"hf-chat": "c1"}) as session:
        async with session.post(server.url + "/echo", json={"a": 1}) as response:
            data = await response.json()
            assert response.cookies == {"session": "abc"}
        assert data == {"json": {"a": 1}, "cookies": {"hf-chat": "c1"}}
        assert session.cookies["session"] == "abc"


async def test_multipart_form(server: FakeServer) -> None:
    form = [
        FormFile("data", '{"inputs":"hi"}'),
        FormFile("files", "aGVsbG8=", filename="base64;a.png"),
    ]
    async with StreamSession() as session:
        async with session.post(server.url + "/echo", form=form) as response:
            data = await response.json()
    assert data["parts"]["data"] == {"filename": None, "text": '{"inputs":"hi"}'}
    assert data["parts"]["files"]["filename"] == "base64;a.png"


async def test_abandoned_stream_closes_connection(server: FakeServer) -> None:
    async with StreamSession() as session:
        async with session.get(server.url + "/drip") as response:
            async for _ in response.sse():
                break
        # The unread connection must not be reused or leaked: a new request works.
        async with session.get(server.url + "/sse") as response:
            assert len([e async for e in response.sse()]) == 3


async def test_closed_session_refuses_requests() -> None:
    session = StreamSession()
    await session.close()
    with pytest.raises(RuntimeError):
        async with session.get("http://127.0.0.1:9/"):
            pass
