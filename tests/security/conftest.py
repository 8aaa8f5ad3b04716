"""Fixtures shared by the server security tests: the fake router as the upstream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from g4f.state import reset_state
from tests.fakes.router import TOKEN, FakeRouter


@pytest.fixture(scope="module")
def router() -> Iterator[FakeRouter]:
    """One fake router per test module (its request log is read per test)."""
    with FakeRouter() as fake:
        yield fake


@pytest.fixture
def upstream(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> FakeRouter:
    """The fake router as the Inference Providers router, with its token, no cooldowns."""
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    reset_state()
    return router
