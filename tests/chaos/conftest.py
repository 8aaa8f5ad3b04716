"""Chaos fixtures: failures recorded per provider, no cooldown leaking between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from g4f.providers.retry_provider import IterListProvider, clear_cooldowns
from tests.chaos._sockets import available


@pytest.fixture(autouse=True)
def _fresh_cooldowns() -> Iterator[None]:
    if not available():
        pytest.skip("needs Linux /proc to count this process's sockets")
    clear_cooldowns()
    yield
    clear_cooldowns()


@pytest.fixture
def failures(monkeypatch: pytest.MonkeyPatch) -> dict[str, BaseException]:
    """Every provider failure IterListProvider notes, by provider name."""
    seen: dict[str, BaseException] = {}
    original = IterListProvider._note_failure

    def note(key: str, exc: BaseException) -> None:
        # A route of a provider ("HuggingFaceMedia (model:route)") is also noted by name.
        seen[key] = seen[key.split(" (")[0]] = exc
        original(key, exc)

    monkeypatch.setattr(IterListProvider, "_note_failure", staticmethod(note))
    return seen
