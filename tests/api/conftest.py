"""Fixtures: the mock providers as the registry, and the app served on a free loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from g4f.providers.retry_provider import clear_cooldowns
from tests.api import providers as mocks
from tests.fakes.router import FakeRouter


@pytest.fixture(autouse=True)
def mock_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The registry holds exactly the mock providers."""
    yield mocks.install_registry(monkeypatch)
    clear_cooldowns()


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[tuple[str, web.AppRunner]]:
    """Run ``app`` on 127.0.0.1 with an OS-chosen port in the test's loop."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", runner
    finally:
        await runner.cleanup()


@pytest.fixture
def start() -> Callable[..., Any]:
    """``async with start(**create_app_kwargs) as (url, runner)``."""
    from g4f.api import create_app

    def starter(**kwargs: Any) -> Any:
        return serve(create_app(**kwargs))

    return starter


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch, mock_registry: dict[str, str]) -> Iterator[FakeRouter]:
    """The fake router, with HuggingFaceAPI in the registry pointed at it."""
    mock_registry["HuggingFaceAPI"] = "g4f.Provider.hf.HuggingFaceAPI"
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        yield fake
