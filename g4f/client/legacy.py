"""``g4f.ChatCompletion``: the legacy one-call interface returning text."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import Any

from .._loop import iter_sync, run_sync
from ..providers.response import MediaResponse
from .service import model_name, normalize_messages, resolve_provider

__all__ = ["ChatCompletion"]


class ChatCompletion:
    """``g4f.ChatCompletion.create(model, messages, provider=None, stream=False, **kw)``."""

    @staticmethod
    async def _text(model: Any, messages: Any, provider: Any, **kwargs: Any) -> AsyncIterator[str]:
        from ..requests.pool import iter_in_pool, shared_pool
        from ._chat import iter_events

        chosen = resolve_provider(provider)
        events = iter_events(chosen, model_name(model), normalize_messages(messages), **kwargs)
        # Legacy calls have no client to own a pool: they share the process-wide one.
        events = iter_in_pool(shared_pool(), events)
        async with aclosing(events):
            async for event in events:
                if event.kind == "content":
                    yield event.value
                elif event.kind == "media" and isinstance(event.value, MediaResponse):
                    yield str(event.value)

    @staticmethod
    def create(
        model: Any, messages: Any, provider: Any = None, stream: bool = False, **kwargs: Any
    ) -> str | Iterator[str]:
        """The answer text, or an iterator of text pieces when ``stream``."""
        pieces = ChatCompletion._text(model, messages, provider, stream=stream, **kwargs)
        if stream:
            return iter_sync(pieces)
        return run_sync(_join(pieces))

    @staticmethod
    def create_async(
        model: Any, messages: Any, provider: Any = None, stream: bool = False, **kwargs: Any
    ) -> Any:
        """A coroutine of the answer text, or an async iterator of pieces when ``stream``."""
        pieces = ChatCompletion._text(model, messages, provider, stream=stream, **kwargs)
        return pieces if stream else _join(pieces)


async def _join(pieces: AsyncIterator[str]) -> str:
    async with aclosing(pieces):  # type: ignore[type-var]
        return "".join([piece async for piece in pieces])
