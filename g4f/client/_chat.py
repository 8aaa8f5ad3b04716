"""The chat pipeline: provider chunks → events → OpenAI-shaped chunks or one completion.

Streaming and non-streaming share :class:`EventMapper` (through :func:`iter_events`,
or directly in :func:`stream_chunks`, which saves a layer per token); the non-stream
completion is the accumulation of exactly the events the stream would have produced.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from ..providers.engine import failover
from ..providers.helper import ThinkSplitter
from ..providers.response import (
    FinishReason,
    ImagePreview,
    JsonConversation,
    MediaResponse,
    ProviderInfo,
    Reasoning,
    Sources,
    ToolCalls,
    Usage,
)
from ..typing import Messages
from .service import provider_name
from .stubs import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionDelta,
    ChatCompletionDeltaChoice,
    ChatCompletionMessage,
    ToolCallModel,
    UsageModel,
    completion_id,
)

__all__ = ["Event", "iter_events", "stream_chunks", "collect_completion"]


@dataclass(slots=True)
class Event:
    """One normalized piece of an answer."""

    kind: str  # content | reasoning | tool_calls | usage | finish | provider | conversation | media | sources
    value: Any


class StopFilter:
    """Cuts text at the first stop sequence, across chunk boundaries."""

    def __init__(self, stop: Sequence[str]) -> None:
        self.stop = [s for s in stop if s]
        self._hold = max((len(s) for s in self.stop), default=1) - 1
        self._buffer = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        data = self._buffer + text
        positions = [p for p in (data.find(s) for s in self.stop) if p >= 0]
        if positions:
            self.stopped = True
            self._buffer = ""
            return data[: min(positions)]
        if self._hold <= 0:
            self._buffer = ""
            return data
        cut = max(0, len(data) - self._hold)
        self._buffer = data[cut:]
        return data[:cut]

    def flush(self) -> str:
        data, self._buffer = self._buffer, ""
        return data


def _stop_list(stop: Any) -> list[str]:
    if not stop:
        return []
    return [stop] if isinstance(stop, str) else [str(s) for s in stop]


def _provider_stream(
    provider: Any, model: str, messages: Messages, kwargs: dict[str, Any]
) -> AsyncIterator[Any]:
    """The answer's chunks: the failover engine, once per request, named provider or not."""
    return failover(provider, model, messages, **kwargs)


class EventMapper:
    """Provider chunks → events, one chunk at a time (sync: it runs once per token).

    Splits ``<think>`` tags out of text and cuts text at the first stop sequence;
    ``stopped`` turns true when one was found (the caller stops reading then).
    """

    __slots__ = ("_stop_filter", "_think", "stopped")

    def __init__(self, stops: list[str]) -> None:
        self._stop_filter = StopFilter(stops) if stops else None
        self._think = ThinkSplitter()
        self.stopped = False

    def plain(self, chunk: Any) -> bool:
        """Whether ``chunk`` is text that passes unchanged (the common case, checked cheaply)."""
        return (
            type(chunk) is str
            and self._stop_filter is None
            and self._think.idle
            and "<" not in chunk
            and chunk != ""
        )

    def feed(self, chunk: Any) -> list[Event]:
        if isinstance(chunk, str):
            return self._text(chunk)
        if isinstance(chunk, Reasoning):
            if chunk.token:
                return [Event("reasoning", chunk.token)]
            return [Event("progress", chunk)]
        if isinstance(chunk, ImagePreview):
            # A preview is progress of a job, never a result.
            return [Event("progress", Reasoning(status="preview", label="Generating"))]
        for kind, cls in _CHUNK_KINDS:
            if isinstance(chunk, cls):
                if kind == "tool_calls":
                    return [Event(kind, chunk.get_list())]
                if kind == "finish":
                    return [Event(kind, chunk.reason)]
                return [Event(kind, chunk)]
        return []

    def _text(self, chunk: str) -> list[Event]:
        events: list[Event] = []
        stop_filter = self._stop_filter
        for piece in self._think.feed(chunk):
            if isinstance(piece, str):
                if stop_filter is not None:
                    piece = stop_filter.feed(piece)
                if piece:
                    events.append(Event("content", piece))
                if stop_filter is not None and stop_filter.stopped:
                    events.append(Event("finish", "stop"))
                    self.stopped = True
                    return events
            elif piece.token:
                events.append(Event("reasoning", piece.token))
        return events

    def flush(self) -> list[Event]:
        events: list[Event] = []
        stop_filter = self._stop_filter
        for piece in self._think.flush():
            if isinstance(piece, str):
                text = stop_filter.feed(piece) if stop_filter else piece
                if text:
                    events.append(Event("content", text))
            elif piece.token:
                events.append(Event("reasoning", piece.token))
        if stop_filter is not None:
            rest = stop_filter.flush()
            if rest:
                events.append(Event("content", rest))
        return events


_CHUNK_KINDS: tuple[tuple[str, type], ...] = (
    ("tool_calls", ToolCalls),
    ("usage", Usage),
    ("finish", FinishReason),
    ("provider", ProviderInfo),
    ("conversation", JsonConversation),
    ("media", MediaResponse),
    ("sources", Sources),
)


def _open(
    provider: Any, model: str, messages: Messages, stop: Any, kwargs: dict[str, Any]
) -> tuple[AsyncIterator[Any], EventMapper]:
    stops = _stop_list(stop)
    if stops:
        kwargs["stop"] = stops
    return _provider_stream(provider, model, messages, kwargs), EventMapper(stops)


async def iter_events(
    provider: Any, model: str, messages: Messages, *, stop: Any = None, **kwargs: Any
) -> AsyncIterator[Event]:
    """Normalized events of one request; stops reading (and closes) at a stop sequence."""
    stream, mapper = _open(provider, model, messages, stop, kwargs)
    async with aclosing(stream):
        async for chunk in stream:
            for event in mapper.feed(chunk):
                yield event
            if mapper.stopped:
                return
        for event in mapper.flush():
            yield event


def _finish_reason(reason: str | None, saw_tools: bool) -> str:
    if reason in (None, "", "eos_token", "stop_sequence", "end_turn"):
        return "tool_calls" if saw_tools else "stop"
    return reason


def _tool_models(calls: list[dict[str, Any]]) -> list[ToolCallModel]:
    return [ToolCallModel.from_dict(call, index) for index, call in enumerate(calls)]


def _usage_model(usage: Usage | None) -> UsageModel:
    if usage is None:
        return UsageModel()
    return UsageModel(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)


async def stream_chunks(
    provider: Any, model: str, messages: Messages, **kwargs: Any
) -> AsyncIterator[ChatCompletionChunk]:
    """OpenAI-shaped chunks of a streamed answer; the last one carries finish_reason and usage."""
    cid = completion_id()
    created = int(time.time())
    name = provider_name(provider)
    answered_model = model
    usage: Usage | None = None
    reason: str | None = None
    saw_tools = False
    first = True

    def chunk(
        delta: ChatCompletionDelta, finish: str | None = None, extra: dict[str, Any] | None = None
    ) -> ChatCompletionChunk:
        nonlocal first
        if first:
            delta.role = "assistant"
            first = False
        # Positional arguments (field order of the stubs): this runs once per token, and
        # keyword arguments cost a third more.
        return ChatCompletionChunk(
            cid,
            "chat.completion.chunk",
            created,
            answered_model,
            name,
            [ChatCompletionDeltaChoice(0, delta, finish)],
            None,
            extra,
        )

    def convert(event: Event) -> ChatCompletionChunk | None:
        nonlocal usage, reason, saw_tools, name, answered_model
        kind, value = event.kind, event.value
        if kind == "content":
            return chunk(ChatCompletionDelta(content=value))
        if kind == "reasoning":
            return chunk(ChatCompletionDelta(reasoning=value))
        if kind == "tool_calls":
            saw_tools = True
            return chunk(ChatCompletionDelta(tool_calls=_tool_models(value)))
        if kind == "usage":
            usage = value
        elif kind == "finish":
            reason = value
        elif kind == "provider":
            name = value.name or name
            answered_model = value.model or answered_model
        elif kind == "media":
            return chunk(ChatCompletionDelta(content=str(value)), extra={"media": value.get_list()})
        elif kind == "sources":
            return chunk(ChatCompletionDelta(), extra={"sources": value.list})
        elif kind == "conversation":
            return chunk(ChatCompletionDelta(), extra={"conversation": value})
        elif kind == "progress":
            return chunk(ChatCompletionDelta(), extra={"progress": str(value)})
        return None

    # The events of iter_events, mapped in place: one async layer less per token.
    stream, mapper = _open(provider, model, messages, kwargs.pop("stop", None), kwargs)
    plain = mapper.plain
    async with aclosing(stream):
        async for item in stream:
            if plain(item):
                yield chunk(ChatCompletionDelta(None, item))
                continue
            for event in mapper.feed(item):
                converted = convert(event)
                if converted is not None:
                    yield converted
            if mapper.stopped:
                break
        if not mapper.stopped:
            for event in mapper.flush():
                converted = convert(event)
                if converted is not None:
                    yield converted
    final = chunk(ChatCompletionDelta(), _finish_reason(reason, saw_tools))
    final.usage = _usage_model(usage) if usage is not None else None
    yield final


async def collect_completion(
    provider: Any, model: str, messages: Messages, **kwargs: Any
) -> ChatCompletion:
    """The whole answer: the accumulation of the events a stream would carry."""
    content: list[str] = []
    reasoning: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    media: list[str] = []
    sources: list[dict[str, Any]] = []
    usage: Usage | None = None
    reason: str | None = None
    conversation: Any = None
    name = provider_name(provider)
    answered_model = model
    async with aclosing(iter_events(provider, model, messages, **kwargs)) as events:
        async for event in events:
            kind, value = event.kind, event.value
            if kind == "content":
                content.append(value)
            elif kind == "reasoning":
                reasoning.append(value)
            elif kind == "tool_calls":
                tool_calls.extend(value)
            elif kind == "usage":
                usage = value
            elif kind == "finish":
                reason = value
            elif kind == "provider":
                name = value.name or name
                answered_model = value.model or answered_model
            elif kind == "media":
                content.append(str(value))
                media.extend(value.get_list())
            elif kind == "sources":
                sources.extend(value.list)
            elif kind == "conversation":
                conversation = value
    message = ChatCompletionMessage(
        content="".join(content),
        reasoning="".join(reasoning) or None,
        tool_calls=_tool_models(tool_calls) or None,
    )
    return ChatCompletion(
        model=answered_model,
        provider=name,
        choices=[ChatCompletionChoice(0, message, _finish_reason(reason, bool(tool_calls)))],
        usage=_usage_model(usage),
        conversation=conversation,
        sources=sources or None,
        media=media or None,
    )
