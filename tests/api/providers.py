"""Mock providers for the server and CLI tests (pure Python: they talk to nothing).

Each answer depends on the request, so a test cannot pass on a canned reply, and
each records what it was given and whether its stream was closed.
"""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from g4f.errors import MissingAuthError, ResponseError
from g4f.providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from g4f.providers.response import (
    FinishReason,
    ImageResponse,
    Reasoning,
    ToolCalls,
    Usage,
    VideoResponse,
)
from g4f.typing import Messages

MODULE = __name__
SECRET = "hf_mockSecretToken0123456789"


def last_user(messages: Messages) -> str:
    for message in reversed(messages):
        if message["role"] == "user":
            content = message["content"]
            return content if isinstance(content, str) else json.dumps(content)
    return ""


def png(width: int, height: int) -> bytes:
    """A valid one-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + b"\x10\x20\x30" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


class Recording:
    """What the last call received, and whether its generator was closed."""

    calls: ClassVar[int] = 0
    last: ClassVar[dict[str, Any]] = {}
    closed: ClassVar[bool] = False

    @classmethod
    def record(cls, model: str, messages: Messages, kwargs: dict[str, Any]) -> None:
        cls.calls += 1
        cls.closed = False
        cls.last = {"model": model, "messages": messages, **kwargs}

    @classmethod
    def reset(cls) -> None:
        cls.calls, cls.last, cls.closed = 0, {}, False


class EchoProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Echoes the last user message in small pieces, with usage counted from the input."""

    default_model = "echo-1"
    models: ClassVar[list[str]] = ["echo-1", "org/Echo-7B"]
    model_aliases: ClassVar[dict[str, str]] = {"echo": "org/Echo-7B"}

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        text = f"echo({model}): {last_user(messages)}"
        try:
            for i in range(0, len(text), 4):
                yield text[i : i + 4]
            yield Usage(
                prompt_tokens=len(last_user(messages).split()), completion_tokens=len(text.split())
            )
            yield FinishReason("stop")
        finally:
            cls.closed = True


class ThinkingProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Thinks aloud, then answers in upper case."""

    default_model = "thinker"
    models: ClassVar[list[str]] = ["thinker"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        yield Reasoning("Let me think about ")
        yield Reasoning(last_user(messages))
        yield last_user(messages).upper()


class ToolProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Calls the first offered tool with the user's city; answers from the tool result."""

    default_model = "tooler"
    models: ClassVar[list[str]] = ["tooler"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        if messages[-1]["role"] == "tool":
            yield f"Tool said: {messages[-1]['content']}"
            return
        tools = kwargs.get("tools") or []
        if not tools:
            yield "no tools offered"
            return
        name = tools[0]["function"]["name"]
        city = last_user(messages).split()[-1].strip("?")
        yield ToolCalls(
            [
                {
                    "id": f"call_{city.lower()}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps({"city": city})},
                }
            ]
        )
        yield FinishReason("tool_calls")


class SlowProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """``ticks`` chunks ``delay`` seconds apart; notes when its generator is closed."""

    default_model = "slow"
    models: ClassVar[list[str]] = ["slow"]
    ticks: ClassVar[int] = 5
    delay: ClassVar[float] = 0.05
    first_delay: ClassVar[float] = 0.0
    sent: ClassVar[int] = 0
    closed_event: ClassVar[asyncio.Event | None] = None

    @classmethod
    def reset(cls) -> None:
        super().reset()
        cls.sent = 0

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        cls.sent = 0
        try:
            if cls.first_delay:
                await asyncio.sleep(cls.first_delay)
            for i in range(cls.ticks):
                if i:
                    await asyncio.sleep(cls.delay)
                cls.sent += 1
                yield f"tick{i} "
        finally:
            cls.closed = True
            if cls.closed_event is not None:
                cls.closed_event.set()


class BrokenAuth(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Rejects its credentials, quoting the token (which must be redacted)."""

    default_model = "shared-model"
    models: ClassVar[list[str]] = ["shared-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        raise MissingAuthError(
            f"token {SECRET} was rejected", status_code=401, provider=cls.__name__
        )
        yield  # pragma: no cover


class BrokenAnswer(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Answers something unusable."""

    default_model = "shared-model"
    models: ClassVar[list[str]] = ["shared-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        raise ResponseError("the answer had no choices", provider=cls.__name__)
        yield  # pragma: no cover


class ImageProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """Reports progress, then returns a PNG of the requested size as a data URI."""

    default_model = "mock-image"
    models: ClassVar[list[str]] = ["mock-image"]
    image_models: ClassVar[list[str]] = ["mock-image"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        yield Reasoning(status="queued", label="mock-image")
        width, height = kwargs.get("width", 8), kwargs.get("height", 4)
        for _ in range(kwargs.get("n", 1)):
            yield ImageResponse.from_bytes(
                png(width, height), "image/png", alt=kwargs.get("prompt", "")
            )


class VideoProvider(Recording, AsyncGeneratorProvider, ProviderModelMixin):
    """A queued job: three progress notes, then a video whose bytes name the prompt."""

    default_model = "mock-video"
    models: ClassVar[list[str]] = ["mock-video"]
    video_models: ClassVar[list[str]] = ["mock-video"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(model, messages, kwargs)
        for status in ("IN_QUEUE", "IN_PROGRESS", "COMPLETED"):
            yield Reasoning(status=status, label="mock-video")
        yield VideoResponse.from_bytes(b"MP4:" + kwargs["prompt"].encode(), "video/mp4")


ALL = [
    EchoProvider,
    ThinkingProvider,
    ToolProvider,
    SlowProvider,
    BrokenAuth,
    BrokenAnswer,
    ImageProvider,
    VideoProvider,
]


def install_registry(monkeypatch: Any) -> dict[str, str]:
    """Make the registry hold exactly these providers (AnyProvider's map is built from them)."""
    import g4f.Provider as registry
    from g4f.providers.retry_provider import clear_cooldowns

    index = {cls.__name__: MODULE for cls in ALL}
    index["AnyProvider"] = "g4f.providers.any_provider"
    monkeypatch.setattr(registry, "_index", lambda: index)
    for cls in ALL:
        cls.reset()
    clear_cooldowns()
    return index
