"""Providers that try other providers in turn.

The retry contract (DESIGN.md §4): a provider has *started* once it yields content
(text, media, tool calls, reasoning tokens). A failure before that moves on to the
next provider; a failure after that raises :class:`StreamInterruptedError` with the
partial text, so the output of two providers is never mixed. When every provider
fails, the single error is raised as is, several as :class:`RetryProviderError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import aclosing
from typing import Any

from ..debug import logger
from ..errors import (
    ModelNotFoundError,
    RetryNoProviderError,
    RetryProviderError,
    StreamInterruptedError,
    is_transient,
)
from ..typing import Messages
from .helper import iter_with_retries
from .response import ProviderInfo, Reasoning, is_content

__all__ = [
    "IterListProvider",
    "RetryProvider",
    "RotatedProvider",
    "iter_provider",
    "cooldown",
    "is_cooling_down",
    "clear_cooldowns",
]

_DEFAULT_COOLDOWN = 30.0
_MAX_COOLDOWN = 600.0
_cooldowns: dict[str, float] = {}


def cooldown(name: str, seconds: float | None = None) -> None:
    """Mark provider ``name`` as cooling down (Retry-After, else 30 s)."""
    seconds = _DEFAULT_COOLDOWN if seconds is None else min(max(seconds, 0.0), _MAX_COOLDOWN)
    _cooldowns[name] = time.monotonic() + seconds


def is_cooling_down(name: str) -> bool:
    until = _cooldowns.get(name)
    if until is None:
        return False
    if until <= time.monotonic():
        _cooldowns.pop(name, None)
        return False
    return True


def clear_cooldowns() -> None:
    _cooldowns.clear()


def _provider_name(provider: Any) -> str:
    return getattr(provider, "__name__", None) or type(provider).__name__


def _select_api_key(provider: Any, api_key: Any) -> Any:
    """A key dict is looked up by provider name then family; a string goes to every provider."""
    if isinstance(api_key, dict):
        name = _provider_name(provider)
        parent = provider.get_parent() if hasattr(provider, "get_parent") else name
        return api_key.get(name) or api_key.get(parent)
    return api_key


def iter_provider(
    provider: Any, model: str, messages: Messages, **kwargs: Any
) -> AsyncIterator[Any]:
    """One provider's chunks with in-provider retries; ``None`` chunks dropped.

    Returns the retrying generator itself (no wrapping layer: every chunk of a stream
    passes through here).
    """
    max_retries = kwargs.pop("max_retries", 2)
    if "api_key" in kwargs:
        kwargs["api_key"] = _select_api_key(provider, kwargs["api_key"])
    return iter_with_retries(
        lambda: provider.create_async_generator(model, messages, **kwargs), max_retries=max_retries
    )


def _is_progress(chunk: Any) -> bool:
    return isinstance(chunk, Reasoning) and not chunk.token


class IterListProvider:
    """Tries ``providers`` in order (shuffled when ``shuffle``) until one succeeds.

    Items are provider classes or ``(provider, model)`` pairs that pin the model id
    each provider gets.
    """

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

    def _ordered(self) -> list[tuple[Any, str | None]]:
        items = [p if isinstance(p, tuple) else (p, None) for p in self.providers]
        if self.shuffle:
            random.shuffle(items)
        return items

    async def create_async_generator(
        self, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Stream from the first provider that works."""
        errors: dict[str, BaseException] = {}
        items = self._ordered()
        if not items:
            raise RetryNoProviderError("No provider available")
        for provider, pinned in items:
            name = _provider_name(provider)
            use_model = pinned if pinned is not None else model
            self.last_provider = provider
            buffer: list[Any] = [
                ProviderInfo(name=name, model=use_model or "", label=_label(provider))
            ]
            started = False
            partial: list[str] = []
            try:
                async with aclosing(
                    iter_provider(provider, use_model, messages, **kwargs)
                ) as stream:
                    async for chunk in stream:
                        if not started:
                            if is_content(chunk):
                                started = True
                                for held in buffer:
                                    yield held
                                buffer.clear()
                            elif _is_progress(chunk):
                                yield chunk
                                continue
                            else:
                                buffer.append(chunk)
                                continue
                        if isinstance(chunk, str):
                            partial.append(chunk)
                        yield chunk
                for held in buffer:
                    yield held
                return
            except Exception as exc:
                self._note_failure(name, exc)
                if started:
                    raise StreamInterruptedError(
                        f"{name} failed after it started streaming: {type(exc).__name__}: {exc}",
                        partial="".join(partial),
                        cause=exc,
                        provider=name,
                        status_code=getattr(exc, "status_code", None),
                    ) from exc
                errors[name] = exc
                logger.debug("%s failed before content: %s: %s", name, type(exc).__name__, exc)
        raise _combine(errors)

    @staticmethod
    def _note_failure(name: str, exc: BaseException) -> None:
        if is_transient(exc):
            cooldown(name, getattr(exc, "retry_after", None))

    def create_completion(
        self, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[Any]:
        from .._loop import iter_sync

        return iter_sync(self.create_async_generator(model, messages, stream=stream, **kwargs))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({[_provider_name(p[0] if isinstance(p, tuple) else p) for p in self.providers]})"


def _label(provider: Any) -> str:
    get_label = getattr(provider, "get_label", None)
    return get_label() if callable(get_label) else _provider_name(provider)


def _combine(errors: dict[str, BaseException]) -> BaseException:
    if len(errors) == 1:
        return next(iter(errors.values()))
    if errors and all(isinstance(e, ModelNotFoundError) for e in errors.values()):
        return RetryProviderError("No provider serves this model", errors)
    return RetryProviderError("All providers failed", errors)


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

    async def create_async_generator(
        self, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        if not (self.single_provider_retry and len(self.providers) == 1):
            async for chunk in super().create_async_generator(model, messages, **kwargs):
                yield chunk
            return
        kwargs["max_retries"] = self.max_retries
        async for chunk in super().create_async_generator(model, messages, **kwargs):
            yield chunk


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
