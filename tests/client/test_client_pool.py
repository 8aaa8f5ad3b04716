"""Connection reuse by default: a client's pool, its close, the process-wide pool, isolation.

Counted at the fake (the client port of each request) and in this process's sockets
(``/proc``), through the whole stack: client → engine → HuggingFaceAPI → StreamSession.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

import g4f
from g4f.client import AsyncClient, Client
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from tests.chaos._sockets import available, connections_to
from tests.fakes.router import TOKEN, FakeRouter

pytestmark = pytest.mark.skipif(not available(), reason="needs Linux /proc to count sockets")

HELLO = [{"role": "user", "content": "Hello"}]
CALLS = 5


class CountingRouter(FakeRouter):
    """The fake router that also records the client port of every request."""

    def __init__(self) -> None:
        super().__init__()
        self.ports: list[int] = []
        self.app.middlewares.append(self._record_port)

    @web.middleware
    async def _record_port(self, request: web.Request, handler: Any) -> web.StreamResponse:
        peer = request.transport.get_extra_info("peername") if request.transport else None
        self.ports.append(peer[1] if peer else -1)
        return await handler(request)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingRouter]:
    with CountingRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield fake


async def _until_closed(port: int, seconds: float = 5.0) -> int:
    """This process's open connections to ``port``, polled until 0 or the deadline."""
    deadline = time.monotonic() + seconds
    while connections_to(port) and time.monotonic() < deadline:
        gc.collect()
        await asyncio.sleep(0.02)
    return connections_to(port)


def _until_closed_sync(port: int, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while connections_to(port) and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.02)
    return connections_to(port)


async def test_async_client_reuses_one_connection_and_close_closes_it(
    router: CountingRouter,
) -> None:
    client = AsyncClient(provider=HuggingFaceAPI)
    for _ in range(CALLS):
        answer = await client.chat.completions.create(HELLO, "llama-3.3-70b")
        assert answer.choices[0].message.content
    chunks = [
        chunk async for chunk in client.chat.completions.create(HELLO, "llama-3.3-70b", stream=True)
    ]
    assert chunks
    assert len(router.ports) == CALLS + 1
    assert len(set(router.ports)) == 1, "every call of one client shares one connection"
    assert connections_to(router.port) == 1, "the idle connection stays open between calls"
    await client.close()
    assert await _until_closed(router.port) == 0
    # A closed client opens a new pool on its next call.
    await client.chat.completions.create(HELLO, "llama-3.3-70b")
    assert len(set(router.ports)) == 2
    await client.close()
    assert await _until_closed(router.port) == 0


async def test_async_client_context_manager_closes(router: CountingRouter) -> None:
    async with AsyncClient(provider=HuggingFaceAPI) as client:
        for _ in range(3):
            await client.chat.completions.create(HELLO, "llama-3.3-70b")
        assert connections_to(router.port) == 1
    assert await _until_closed(router.port) == 0
    assert len(set(router.ports)) == 1


async def test_two_clients_have_their_own_pools(router: CountingRouter) -> None:
    async with AsyncClient(provider=HuggingFaceAPI) as one, AsyncClient() as two:
        await one.chat.completions.create(HELLO, "llama-3.3-70b")
        await two.chat.completions.create(HELLO, "llama-3.3-70b", provider=HuggingFaceAPI)
        await one.chat.completions.create(HELLO, "llama-3.3-70b")
    assert len(set(router.ports)) == 2
    assert router.ports[0] == router.ports[2]


async def test_dropped_async_client_closes_its_connections(router: CountingRouter) -> None:
    # ResourceWarning is an error in this suite: an unclosed session would fail the test.
    client = AsyncClient(provider=HuggingFaceAPI)
    await client.chat.completions.create(HELLO, "llama-3.3-70b")
    assert connections_to(router.port) == 1
    del client
    assert await _until_closed(router.port) == 0


def test_sync_client_reuses_one_connection_and_closes(router: CountingRouter) -> None:
    with Client(provider=HuggingFaceAPI) as client:
        for _ in range(CALLS):
            assert client.chat.completions.create(HELLO, "llama-3.3-70b").choices
        text = "".join(
            chunk.choices[0].delta.content or ""
            for chunk in client.chat.completions.create(HELLO, "llama-3.3-70b", stream=True)
            if chunk.choices
        )
        assert text
        assert connections_to(router.port) == 1
    assert _until_closed_sync(router.port) == 0
    assert len(router.ports) == CALLS + 1
    assert len(set(router.ports)) == 1


def test_dropped_sync_client_closes_its_connections(router: CountingRouter) -> None:
    client = Client(provider=HuggingFaceAPI)
    client.chat.completions.create(HELLO, "llama-3.3-70b")
    assert connections_to(router.port) == 1
    del client
    assert _until_closed_sync(router.port) == 0


def test_legacy_calls_share_the_process_wide_pool(router: CountingRouter) -> None:
    from g4f.requests.pool import IDLE_TIMEOUT

    for _ in range(3):
        assert g4f.ChatCompletion.create("llama-3.3-70b", HELLO, provider=HuggingFaceAPI)
    assert len(set(router.ports)) == 1
    # Idle connections of the shared pool close after the idle timeout, not after the call.
    assert connections_to(router.port) == 1
    assert IDLE_TIMEOUT > 0


async def test_legacy_async_calls_share_the_loops_pool(router: CountingRouter) -> None:
    for _ in range(3):
        assert await g4f.ChatCompletion.create_async(
            "llama-3.3-70b", HELLO, provider=HuggingFaceAPI
        )
    assert len(set(router.ports)) == 1


async def test_a_provider_called_directly_outside_a_pool_keeps_nothing_open(
    router: CountingRouter,
) -> None:
    for _ in range(2):
        chunks = [c async for c in HuggingFaceAPI.create_async_generator("llama-3.3-70b", HELLO)]
        assert any(isinstance(c, str) for c in chunks)
        assert await _until_closed(router.port) == 0
    assert len(set(router.ports)) == 2


async def test_one_providers_credentials_never_reach_another_through_the_pool(
    router: CountingRouter,
) -> None:
    from tests.fakes.server import FakeServer

    seen: list[dict[str, str]] = []

    async def other_service(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"text": "from A"}, headers={"Set-Cookie": "a_session=zzz"})

    app = web.Application()
    app.router.add_post("/a", other_service)

    with FakeServer(app) as service:

        class CookieProvider(HuggingFaceAPI):
            """A provider that logs in with cookies and its own bearer token (provider A)."""

            @classmethod
            async def create_async_generator(  # type: ignore[override]
                cls, model: str, messages: Any, **kwargs: Any
            ) -> Any:
                async with cls.open_session(
                    cookies={"a_cookie": "secret-a"}, headers={"Authorization": "Bearer a-token"}
                ) as session:
                    async with session.post(service.url + "/a", json={}) as response:
                        yield (await response.json())["text"]

        async with AsyncClient() as client:
            for _ in range(2):
                first = await client.chat.completions.create(HELLO, "m", provider=CookieProvider)
                assert first.choices[0].message.content == "from A"
                second = await client.chat.completions.create(
                    HELLO, "llama-3.3-70b", provider=HuggingFaceAPI
                )
                assert second.choices[0].message.content
    assert [h.get("Authorization") for h in seen] == ["Bearer a-token"] * 2
    assert [h.get("Cookie") for h in seen] == ["a_cookie=secret-a"] * 2
    to_router = [r for r in router.requests if r["path"] == "/v1/chat/completions"]
    assert len(to_router) == 2
    for request in to_router:
        assert request["headers"].get("Authorization") == f"Bearer {TOKEN}"
        assert "Cookie" not in request["headers"], "provider A's cookies reached the router"
    assert len(set(router.ports)) == 1
