"""g4f answers → pydantic-ai parts and events, and g4f's typed errors → pydantic-ai's.

One mapping serves both request kinds: a streamed answer is a sequence of
``ChatCompletionChunk``, a whole answer is rewritten as one equivalent chunk
(:func:`completion_as_chunks`), and :class:`G4FStreamedResponse` turns either into
parts. Only :mod:`g4f.integration.pydantic_ai` imports this module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic_ai.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestRejectedError,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
    UserError,
)
from pydantic_ai.messages import FinishReason, ModelResponseStreamEvent
from pydantic_ai.models import StreamedResponse
from pydantic_ai.usage import RequestUsage

from .. import errors
from .._secrets import redact
from ..client.stubs import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionDelta,
    ChatCompletionDeltaChoice,
)

__all__ = ["G4FStreamedResponse", "completion_as_chunks", "mapped_errors", "map_error"]

_FINISH_REASONS: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_call",
    "function_call": "tool_call",
    "content_filter": "content_filter",
    "error": "error",
}


def _category(exc: BaseException, status: int) -> Any:
    """The pydantic-ai error category of a g4f error: by its class, else by its HTTP status."""
    if isinstance(exc, errors.ModelNotFoundError):
        return ModelNotFoundError
    if isinstance(exc, errors.MissingAuthError):
        return ModelAuthenticationError
    if isinstance(exc, errors.PaymentRequiredError):
        return ModelQuotaExceededError
    if isinstance(exc, errors.RateLimitError):
        return ModelRateLimitError
    if status in (401, 403):
        return ModelAuthenticationError
    if status == 402:
        return ModelQuotaExceededError
    if status == 404:
        return ModelNotFoundError
    if status in (400, 413, 422):
        return ModelRequestRejectedError
    if status == 429:
        return ModelRateLimitError
    if status == 503:
        return ModelUnavailableError
    if 500 <= status < 600:
        return ModelServerError
    return None


def _status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(exc, errors.StreamInterruptedError) and status is None:
        status = getattr(exc.cause, "status_code", None)
    return status if isinstance(status, int) and 400 <= status < 600 else None


def map_error(exc: errors.G4FError, model_name: str, *, in_stream: bool = False) -> Exception:
    """The pydantic-ai exception for a g4f error; bodies and messages stay redacted."""
    message = redact(str(exc))
    status = _status_of(exc)
    if status is not None:
        body = exc.body if exc.body else message
        return ModelHTTPError.for_category(
            _category(exc, status),
            status_code=status,
            model_name=model_name,
            body=redact(body),
            retry_after=exc.retry_after,
            in_stream=in_stream or isinstance(exc, errors.StreamInterruptedError),
        )
    if isinstance(exc, (errors.InvalidRequestError, errors.MissingRequirementsError)):
        return UserError(message)
    if isinstance(exc, errors.ProviderNotFoundError):
        return UserError(message)
    if isinstance(exc, errors.MissingAuthError):
        return ModelAuthenticationError(model_name, message)
    if isinstance(exc, errors.ModelNotFoundError):
        return ModelNotFoundError(model_name, message)
    if isinstance(exc, errors.TimeoutError):
        return ModelTimeoutError(model_name, message, in_stream=in_stream)
    if isinstance(exc, (errors.NetworkError, errors.StreamInterruptedError)):
        interrupted = isinstance(exc, errors.StreamInterruptedError)
        return ModelConnectionError(model_name, message, in_stream=in_stream or interrupted)
    return UnexpectedModelBehavior(message, body=redact(exc.body) if exc.body else None)


@contextmanager
def mapped_errors(model_name: str, *, in_stream: bool = False) -> Iterator[None]:
    """Re-raise g4f errors as pydantic-ai errors (the g4f error is kept as ``__cause__``)."""
    try:
        yield
    except errors.G4FError as exc:
        raise map_error(exc, model_name, in_stream=in_stream) from exc


async def completion_as_chunks(completion: ChatCompletion) -> AsyncIterator[ChatCompletionChunk]:
    """A whole answer as the one stream chunk that carries the same content."""
    choice = completion.choices[0] if completion.choices else None
    message = choice.message if choice is not None else None
    delta = ChatCompletionDelta(
        role="assistant",
        content=message.content if message is not None else None,
        reasoning=message.reasoning if message is not None else None,
        tool_calls=message.tool_calls if message is not None else None,
    )
    yield ChatCompletionChunk(
        id=completion.id,
        created=completion.created,
        model=completion.model,
        provider=completion.provider,
        choices=[ChatCompletionDeltaChoice(0, delta, choice.finish_reason if choice else None)],
        usage=completion.usage,
    )


def _usage(chunk: ChatCompletionChunk) -> RequestUsage | None:
    usage = chunk.usage
    if usage is None or not (usage.prompt_tokens or usage.completion_tokens or usage.total_tokens):
        return None
    return RequestUsage(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens)


@dataclass
class G4FStreamedResponse(StreamedResponse):
    """pydantic-ai's streamed response over g4f ``ChatCompletionChunk`` objects."""

    _chunks: AsyncIterator[ChatCompletionChunk] = field(repr=False)
    _model_name: str = ""
    _provider_name: str | None = None
    _timestamp: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    _usage_received: bool | None = field(default=False, init=False)

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        with mapped_errors(self._model_name, in_stream=True):
            async for chunk in self._chunks:
                for event in self._map_chunk(chunk):
                    yield event

    def _map_chunk(self, chunk: ChatCompletionChunk) -> Iterator[ModelResponseStreamEvent]:
        self._model_name = chunk.model or self._model_name
        self._provider_name = chunk.provider or self._provider_name
        if chunk.id:
            self.provider_response_id = chunk.id
        usage = _usage(chunk)
        if usage is not None:
            self._add_usage(usage, reported=True, cumulative=True)
        if not chunk.choices:
            return
        choice = chunk.choices[0]
        delta = choice.delta
        if delta.reasoning:
            yield from self._parts_manager.handle_thinking_delta(
                vendor_part_id="reasoning", content=delta.reasoning
            )
        if delta.content:
            yield from self._parts_manager.handle_text_delta(
                vendor_part_id="content", content=delta.content
            )
        for call in delta.tool_calls or []:
            yield self._parts_manager.handle_tool_call_part(
                vendor_part_id=None,
                tool_name=call.function.name,
                args=call.function.arguments or None,
                tool_call_id=call.id or None,
            )
        if choice.finish_reason:
            self.finish_reason = _FINISH_REASONS.get(choice.finish_reason)
            self.provider_details = {
                **(self.provider_details or {}),
                "finish_reason": choice.finish_reason,
            }

    async def close_stream(self) -> None:
        aclose = getattr(self._chunks, "aclose", None)
        if aclose is not None:
            await aclose()

    def get_stream_cancel_errors(self) -> tuple[type[BaseException], ...]:
        # Closing the chunk generator ends iteration cleanly: no transport error to swallow.
        return ()

    @property
    def model_name(self) -> str:
        """The model that answered (as the provider resolved it)."""
        return self._model_name

    @property
    def provider_name(self) -> str | None:
        """The g4f provider that answered."""
        return self._provider_name

    @property
    def provider_url(self) -> str | None:
        """g4f hides the endpoint behind the provider: none is reported."""
        return None

    @property
    def timestamp(self) -> datetime:
        """When the response started."""
        return self._timestamp
