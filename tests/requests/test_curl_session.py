"""StreamSession with the curl_cffi transport (``impersonate="chrome"``) against a local server."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from aiohttp import web

from g4f.errors import (
    BadRequestError,
    MissingAuthError,
    NetworkError,
    RateLimitError,
    ResponseError,
    TimeoutError,
)
from g4f.requests import FormFile, StreamSession
from tests.fakes.server import FakeServer, cut_connection, hf_error, open_sse, write_sse


def make_app() -> web.Application:
    app = web.Application()
    app["disconnects"] = []

    async def echo(request: web.Request) -> web.Response:
        body: dict[str, object] = {
            "method": request.method,
            "query": dict(request.query),
            "headers": dict(request.headers),
            "cookies": dict(request.cookies),
        }
        if request.content_type.startswith("multipart/"):
            parts = []
            async for part in await request.multipart():
                parts.append(
                    {
                        "name": part.name,
                        "filename": part.filename,
                        "type": part.headers.get("Content-Type"),
                        "text": (await part.read()).decode(),
                    }
                )
            body["parts"] = parts
        elif request.content_type == "application/json":
            body["json"] = await request.json()
        elif request.can_read_body:
            body["text"] = await request.text()
        return web.json_response(body)

    async def login(request: web.Request) -> web.Response:
        response = web.json_response({"ok": True})
        response.set_cookie("session", "s-123456", httponly=True)
        return response

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/echo?from=redirect")

    async def drip(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        for i in range(int(request.query.get("n", "4"))):
            await write_sse(response, {"i": i})
            await asyncio.sleep(float(request.query.get("gap", "0.05")))
        await write_sse(response, "[DONE]")
        return response

    async def stall(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        await write_sse(response, {"i": 0})
        await asyncio.sleep(float(request.query.get("s", "5")))
        return response

    async def slow_headers(request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "5")))
        return web.json_response({"late": True})

    async def cut(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100000"})
        await response.prepare(request)
        await response.write(b"x" * 1000)
        await asyncio.sleep(0.05)
        cut_connection(request)
        return response

    async def endless(request: web.Request) -> web.StreamResponse:
        response = await open_sse(request)
        try:
            for i in range(10_000):
                await write_sse(response, {"i": i})
                await asyncio.sleep(0.01)
        except (ConnectionResetError, asyncio.CancelledError):
            request.app["disconnects"].append(time.monotonic())
            raise
        return response

    async def error(request: web.Request) -> web.Response:
        status = int(request.query["status"])
        return hf_error(status, "nope", headers={"Retry-After": "3"})

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"y" * 50_000)

    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/login", login)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/drip", drip)
    app.router.add_get("/stall", stall)
    app.router.add_get("/slow-headers", slow_headers)
    app.router.add_get("/cut", cut)
    app.router.add_get("/endless", endless)
    app.router.add_get("/error", error)
    app.router.add_get("/big", big)
    return app


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(make_app()) as fake:
        yield fake


def chrome(**kwargs: object) -> StreamSession:
    return StreamSession(impersonate="chrome", provider="Test", **kwargs)  # type: ignore[arg-type]


async def test_get_json_with_browser_fingerprint_headers(server: FakeServer) -> None:
    async with chrome(headers={"x-session": "one"}) as session:
        async with session.get(
            f"{server.url}/echo", params={"q": "a b"}, headers={"x-call": "two"}
        ) as resp:
            assert resp.status == 200 and resp.ok
            assert resp.content_type == "application/json"
            data = await resp.json()
    assert data["query"] == {"q": "a b"}
    headers = {k.lower(): v for k, v in data["headers"].items()}
    assert headers["x-session"] == "one" and headers["x-call"] == "two"
    # Impersonation adds the browser's own headers.
    assert "Chrome/" in headers["user-agent"]
    assert "sec-ch-ua" in headers


async def test_cookies_passed_in_and_set_by_server_are_sent(server: FakeServer) -> None:
    async with chrome(cookies={"hf-chat": "abc-session", "token": "tok-value"}) as session:
        async with session.get(f"{server.url}/login") as resp:
            assert resp.cookies == {"session": "s-123456"}
        async with session.get(f"{server.url}/echo") as resp:
            sent = (await resp.json())["cookies"]
        assert sent == {"hf-chat": "abc-session", "token": "tok-value", "session": "s-123456"}
        assert session.cookies["session"] == "s-123456"
        assert session.cookies["hf-chat"] == "abc-session"


async def test_post_json_data_and_multipart_form(server: FakeServer) -> None:
    async with chrome() as session:
        async with session.post(f"{server.url}/echo", json={"a": [1, 2]}) as resp:
            assert (await resp.json())["json"] == {"a": [1, 2]}
        async with session.post(f"{server.url}/echo", data="raw text") as resp:
            assert (await resp.json())["text"] == "raw text"
        form = [
            FormFile("data", '{"inputs": "hi"}'),
            FormFile(
                "files",
                b"aGVsbG8=",
                filename="base64;cat.png",
                content_type="application/octet-stream",
            ),
        ]
        async with session.post(
            f"{server.url}/echo", form=form, headers={"origin": "https://x"}
        ) as resp:
            data = await resp.json()
    assert data["headers"]["Content-Type"].startswith("multipart/form-data")
    assert data["parts"] == [
        {"name": "data", "filename": None, "type": None, "text": '{"inputs": "hi"}'},
        {
            "name": "files",
            "filename": "base64;cat.png",
            "type": "application/octet-stream",
            "text": "aGVsbG8=",
        },
    ]


async def test_redirect_is_followed(server: FakeServer) -> None:
    async with chrome() as session:
        async with session.get(f"{server.url}/redirect") as resp:
            assert resp.status == 200
            assert resp.url.endswith("/echo?from=redirect")
            assert (await resp.json())["query"] == {"from": "redirect"}


async def test_sse_stream_arrives_incrementally(server: FakeServer) -> None:
    arrivals: list[float] = []
    async with chrome() as session:
        async with session.get(f"{server.url}/drip", params={"n": "4", "gap": "0.1"}) as resp:
            items = []
            async for item in resp.sse():
                arrivals.append(time.monotonic())
                items.append(item["i"])
    assert items == [0, 1, 2, 3]
    # Chunks are delivered as they come, not buffered until the end.
    assert arrivals[-1] - arrivals[0] >= 0.25


async def test_stream_timeout_between_chunks(server: FakeServer) -> None:
    async with chrome(stream_timeout=0.3) as session:
        start = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            async with session.get(f"{server.url}/stall", params={"s": "5"}) as resp:
                async for _ in resp.iter_lines():
                    pass
        assert time.monotonic() - start < 2.5
    assert info.value.provider == "Test"
    assert "no data for 0.3 s" in str(info.value)


async def test_silence_before_headers_times_out(server: FakeServer) -> None:
    async with chrome(stream_timeout=1) as session:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            async with session.get(f"{server.url}/slow-headers", params={"s": "6"}):
                pass
        assert time.monotonic() - start < 4


async def test_total_timeout_per_request(server: FakeServer) -> None:
    async with chrome(stream_timeout=30) as session:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            async with session.get(f"{server.url}/slow-headers", params={"s": "5"}, timeout=0.5):
                pass
        assert time.monotonic() - start < 3
        # The session-wide limit is untouched by the per-request one.
        async with session.get(f"{server.url}/slow-headers", params={"s": "0.7"}) as resp:
            assert (await resp.json()) == {"late": True}


async def test_concurrent_requests_keep_their_own_timeouts(server: FakeServer) -> None:
    async with chrome(stream_timeout=30) as session:

        async def call(timeout: float | None, delay: str) -> object:
            try:
                async with session.get(
                    f"{server.url}/slow-headers", params={"s": delay}, timeout=timeout
                ) as resp:
                    return await resp.json()
            except TimeoutError as exc:
                return exc

        short, long = await asyncio.gather(call(0.4, "1.2"), call(None, "1.2"))
    assert isinstance(short, TimeoutError)
    assert long == {"late": True}


async def test_cut_connection_is_a_network_error(server: FakeServer) -> None:
    async with chrome() as session:
        with pytest.raises(NetworkError) as info:
            async with session.get(f"{server.url}/cut") as resp:
                await resp.read()
    assert info.value.provider == "Test"


async def test_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with chrome() as session:
        with pytest.raises(NetworkError, match="cannot connect"):
            async with session.get(f"http://127.0.0.1:{port}/"):
                pass


@pytest.mark.parametrize(
    ("status", "error"), [(429, RateLimitError), (401, MissingAuthError), (400, BadRequestError)]
)
async def test_error_status_is_typed(
    server: FakeServer, status: int, error: type[Exception]
) -> None:
    async with chrome() as session:
        async with session.get(f"{server.url}/error", params={"status": str(status)}) as resp:
            assert resp.status == status
            with pytest.raises(error) as info:
                await resp.raise_for_status()
    assert info.value.status_code == status  # type: ignore[attr-defined]
    assert info.value.retry_after == 3  # type: ignore[attr-defined]
    assert "nope" in str(info.value)


async def test_read_limit(server: FakeServer) -> None:
    async with chrome() as session:
        with pytest.raises(ResponseError, match="larger than 1000 bytes"):
            async with session.get(f"{server.url}/big") as resp:
                await resp.read(limit=1000)
        async with session.get(f"{server.url}/big") as resp:
            assert len(await resp.read()) == 50_000


async def test_breaking_out_closes_the_transfer_and_session_stays_usable(
    server: FakeServer,
) -> None:
    async with chrome() as session:
        async with session.get(f"{server.url}/endless") as resp:
            async for item in resp.sse():
                if item["i"] == 3:
                    break
        for _ in range(50):
            if server.app["disconnects"]:
                break
            await asyncio.sleep(0.05)
        assert server.app["disconnects"], "the server never saw the client go away"
        async with session.get(f"{server.url}/echo") as resp:
            assert resp.status == 200


async def test_cancelling_a_stream_task(server: FakeServer) -> None:
    async with chrome() as session:
        started = asyncio.Event()

        async def consume() -> None:
            async with session.get(f"{server.url}/endless") as resp:
                async for _ in resp.iter_content():
                    started.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with session.get(f"{server.url}/echo") as resp:
            assert resp.status == 200


async def test_closed_session_refuses_requests(server: FakeServer) -> None:
    session = chrome()
    async with session.get(f"{server.url}/echo") as resp:
        assert resp.status == 200
    await session.close()
    with pytest.raises(RuntimeError, match="closed"):
        async with session.get(f"{server.url}/echo"):
            pass


async def _open_server_connections(server: FakeServer, wait: float = 3.0) -> int:
    """Connections the fake still holds, once the client had time to close its side."""
    runner_server = server._runner.server if server._runner is not None else None
    assert runner_server is not None
    deadline = time.monotonic() + wait
    while runner_server.connections and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return len(runner_server.connections)


@pytest.mark.parametrize(
    "path",
    ["/echo", "/endless", "/stall?s=3", "/error?status=429", "/cut"],
)
async def test_no_connection_left_open(server: FakeServer, path: str) -> None:
    async with chrome(stream_timeout=0.3) as session:
        try:
            async with session.get(f"{server.url}{path}") as resp:
                async for chunk in resp.iter_content():
                    if path == "/endless" and chunk:
                        break
        except (TimeoutError, NetworkError):
            pass
    assert await _open_server_connections(server) == 0


async def test_requests_go_through_the_proxy(server: FakeServer) -> None:
    # The fake answers as if it were the proxy: the request names the real host.
    async with StreamSession(impersonate="chrome", proxy=server.url, provider="Test") as session:
        async with session.get("http://chat.example.invalid/echo?via=proxy") as resp:
            data = await resp.json()
    assert data["query"] == {"via": "proxy"}
    assert data["headers"]["Host"] == "chat.example.invalid"
    assert server.requests[-1]["host"] == "chat.example.invalid"
