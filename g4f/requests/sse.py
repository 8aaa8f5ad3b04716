"""Incremental decoders for Server-Sent Events and newline-delimited JSON.

They take raw byte chunks as they come off the wire (a line may be split across
reads) and never raise a bare ``JSONDecodeError``: a bad line becomes a
:class:`~g4f.errors.StreamParseError` that names it, and an in-band
``{"error": ...}`` object becomes the matching typed error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import StreamParseError, error_from_payload

__all__ = [
    "SSEEvent",
    "SSEDecoder",
    "LineDecoder",
    "iter_sse",
    "iter_sse_json",
    "iter_ndjson",
    "decode_json_line",
    "sse_stream",
]

_DONE = "[DONE]"


@dataclass(slots=True)
class SSEEvent:
    """One dispatched event: ``event`` name (default ``message``), ``data`` text, ``id``."""

    data: str
    event: str = "message"
    id: str | None = None

    def json(self, provider: str | None = None) -> Any:
        """The data decoded as JSON (typed error when it is not JSON)."""
        return decode_json_line(self.data, provider=provider)


class LineDecoder:
    """Splits byte chunks into text lines (``\\n``, ``\\r\\n`` or ``\\r``), across reads."""

    __slots__ = ("_buffer", "_max_line")

    def __init__(self, max_line: int | None = None) -> None:
        self._buffer = b""
        self._max_line = max_line

    def feed(self, chunk: bytes) -> list[str]:
        data = self._buffer + chunk
        if b"\r" in data:
            # A trailing \r may be the first half of \r\n: keep it for the next read.
            hold = data.endswith(b"\r")
            if hold:
                data = data[:-1]
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if hold:
                data += b"\r"
        *lines, rest = data.split(b"\n")
        self._buffer = rest
        if self._max_line is not None and len(self._buffer) > self._max_line:
            raise StreamParseError(
                f"stream line longer than {self._max_line} bytes",
                line=self._buffer[:200].decode("utf-8", "replace"),
            )
        return [line.decode("utf-8", "replace") for line in lines]

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer, b""
        rest = rest.rstrip(b"\r")
        return [rest.decode("utf-8", "replace")] if rest else []


class SSEDecoder:
    """The SSE line grammar: fields, comments, multi-line data, dispatch on a blank line."""

    __slots__ = ("_lines", "_data", "_event", "_id")

    def __init__(self, max_line: int | None = None) -> None:
        self._lines = LineDecoder(max_line)
        self._data: list[str] = []
        self._event = "message"
        self._id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in self._lines.feed(chunk):
            self._line(line, events)
        return events

    def flush(self) -> list[SSEEvent]:
        events: list[SSEEvent] = []
        for line in self._lines.flush():
            self._line(line, events)
        self._dispatch(events)
        return events

    def _line(self, line: str, events: list[SSEEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return
        name, sep, value = line.partition(":")
        if not sep:
            value = ""
        elif value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value or "message"
        elif name == "id":
            self._id = value
        # "retry" and unknown fields are ignored, as the SSE spec says.

    def _dispatch(self, events: list[SSEEvent]) -> None:
        if self._data:
            events.append(SSEEvent("\n".join(self._data), self._event, self._id))
        elif self._event != "message":
            events.append(SSEEvent("", self._event, self._id))
        self._data = []
        self._event = "message"


def decode_json_line(text: str, provider: str | None = None) -> Any:
    """JSON of one stream line; :class:`StreamParseError` naming the line on failure."""
    try:
        return json.loads(text)
    except ValueError:
        who = f"{provider}: " if provider else ""
        raise StreamParseError(
            f"{who}malformed line in stream: {text[:120]!r}", line=text, provider=provider
        ) from None


def _split_events(event: SSEEvent) -> list[SSEEvent]:
    """Events for data that packs several JSON lines without blank lines between them."""
    if "\n" not in event.data:
        return [event]
    try:
        json.loads(event.data)
        return [event]
    except ValueError:
        return [SSEEvent(part, event.event, event.id) for part in event.data.split("\n") if part]


async def iter_sse(
    chunks: AsyncIterable[bytes], max_line: int | None = None
) -> AsyncIterator[SSEEvent]:
    """Events of an SSE byte stream."""
    decoder = SSEDecoder(max_line)
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.flush():
        yield event


def _is_done(data: str) -> bool:
    return data.strip() == _DONE


def _event_json(event: SSEEvent, provider: str | None) -> Iterator[Any]:
    for part in _split_events(event):
        if _is_done(part.data):
            yield _DONE
            return
        if not part.data.strip():
            continue
        data = decode_json_line(part.data, provider)
        if isinstance(data, dict) and data.get("error") is not None and "choices" not in data:
            raise error_from_payload(data, provider=provider)
        yield data


async def iter_sse_json(
    chunks: AsyncIterable[bytes], provider: str | None = None, max_line: int | None = None
) -> AsyncIterator[Any]:
    """JSON payloads of an SSE stream up to ``[DONE]``; in-band errors raised typed."""
    async for event in iter_sse(chunks, max_line):
        for data in _event_json(event, provider):
            if data is _DONE:
                return
            yield data


def sse_events_sync(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Events of an SSE byte stream, synchronously (tests and tools)."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.flush()


async def iter_ndjson(
    chunks: AsyncIterable[bytes], provider: str | None = None, max_line: int | None = None
) -> AsyncIterator[Any]:
    """JSON objects of a newline-delimited stream; blank and whitespace-only lines skipped."""
    decoder = LineDecoder(max_line)
    async for chunk in chunks:
        for line in decoder.feed(chunk):
            if line.strip():
                yield decode_json_line(line.strip(), provider)
    for line in decoder.flush():
        if line.strip():
            yield decode_json_line(line.strip(), provider)


async def sse_stream(response: Any, provider: str | None = None) -> AsyncIterator[Any]:
    """JSON payloads of a :class:`~g4f.requests.StreamResponse` carrying SSE (g4f name)."""
    async for data in iter_sse_json(response.iter_content(), provider):
        yield data
