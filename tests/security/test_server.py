"""The API server: key enforcement, body size limit, a 500-stream burst, no file serving."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from g4f.api import create_app
from tests.api.conftest import serve
from tests.chaos._sockets import available, connections_to
from tests.fakes.router import FakeRouter

KEY = "server-key-3f9a2c"
BODY = {
    "model": "meta-llama/Llama-3.3-70B-Instruct",
    "messages": [{"role": "user", "content": "hi"}],
}
ROUTES = [
    ("GET", "/v1/models"),
    ("GET", "/v1/models/meta-llama/Llama-3.3-70B-Instruct"),
    ("GET", "/v1/providers"),
    ("GET", "/v1/providers/HuggingFaceAPI"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/v1/images/generations"),
    ("POST", "/v1/media/generations"),
]


@pytest.fixture
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        yield session


async def _call(
    client: aiohttp.ClientSession, method: str, url: str, **kwargs: Any
) -> tuple[int, Any]:
    async with client.request(method, url, **kwargs) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {KEY}"},
        {"X-Api-Key": "wrong"},
    ],
    ids=["none", "wrong bearer", "basic scheme", "wrong x-api-key"],
)
async def test_every_route_needs_the_key(
    method: str,
    path: str,
    headers: dict[str, str],
    client: aiohttp.ClientSession,
    upstream: FakeRouter,
) -> None:
    async with serve(create_app(api_key=KEY, provider="HuggingFaceAPI")) as (url, _):
        before = len(upstream.requests)
        status, body = await _call(client, method, url + path, json=BODY, headers=headers)
        assert status == 401 and body["error"]["type"] == "authentication_error"
        assert KEY not in json.dumps(body)
        assert len(upstream.requests) == before, "an unauthenticated request reached a provider"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/health/../models",
        "/health/../v1/models",
        "/%2e%2e/v1/models",
        "//v1/models",
        "/v1/models/",
        "/V1/models",
        "/health/%2e%2e/v1/chat/completions",
    ],
)
async def test_open_paths_give_no_way_around_the_key(
    path: str, client: aiohttp.ClientSession, upstream: FakeRouter
) -> None:
    async with serve(create_app(api_key=KEY, provider="HuggingFaceAPI")) as (url, _):
        before = len(upstream.requests)
        status, _ = await _raw_post(url, path, json.dumps(BODY).encode())
        assert status in (401, 404, 405)
        assert len(upstream.requests) == before


async def test_the_right_key_works_and_health_is_open(
    client: aiohttp.ClientSession, upstream: FakeRouter
) -> None:
    async with serve(create_app(api_key=KEY, provider="HuggingFaceAPI")) as (url, _):
        assert (await _call(client, "GET", url + "/health"))[0] == 200
        for headers in ({"Authorization": f"Bearer {KEY}"}, {"X-Api-Key": KEY}):
            status, body = await _call(
                client, "POST", url + "/v1/chat/completions", json=BODY, headers=headers
            )
            assert (
                status == 200 and body["choices"][0]["message"]["content"] == upstream.chat.content
            )


async def test_request_size_limit(client: aiohttp.ClientSession, upstream: FakeRouter) -> None:
    limit = 64 * 1024
    big = {**BODY, "messages": [{"role": "user", "content": "x" * (2 * limit)}]}
    async with serve(create_app(provider="HuggingFaceAPI", max_body=limit)) as (url, _):
        before = len(upstream.chat_bodies)
        status, body = await _call(client, "POST", url + "/v1/chat/completions", json=big)
        assert status == 413 and body["error"]["code"] == "request_too_large"

        async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: the limit still holds
            data = json.dumps(big).encode()
            for start in range(0, len(data), 8192):
                yield data[start : start + 8192]

        status, body = await _call(
            client,
            "POST",
            url + "/v1/chat/completions",
            data=chunked(),
            headers={"Content-Type": "application/json"},
        )
        assert status == 413 and body["error"]["code"] == "request_too_large"
        assert len(upstream.chat_bodies) == before
        status, _ = await _call(client, "POST", url + "/v1/chat/completions", json=BODY)
        assert status == 200


def _rss() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


BURST = 500


@pytest.mark.skipif(not available(), reason="needs Linux /proc for RSS and socket counts")
async def test_a_burst_of_500_streams_completes_with_bounded_memory(
    client: aiohttp.ClientSession, upstream: FakeRouter
) -> None:
    expected = upstream.chat.content
    async with serve(create_app(provider="HuggingFaceAPI")) as (url, _):
        # Warm up (imports, first connections) before the baseline.
        assert (await _call(client, "POST", url + "/v1/chat/completions", json=BODY))[0] == 200
        baseline = _rss()
        peak = baseline

        async def one(index: int) -> str:
            body = {**BODY, "stream": True, "messages": [{"role": "user", "content": f"q{index}"}]}
            text = []
            async with client.post(url + "/v1/chat/completions", json=body) as response:
                assert response.status == 200
                async for line in response.content:
                    if line.startswith(b"data: {"):
                        delta = json.loads(line[6:])["choices"]
                        text += [d["delta"].get("content") or "" for d in delta]
            return "".join(text)

        async def sample() -> None:
            nonlocal peak
            while True:
                peak = max(peak, _rss())
                await asyncio.sleep(0.05)

        sampler = asyncio.create_task(sample())
        try:
            answers = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(BURST))), 120)
        finally:
            sampler.cancel()
        assert answers == [expected] * BURST
        grown = peak - baseline
        assert grown < 100 * 1024 * 1024, f"RSS grew by {grown / 2**20:.0f} MB during the burst"
        status, health = await _call(client, "GET", url + "/health")
        assert status == 200 and health["inflight"] == 0
    assert connections_to(upstream.server.port) == 0, (
        "the server left connections to the router open"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../etc/passwd",
        "/files/..%2f..%2fetc%2fpasswd",
        "/v1/files/../../etc/passwd",
        "/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/v1/models/../../../../etc/passwd",
        "/..%5c..%5cwindows%5cwin.ini",
    ],
)
async def test_no_route_serves_files(path: str, client: aiohttp.ClientSession) -> None:
    """The server serves no files at all: every traversal attempt is a JSON 404, never content."""
    async with serve(create_app()) as (url, _):
        status, body = await _raw_get(url, path)
        assert status == 404
        assert "root:" not in body and "[fonts]" not in body
        assert json.loads(body)["error"]["code"] in ("not_found", "model_not_found")


async def _raw_get(url: str, path: str) -> tuple[int, str]:
    """GET ``path`` byte for byte (clients normalise dot segments away; an attacker does not)."""
    return await _raw(url, f"GET {path} HTTP/1.1", b"")


async def _raw_post(url: str, path: str, body: bytes) -> tuple[int, str]:
    return await _raw(url, f"POST {path} HTTP/1.1", body, "Content-Type: application/json\r\n")


async def _raw(url: str, request_line: str, body: bytes, extra: str = "") -> tuple[int, str]:
    host, port = url.rsplit("//", 1)[1].split(":")
    head = (
        f"{request_line}\r\nHost: {host}\r\nConnection: close\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    )

    def fetch() -> bytes:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(head.encode() + body)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    raw = await asyncio.to_thread(fetch)
    status_line, _, rest = raw.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), rest.decode("utf-8", "replace")
