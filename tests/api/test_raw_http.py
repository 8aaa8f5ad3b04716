"""The server over raw HTTP: bad bodies, size limit, keys, disconnects, graceful shutdown."""

from __future__ import annotations

import asyncio
import io
import json
import time

import aiohttp
import pytest
from aiohttp import web

from g4f.api import create_app
from tests.api import providers as mocks

CHAT = "/v1/chat/completions"
HELLO = [{"role": "user", "content": "hello"}]


async def post_raw(
    url: str, data: bytes, headers: dict[str, str] | None = None
) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=io.BytesIO(data), headers=headers or {"Content-Type": "application/json"}
        ) as resp:
            return resp.status, await resp.json(content_type=None)


def assert_openai_error(body: dict, code: str) -> None:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "code", "param"}
    assert body["error"]["code"] == code
    assert "Traceback" not in body["error"]["message"]


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"{not json", "invalid_json"),
        (b"", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b'"text"', "invalid_json"),
        (b"\xff\xfe garbage", "invalid_json"),
    ],
)
async def test_malformed_json_is_400(start, raw: bytes, code: str) -> None:
    async with start() as (url, _):
        status, body = await post_raw(url + CHAT, raw)
    assert status == 400
    assert_openai_error(body, code)


@pytest.mark.parametrize(
    "payload, param",
    [
        ({"model": "echo"}, "messages"),
        ({"messages": ""}, "messages"),
        ({"messages": 5}, "messages"),
        ({"messages": [{"role": "user"}]}, "messages.[0].content"),
        ({"messages": HELLO, "stream": "yes"}, "stream"),
        ({"messages": HELLO, "temperature": "hot"}, "temperature"),
        ({"messages": HELLO, "n": 3}, "n"),
        ({"messages": HELLO, "tools": {"not": "a list"}}, "tools"),
        ({"messages": HELLO, "model": 5}, "model"),
    ],
)
async def test_invalid_fields_are_400_naming_the_param(start, payload: dict, param: str) -> None:
    async with start() as (url, _):
        status, body = await post_raw(url + CHAT, json.dumps(payload).encode())
    assert status == 400
    assert_openai_error(body, "invalid_request")
    assert body["error"]["param"] == param
    assert mocks.EchoProvider.calls == 0


async def test_ten_megabyte_body_is_413(start) -> None:
    big = json.dumps({"messages": [{"role": "user", "content": "x" * 10_000_000}]}).encode()
    async with start() as (url, _):
        status, body = await post_raw(url + CHAT, big)
        assert status == 413
        assert_openai_error(body, "request_too_large")

        async def chunks():
            for i in range(0, len(big), 1 << 20):
                yield big[i : i + (1 << 20)]

        async with aiohttp.ClientSession() as session:
            async with session.post(url + CHAT, data=chunks()) as resp:
                assert resp.status == 413
                assert_openai_error(await resp.json(content_type=None), "request_too_large")
        status, _ = await post_raw(
            url + CHAT, json.dumps({"messages": HELLO, "model": "echo"}).encode()
        )
        assert status == 200
    assert mocks.EchoProvider.calls == 1


async def test_max_body_is_configurable(start) -> None:
    payload = json.dumps(
        {"messages": [{"role": "user", "content": "y" * 2000}], "model": "echo"}
    ).encode()
    async with start(max_body=1000) as (url, _):
        status, _ = await post_raw(url + CHAT, payload)
    assert status == 413


async def test_missing_key_header_and_x_api_key(start) -> None:
    async with start(api_key="k-123456789") as (url, _):
        status, body = await post_raw(url + CHAT, json.dumps({"messages": HELLO}).encode())
        assert status == 401
        assert_openai_error(body, "missing_api_key")
        async with aiohttp.ClientSession() as session:
            async with session.get(
                url + "/v1/models", headers={"X-Api-Key": "k-123456789"}
            ) as resp:
                assert resp.status == 200
            async with session.get(
                url + "/v1/models", headers={"Authorization": "Basic k-123456789"}
            ) as resp:
                assert resp.status == 401
            async with session.get(url + "/health") as resp:
                assert resp.status == 200


async def test_unknown_route_and_method_are_openai_shaped(start) -> None:
    async with start() as (url, _):
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "/v1/nothing") as resp:
                assert resp.status == 404
                assert_openai_error(await resp.json(), "not_found")
            async with session.get(url + CHAT) as resp:
                assert resp.status == 405
                assert_openai_error(await resp.json(), "method_not_allowed")


async def test_unexpected_provider_bug_is_500_without_details(start, monkeypatch) -> None:
    async def broken(*args, **kwargs):
        raise KeyError("internal detail " + mocks.SECRET)
        yield  # pragma: no cover

    monkeypatch.setattr(mocks.EchoProvider, "create_async_generator", broken)
    async with start(provider=mocks.EchoProvider) as (url, _):
        status, body = await post_raw(url + CHAT, json.dumps({"messages": HELLO}).encode())
    assert status in (500, 502)
    assert mocks.SECRET not in json.dumps(body)


async def test_caller_hf_token_is_forwarded_only_without_server_key(start) -> None:
    token = "hf_callerToken0123456789"
    payload = json.dumps({"messages": HELLO, "model": "echo"}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with start() as (url, _):
        assert (await post_raw(url + CHAT, payload, headers))[0] == 200
    assert mocks.EchoProvider.last["api_key"] == token
    async with start(api_key=token) as (url, _):
        assert (await post_raw(url + CHAT, payload, headers))[0] == 200
    assert mocks.EchoProvider.last.get("api_key") is None


async def _first_event(resp: aiohttp.ClientResponse) -> bytes:
    line = await resp.content.readline()
    assert line.startswith(b"data: {"), line
    return line


@pytest.mark.parametrize("delay", [0.02, 30.0], ids=["flowing", "silent-upstream"])
async def test_client_disconnect_mid_stream_closes_upstream(
    start, monkeypatch, delay: float
) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 10_000)
    monkeypatch.setattr(mocks.SlowProvider, "delay", delay)
    closed = asyncio.Event()
    monkeypatch.setattr(mocks.SlowProvider, "closed_event", closed)
    payload = {"model": "slow", "messages": HELLO, "stream": True}
    async with start(disconnect_poll=0.05) as (url, runner):
        async with aiohttp.ClientSession() as session:
            resp = await session.post(url + CHAT, json=payload)
            await _first_event(resp)
            resp.close()
        started = time.monotonic()
        await asyncio.wait_for(closed.wait(), 3)
        elapsed = time.monotonic() - started
        sent = mocks.SlowProvider.sent
        await asyncio.sleep(0.2)
        assert mocks.SlowProvider.sent == sent
        health = await _get_json(url + "/health")
    assert elapsed < 1.5
    assert sent < 200
    assert health["inflight"] == 0


@pytest.mark.parametrize("stream", [False, True], ids=["non-stream", "before-first-chunk"])
async def test_client_disconnect_while_waiting_closes_upstream(
    start, monkeypatch, stream: bool
) -> None:
    """The client leaves while the answer is not ready (nothing has been sent to it yet)."""
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 3)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 30.0)
    if stream:
        monkeypatch.setattr(mocks.SlowProvider, "first_delay", 30.0)
    closed = asyncio.Event()
    monkeypatch.setattr(mocks.SlowProvider, "closed_event", closed)
    payload = {"model": "slow", "messages": HELLO, "stream": stream}
    async with start(disconnect_poll=0.05) as (url, _):
        async with aiohttp.ClientSession() as session:
            request = asyncio.ensure_future(session.post(url + CHAT, json=payload))
            while mocks.SlowProvider.calls == 0:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            request.cancel()
            with pytest.raises(asyncio.CancelledError):
                await request
        await asyncio.wait_for(closed.wait(), 3)
    assert mocks.SlowProvider.sent == (0 if stream else 1)


async def _get_json(url: str) -> dict:
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            return await resp.json()


async def _read_stream(url: str, started: asyncio.Event) -> list[bytes]:
    lines = []
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url + CHAT, json={"model": "slow", "messages": HELLO, "stream": True}
        ) as resp:
            async for line in resp.content:
                if line.strip():
                    lines.append(line.strip())
                    started.set()
    return lines


async def _running(app: web.Application) -> tuple[str, web.AppRunner]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return f"http://127.0.0.1:{runner.addresses[0][1]}", runner


async def _stop_during_stream(
    monkeypatch, ticks: int, delay: float, timeout: float
) -> tuple[list[bytes], float, str]:
    """Start a stream, stop the server after its first event; the lines, stop time and URL."""
    monkeypatch.setattr(mocks.SlowProvider, "ticks", ticks)
    monkeypatch.setattr(mocks.SlowProvider, "delay", delay)
    url, runner = await _running(create_app(shutdown_timeout=timeout))
    started = asyncio.Event()
    reader = asyncio.ensure_future(_read_stream(url, started))
    await asyncio.wait_for(started.wait(), 3)
    begun = time.monotonic()
    await runner.cleanup()
    took = time.monotonic() - begun
    return await asyncio.wait_for(reader, 3), took, url


async def test_graceful_shutdown_finishes_in_flight_stream(monkeypatch) -> None:
    lines, took, url = await _stop_during_stream(monkeypatch, ticks=8, delay=0.1, timeout=5.0)
    assert 0.5 < took < 4
    text = "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content", "") for line in lines[:-1]
    )
    assert text == "".join(f"tick{i} " for i in range(8))
    assert lines[-1] == b"data: [DONE]"
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get_json(url + "/health")


async def test_graceful_shutdown_deadline_cancels_upstream(monkeypatch) -> None:
    lines, took, _ = await _stop_during_stream(monkeypatch, ticks=10_000, delay=0.05, timeout=0.3)
    assert 0.25 < took < 2.0
    assert mocks.SlowProvider.closed
    assert json.loads(lines[-1][6:])["error"]["code"] == "shutting_down"
    assert b"data: [DONE]" not in lines


async def test_cookies_dir_option_sets_where_providers_look(tmp_path, monkeypatch) -> None:
    from g4f.cookies import CookiesConfig, get_cookies_dir

    monkeypatch.setattr(CookiesConfig, "cookies_dir", None)
    create_app(cookies_dir=tmp_path / "jar")
    assert get_cookies_dir() == str(tmp_path / "jar")
    with pytest.raises(ValueError):
        create_app(max_body=0)


async def test_unlisted_fields_never_reach_the_provider(start) -> None:
    payload = {
        "messages": HELLO,
        "model": "echo",
        "media": [["/etc/passwd", "passwd"]],
        "proxy": "http://127.0.0.1:9/",
        "base_url": "http://127.0.0.1:9/",
        "api_key": "hf_bodyToken0123456789",
        "timeout": 0.001,
    }
    async with start() as (url, _):
        status, body = await post_raw(url + CHAT, json.dumps(payload).encode())
    assert status == 200, body
    received = mocks.EchoProvider.last
    assert not {"media", "proxy", "base_url", "api_key"} & set(received)
    # The provider's timeout is what is left of the server's deadline, never the body's.
    assert received["timeout"] > 1
