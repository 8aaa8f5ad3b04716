"""gpt4free's retry providers, as thin fronts over the failover engine.

``IterListProvider``, ``RetryProvider`` and ``RotatedProvider`` keep their names and
behaviour: they only *order* their providers (shuffled, rotated or as given) and hand
the list to :func:`g4f.providers.engine.failover`, which runs it with the one retry
table (docs/client.md). Items are provider classes or ``(provider, model)`` pairs
that pin the model id each provider gets.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from ..errors import RetryNoProviderError
from ..typing import Messages
from .engine import clear_cooldowns, cooldown, failover, is_cooling_down, provider_name
from .response import ProviderInfo

__all__ = [
    "IterListProvider",
    "RetryProvider",
    "RotatedProvider",
    "cooldown",
    "is_cooling_down",
    "clear_cooldowns",
]


class IterListProvider:
    """Tries ``providers`` in order (shuffled when ``shuffle``) until one succeeds."""

    working = True
    supports_stream = True
    needs_auth = False

    def __init__(self, providers: Sequence[Any], shuffle: bool = True) -> None:
        self.providers = list(providers)
        self.shuffle = shuffle
        self.last_provider: Any = None
        self.__name__ = type(self).__name__

    def get_parent(self) -> str:
        return type(self).__name__

    def get_label(self) -> str:
        return type(self).__name__

    def _ordered(self) -> list[tuple[Any, str | None]]:
        items = [p if isinstance(p, tuple) else (p, None) for p in self.providers]
        if self.shuffle:
            random.shuffle(items)
        return items

    def get_candidates(self, model: str, **kwargs: Any) -> list[tuple[Any, str | None]]:
        """The providers in the order of this call (the engine runs them)."""
        items = self._ordered()
        if not items:
            raise RetryNoProviderError("No provider available")
        return items

    def retry_limit(self) -> int | None:
        """Retries per candidate when not the engine's default (``RetryProvider``)."""
        return None

    @staticmethod
    def _note_failure(name: str, exc: BaseException) -> None:
        """Hears each abandoned provider (a hook for tests and subclasses)."""

    async def create_async_generator(
        self, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Stream from the first provider that works (``last_provider`` names the one tried last)."""
        by_name = {provider_name(p[0] if isinstance(p, tuple) else p): p for p in self.providers}
        stream = failover(self, model, messages, on_failure=self._note_failure, **kwargs)
        async for chunk in stream:
            if type(chunk) is ProviderInfo:
                found = by_name.get(chunk.name)
                self.last_provider = found[0] if isinstance(found, tuple) else found
            yield chunk

    def create_completion(
        self, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[Any]:
        from .._loop import iter_sync

        return iter_sync(self.create_async_generator(model, messages, stream=stream, **kwargs))

    def __repr__(self) -> str:
        names = [provider_name(p[0] if isinstance(p, tuple) else p) for p in self.providers]
        return f"{type(self).__name__}({names})"


class RetryProvider(IterListProvider):
    """IterListProvider that, with a single provider, retries it ``max_retries`` times."""

    def __init__(
        self,
        providers: Sequence[Any],
        shuffle: bool = True,
        single_provider_retry: bool = False,
        max_retries: int = 3,
    ) -> None:
        super().__init__(providers, shuffle)
        self.single_provider_retry = single_provider_retry
        self.max_retries = max_retries

    def retry_limit(self) -> int | None:
        if self.single_provider_retry and len(self.providers) == 1:
            return self.max_retries
        return None


class RotatedProvider(IterListProvider):
    """Starts each call with the next provider in turn (round robin), then tries the rest."""

    def __init__(self, providers: Sequence[Any], shuffle: bool = False) -> None:
        super().__init__(providers, shuffle=False)
        self._next = 0

    def _ordered(self) -> list[tuple[Any, str | None]]:
        items = [p if isinstance(p, tuple) else (p, None) for p in self.providers]
        if not items:
            return items
        start = self._next % len(items)
        self._next = start + 1
        return items[start:] + items[:start]
