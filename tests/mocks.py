"""Mock providers of every style, for tests of the framework, client and server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

from g4f.errors import MissingAuthError, NetworkError, RateLimitError
from g4f.providers.base_provider import (
    AbstractProvider,
    AsyncGeneratorProvider,
    AsyncProvider,
    ProviderModelMixin,
)
from g4f.providers.response import FinishReason, Reasoning, ToolCalls, Usage
from g4f.typing import Messages


class Recorder:
    """Counts calls and remembers the last kwargs and whether a stream was closed."""

    calls: ClassVar[int] = 0
    last_kwargs: ClassVar[dict[str, Any]] = {}
    closed: ClassVar[bool] = False

    @classmethod
    def record(cls, kwargs: dict[str, Any]) -> None:
        cls.calls += 1
        cls.last_kwargs = kwargs

    @classmethod
    def reset(cls) -> None:
        cls.calls = 0
        cls.last_kwargs = {}
        cls.closed = False


class SyncGenProvider(Recorder, AbstractProvider):
    """Written as a sync generator."""

    @classmethod
    def create_completion(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> Iterator[Any]:
        cls.record(kwargs)
        yield "Hello"
        yield " world"


class AsyncProviderMock(Recorder, AsyncProvider):
    """Written as one coroutine."""

    @classmethod
    async def create_async(cls, model: str, messages: Messages, **kwargs: Any) -> str:
        cls.record(kwargs)
        return "Hello world"


class AsyncGenProvider(Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    """Written as an async generator; reports usage and a finish reason."""

    default_model = "mock-model"
    models: ClassVar[list[str]] = ["mock-model", "org/Mock-7B"]
    model_aliases: ClassVar[dict[str, str]] = {"mock-7b": "org/Mock-7B"}

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record({"model": model, **kwargs})
        try:
            yield "Hello"
            yield " "
            yield "world"
            yield Usage(prompt_tokens=3, completion_tokens=2)
            yield FinishReason("stop")
        finally:
            cls.closed = True


class SecondProvider(Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    """Another working provider serving the same model."""

    default_model = "mock-model"
    models: ClassVar[list[str]] = ["mock-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record({"model": model, **kwargs})
        yield "from second"


class RaisingProvider(Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    """Fails before any content with a rate limit."""

    default_model = "mock-model"
    models: ClassVar[list[str]] = ["mock-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        raise RateLimitError("slow down", status_code=429, retry_after=60, provider=cls.__name__)
        yield  # pragma: no cover


class RaisesAfterTwoChunks(Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    """Streams two chunks, then the connection breaks."""

    default_model = "mock-model"
    models: ClassVar[list[str]] = ["mock-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        yield "a"
        yield "b"
        raise NetworkError("connection cut", provider=cls.__name__)


class YieldsNoneProvider(Recorder, AsyncGeneratorProvider):
    """Yields ``None`` around its text (must be ignored)."""

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        yield None
        yield "ok"
        yield None


class NeedsAuthProvider(Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    """Needs an api_key."""

    needs_auth = True
    default_model = "mock-model"
    models: ClassVar[list[str]] = ["mock-model"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        if not kwargs.get("api_key"):
            raise MissingAuthError("api_key required", provider=cls.__name__, status_code=401)
        yield "authed"


class ToolProvider(Recorder, AsyncGeneratorProvider):
    """Answers with reasoning, then a tool call."""

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        yield Reasoning("Need weather.")
        yield ToolCalls(
            [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ]
        )
        yield FinishReason("tool_calls")


class FlakyProvider(Recorder, AsyncGeneratorProvider):
    """Fails with a transient error ``failures`` times, then answers."""

    failures: ClassVar[int] = 1
    error: ClassVar[type[Exception]] = RateLimitError

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.record(kwargs)
        if cls.calls <= cls.failures:
            status = 401 if cls.error is MissingAuthError else 429
            raise cls.error("transient", status_code=status, retry_after=0)
        yield "recovered"


ALL_MOCKS = [
    SyncGenProvider,
    AsyncProviderMock,
    AsyncGenProvider,
    SecondProvider,
    RaisingProvider,
    RaisesAfterTwoChunks,
    YieldsNoneProvider,
    NeedsAuthProvider,
    ToolProvider,
    FlakyProvider,
]


def reset_all() -> None:
    for mock in ALL_MOCKS:
        mock.reset()
