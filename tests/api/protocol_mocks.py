"""Mock providers for the Responses and Messages route tests (pure Python, talk to nothing).

Each answer is computed from what the provider was given, so a test cannot pass on
a canned reply; each records its calls like the providers of ``tests/api/providers``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from g4f.errors import RateLimitError
from g4f.providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from g4f.providers.response import FinishReason, Usage
from g4f.typing import Messages
from tests.api.providers import Recording, last_user


class BudgetProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Repeats the user's words, one per token, and stops at ``max_tokens`` (finish ``length``)."""

    default_model = "budget"
    models: ClassVar[list[str]] = ["budget"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        words = last_user(messages).split()
        limit = kwargs.get("max_tokens") or len(words)
        said = words[:limit]
        for index, word in enumerate(said):
            yield word if index == 0 else f" {word}"
        yield Usage(prompt_tokens=len(words), completion_tokens=len(said))
        yield FinishReason("length" if len(words) > limit else "stop")


def _example(schema: dict[str, Any], text: str) -> Any:
    """A value of ``schema``'s type built from ``text``."""
    kind = schema.get("type")
    if kind == "object":
        return {name: _example(sub, text) for name, sub in schema.get("properties", {}).items()}
    if kind == "integer":
        return len(text.split())
    if kind == "boolean":
        return "?" in text
    if kind == "array":
        return [_example(schema.get("items", {}), word) for word in text.split()]
    return text


class SchemaProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Answers JSON that follows the requested ``json_schema``, filled from the user's text."""

    default_model = "schema"
    models: ClassVar[list[str]] = ["schema"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        schema = kwargs["response_format"]["json_schema"]["schema"]
        text = json.dumps(_example(schema, last_user(messages)))
        for i in range(0, len(text), 7):
            yield text[i : i + 7]


class SilentThenFails(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Says nothing for ``delay`` seconds, then is rate limited."""

    default_model = "silent"
    models: ClassVar[list[str]] = ["silent"]
    delay: ClassVar[float] = 0.5

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        await asyncio.sleep(cls.delay)
        raise RateLimitError("slow down", status_code=429, retry_after=60, provider=cls.__name__)
        yield  # pragma: no cover


class BadToolArguments(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Calls a tool with arguments that are not JSON."""

    default_model = "bad-tool"
    models: ClassVar[list[str]] = ["bad-tool"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        from g4f.providers.response import ToolCalls

        cls.record(model, messages, kwargs)
        yield ToolCalls(
            [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{oops"}}]
        )


ALL = [BudgetProvider, SchemaProvider, SilentThenFails, BadToolArguments]


def reset() -> None:
    """Zero the counts of these providers and of the shared ``tests.mocks`` ones used here."""
    from tests.mocks import RaisesAfterTwoChunks, RaisingProvider

    for cls in [*ALL, RaisesAfterTwoChunks, RaisingProvider]:
        cls.reset()


async def read_sse(
    url: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> tuple[int, float, str]:
    """POST ``body`` to ``url``: the status, seconds until the first line, the whole text."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        began = time.monotonic()
        async with session.post(url, json=body, headers=headers) as resp:
            first = await resp.content.readline()
            waited = time.monotonic() - began
            rest = await resp.read()
    return resp.status, waited, (first + rest).decode()


async def abandon_stream(url: str, body: dict[str, Any], marker: bytes) -> None:
    """Read a stream until a line holds ``marker``, hang up, and wait (5 s at most) until
    the provider's generator was closed (``SlowProvider.closed``)."""
    import aiohttp

    from tests.api.providers import SlowProvider

    async with aiohttp.ClientSession() as session:
        resp = await session.post(url, json=body)
        while marker not in await resp.content.readline():
            pass
        resp.close()
    deadline = time.monotonic() + 5
    while not SlowProvider.closed and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


#: The chat-shaped turn both the Responses and Messages tool round trips must become:
#: the assistant's call of get_weather for Lyon, then the tool's answer.
LYON_TOOL_TURN: list[dict[str, Any]] = [
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_lyon",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Lyon"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_lyon", "content": "Sunny"},
]
