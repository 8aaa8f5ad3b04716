"""The fake router, with HF_ROUTER_ENDPOINT pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.router import FakeRouter


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        yield fake
