"""Client streams over real HTTP: an abandoned or cancelled stream closes its connection."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web

from g4f.client import AsyncClient, Client
from g4f.providers.base_provider import AsyncGeneratorProvider
from tests.fakes.server import FakeServer, open_sse, write_sse


class Ticker:
    """A server that streams ticks until the client goes away, and notices when it does."""

    def __init__(self) -> None:
        self.disconnected = threading.Event()
        self.ticks = 0

    def app(self) -> web.Application:
        app = web.Application()

        async def stream(request: web.Request) -> web.StreamResponse:
            response = await open_sse(request)
            try:
                for i in range(400):
                    await write_sse(response, {"t": f"tick{i} "})
                    self.ticks += 1
                    await asyncio.sleep(0.02)
            except (ConnectionResetError, asyncio.CancelledError):
                self.disconnected.set()
                raise
            return response

        app.router.add_get("/stream", stream)
        return app


@pytest.fixture
def ticker() -> Iterator[tuple[Ticker, FakeServer]]:
    state = Ticker()
    with FakeServer(state.app()) as server:
        yield state, server


def make_provider(base: str) -> type:
    class TickProvider(AsyncGeneratorProvider):
        url = "https://example.invalid"

        @classmethod
        async def create_async_generator(
            cls, model: str, messages: Any, **kwargs: Any
        ) -> AsyncIterator[Any]:
            async with cls.open_session(**kwargs) as session:
                async with session.get(base + "/stream") as response:
                    async for data in response.sse():
                        yield data["t"]

    return TickProvider


def _wait(event: threading.Event, seconds: float = 5.0) -> bool:
    return event.wait(seconds)


def test_abandoned_sync_stream_closes_connection(ticker: tuple[Ticker, FakeServer]) -> None:
    state, server = ticker
    stream = Client().chat.completions.create(
        messages="hi", provider=make_provider(server.url), stream=True
    )
    for i, _ in enumerate(stream):
        if i == 2:
            break
    del stream
    gc.collect()
    assert _wait(state.disconnected), "the server still streams to an abandoned client"
    ticks = state.ticks
    time.sleep(0.1)
    assert state.ticks == ticks


async def test_cancelled_async_stream_closes_connection(ticker: tuple[Ticker, FakeServer]) -> None:
    state, server = ticker
    got: list[str] = []

    async def consume() -> None:
        async for chunk in AsyncClient().chat.completions.create(
            messages="hi", provider=make_provider(server.url), stream=True
        ):
            got.append(chunk.choices[0].delta.content or "")

    task = asyncio.create_task(consume())
    while len(got) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(_wait, state.disconnected)


def test_stream_timeout_applies_through_the_client(ticker: tuple[Ticker, FakeServer]) -> None:
    from g4f.errors import TimeoutError

    state, server = ticker
    # 20 ms between ticks is below a 1 s stream timeout: the stream flows.
    stream = Client().chat.completions.create(
        messages="hi",
        provider=make_provider(server.url),
        stream=True,
        stream_timeout=1.0,
        timeout=0.5,
    )
    received = []
    with pytest.raises(TimeoutError):
        for chunk in stream:
            received.append(chunk)
    # The whole-request timeout (0.5 s) stopped a stream of 400 ticks 20 ms apart.
    assert 0 < len(received) < 400
