"""Serving a protocol encoder's answer: the client's chunks in, JSON or SSE with keep-alive out.

The Responses and Messages routes call the client exactly as the chat route does
(``client.chat.completions.create(..., stream=True)``) and feed each chunk to the
API's encoder (:mod:`g4f.protocols`). :func:`encode` yields the events per chunk;
a non-stream request keeps only the encoder's final object, a stream writes the
events as SSE through :func:`stream_events`, which sends a keep-alive (an SSE
comment or the API's ping event) whenever nothing was written for ``interval``
seconds, so proxies and clients do not drop a connection while the upstream is
silent (a model loading, a long queue).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import aclosing
from typing import Any

from aiohttp import web

from ..client._chat import StopFilter
from ..client.stubs import ChatCompletionChunk
from ..debug import logger
from ..protocols._common import BlockEncoder, frame
from ._stream import Inflight, _cancel, shutting_down_error

__all__ = ["StopMatcher", "encode", "collect", "stream_events", "SSE_HEADERS", "COMMENT"]

Events = list[dict[str, Any]]

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
}
#: The Responses keep-alive: an SSE comment, which every SSE client skips.
COMMENT = b": keep-alive\n\n"


class StopMatcher:
    """Cuts text at the first stop sequence (the client's filter) and says which one it was."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = list(stops)
        self._filter = StopFilter(self.stops)
        self._raw: list[str] = []
        self._sent = 0
        self.matched: str | None = None

    def feed(self, text: str) -> str:
        self._raw.append(text)
        out = self._filter.feed(text)
        self._sent += len(out)
        if self._filter.stopped and self.matched is None:
            # Everything before the cut was sent, so the sequence starts right there.
            raw = "".join(self._raw)
            self.matched = next((s for s in self.stops if raw.startswith(s, self._sent)), None)
            self.matched = self.matched or self.stops[0]
        return out

    def flush(self) -> str:
        return self._filter.flush()


def _feed(encoder: BlockEncoder, chunk: ChatCompletionChunk, stops: StopMatcher | None) -> Events:
    encoder.answered_by(chunk.model, chunk.provider)
    if chunk.usage is not None:
        encoder.usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
    if not chunk.choices:
        return []
    choice = chunk.choices[0]
    delta = choice.delta
    events: Events = []
    if delta.reasoning:
        events += encoder.reasoning(delta.reasoning)
    if delta.content:
        events += encoder.text(stops.feed(delta.content) if stops else delta.content)
    for call in delta.tool_calls or ():
        events += encoder.tool_call(call.id, call.function.name, call.function.arguments)
    if choice.finish_reason:
        encoder.finish(choice.finish_reason)
    return events


async def encode(
    encoder: BlockEncoder,
    chunks: AsyncIterator[ChatCompletionChunk],
    stops: StopMatcher | None = None,
    before_end: Callable[[], Awaitable[None]] | None = None,
) -> AsyncIterator[Events]:
    """The encoder's events, one non-empty batch per chunk, ending with ``encoder.end()``.

    ``before_end`` runs after the answer is final and before its last events are
    yielded (the Responses store saves there, so a client that reads
    ``response.completed`` finds the response stored).
    """
    async with aclosing(chunks):
        async for chunk in chunks:
            events = _feed(encoder, chunk, stops)
            if events:
                yield events
            if stops is not None and stops.matched is not None:
                encoder.stopped_at(stops.matched)
                break
    if stops is not None and stops.matched is None:
        rest = encoder.text(stops.flush())
        if rest:
            yield rest
    final = encoder.end()
    if before_end is not None:
        await before_end()
    yield final


async def collect(batches: AsyncIterator[Events]) -> None:
    """Drive a non-stream answer to its end (the encoder keeps the result)."""
    async with aclosing(batches):
        async for _ in batches:
            pass


class _Writer:
    """Writes events and a keep-alive whenever nothing was written for ``interval`` s."""

    def __init__(self, response: web.StreamResponse, ping: bytes, interval: float) -> None:
        self.response = response
        self.ping = ping
        self.interval = interval
        self._lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()
        self._last = self._loop.time()
        self._ticker = asyncio.ensure_future(self._tick())

    async def write(self, data: bytes) -> None:
        async with self._lock:
            await self.response.write(data)
            self._last = self._loop.time()

    async def _tick(self) -> None:
        while True:
            wait = self._last + self.interval - self._loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            try:
                await self.write(self.ping)
            except (ConnectionResetError, RuntimeError):
                return

    async def close(self) -> None:
        await _cancel(self._ticker)


def _frames(events: Events) -> bytes:
    return b"".join(frame(event) for event in events)


async def stream_events(
    request: web.BaseRequest,
    inflight: Inflight,
    batches: AsyncIterator[Events],
    opening: Events,
    on_error: Callable[[BaseException], Events],
    ping: bytes,
    interval: float,
) -> web.StreamResponse:
    """Stream ``batches`` as SSE after the ``opening`` events (made before the first chunk).

    The first batch is awaited for up to ``interval`` seconds before any byte is
    sent, so a request that fails at once gets a real error status. If the upstream
    is silent longer, the stream opens anyway and keep-alives hold it until the
    answer comes; a failure after the stream opened is reported with ``on_error``'s
    events (``response.failed``, Anthropic's ``error``).
    """
    first: asyncio.Future[Events] = asyncio.ensure_future(batches.__anext__())
    writer: _Writer | None = None
    try:
        await asyncio.wait({first}, timeout=interval)
        if first.done():
            head = _first(first)  # raises the upstream's error before anything was sent
        response = web.StreamResponse(headers=SSE_HEADERS)
        await response.prepare(request)
        writer = _Writer(response, ping, interval)
        try:
            if first.done():
                await writer.write(_frames(opening + head))
            else:
                await writer.write(_frames(opening))
                await asyncio.wait({first})
                await writer.write(_frames(_first(first)))
            async for events in batches:
                await writer.write(_frames(events))
        except ConnectionResetError:
            logger.debug("client went away during a stream")
        except asyncio.CancelledError:
            if not inflight.closing:
                raise
            await _quietly(writer, on_error(shutting_down_error()))
        except Exception as exc:  # noqa: BLE001 - every failure is reported in-band
            await _quietly(writer, on_error(exc))
        return response
    finally:
        if writer is not None:
            await writer.close()
        await _cancel(first)
        await batches.aclose()  # type: ignore[attr-defined]


def _first(first: asyncio.Future[Events]) -> Events:
    try:
        return first.result()
    except StopAsyncIteration:
        return []


async def _quietly(writer: _Writer, events: Events) -> None:
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await writer.write(_frames(events))
