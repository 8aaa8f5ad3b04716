"""Incremental decoders for Server-Sent Events and newline-delimited JSON.

They take raw byte chunks as they come off the wire (a line may be split across
reads) and never raise a bare ``JSONDecodeError``: a bad line becomes a
:class:`~g4f.errors.StreamParseError` that names it, and an in-band
``{"error": ...}`` object becomes the matching typed error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import ResponseError, StreamParseError, error_from_payload

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

    __slots__ = ("_parts", "_size", "_max_line")

    def __init__(self, max_line: int | None = None) -> None:
        # The unfinished line, as the pieces it arrived in: joining them on every read
        # would make one long line cost quadratic time.
        self._parts: list[bytes] = []
        self._size = 0
        self._max_line = max_line

    def feed(self, chunk: bytes) -> list[str]:
        parts = self._parts
        if b"\n" not in chunk and b"\r" not in chunk and not (parts and parts[-1].endswith(b"\r")):
            if chunk:
                parts.append(chunk)
                self._size += len(chunk)
                self._check()
            return []
        data = b"".join(parts) + chunk if parts else chunk
        if b"\r" in data:
            # A trailing \r may be the first half of \r\n: keep it for the next read.
            hold = data.endswith(b"\r")
            if hold:
                data = data[:-1]
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if hold:
                data += b"\r"
        head, sep, rest = data.rpartition(b"\n")
        self._parts = [rest] if rest else []
        self._size = len(rest)
        self._check()
        if not sep:
            return []
        # Complete lines end on a newline, never inside a UTF-8 sequence: decode them at once.
        return head.decode("utf-8", "replace").split("\n")

    def flush(self) -> list[str]:
        rest = b"".join(self._parts)
        self._parts, self._size = [], 0
        if rest.endswith(b"\r"):
            # The \r held back in case a \n followed ends a line (maybe an empty one).
            return [rest[:-1].decode("utf-8", "replace")]
        return [rest.decode("utf-8", "replace")] if rest else []

    def _check(self) -> None:
        if self._max_line is not None and self._size > self._max_line:
            raise StreamParseError(
                f"stream line longer than {self._max_line} bytes",
                line=self._parts[0][:200].decode("utf-8", "replace"),
            )


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

    def feed_data(self, chunk: bytes) -> list[str]:
        """Like :meth:`feed`, but only the ``data`` of each event (the hot path of JSON streams).

        Gives what ``[e.data for e in feed(chunk)]`` gives, without building events for
        the common lines (``data:`` and blank).
        """
        out: list[str] = []
        data = self._data
        for line in self._lines.feed(chunk):
            if line.startswith("data:"):
                data.append(line[6:] if line.startswith(" ", 5) else line[5:])
            elif not line and self._event == "message":
                if data:
                    out.append("\n".join(data))
                    data.clear()
            else:
                events: list[SSEEvent] = []
                self._line(line, events)
                out += [event.data for event in events]
                data = self._data
        return out

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


_raw_decode = json.JSONDecoder().raw_decode


def decode_json_line(text: str, provider: str | None = None) -> Any:
    """JSON of one stream line; :class:`StreamParseError` naming the line on failure."""
    try:
        # raw_decode is json.loads without its whitespace regexes; a line it does not
        # consume exactly (surrounding whitespace, extra data) takes the full path.
        value, end = _raw_decode(text)
        if end == len(text):
            return value
    except (ValueError, RecursionError):
        pass
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply to decode
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
    except (ValueError, RecursionError):
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


_SKIP = object()


def _data_json(text: str, provider: str | None) -> Any:
    """The JSON of one single-line event data: the payload, ``_DONE`` or ``_SKIP`` (blank)."""
    if not text.startswith("{"):
        # Payloads are JSON objects; only other data can be [DONE] or blank.
        if _is_done(text):
            return _DONE
        if not text or text.isspace():
            return _SKIP
    data = decode_json_line(text, provider)
    if type(data) is dict and data.get("error") is not None and "choices" not in data:
        raise error_from_payload(data, provider=provider)
    return data


def _empty_stream(provider: str | None) -> ResponseError:
    who = f"{provider}: " if provider else ""
    return ResponseError(f"{who}the event stream closed before any event", provider=provider)


async def iter_sse_json(
    chunks: AsyncIterable[bytes],
    provider: str | None = None,
    max_line: int | None = None,
    on_done: Callable[[], None] | None = None,
) -> AsyncIterator[Any]:
    """JSON payloads of an SSE stream up to ``[DONE]``; in-band errors raised typed.

    A stream that closes before any payload (an empty 200 body, keep-alives only)
    is a :class:`ResponseError`, never an empty answer. ``on_done`` is called when
    ``[DONE]`` ends the stream (the body's own end may still be in flight).
    """
    seen = False
    decoder = SSEDecoder(max_line)
    async for chunk in chunks:
        for text in decoder.feed_data(chunk):
            if "\n" in text:
                for data in _event_json(SSEEvent(text), provider):
                    if data is _DONE:
                        if on_done is not None:
                            on_done()
                        return
                    seen = True
                    yield data
                continue
            data = _data_json(text, provider)
            if data is _DONE:
                if on_done is not None:
                    on_done()
                return
            if data is not _SKIP:
                seen = True
                yield data
    for event in decoder.flush():
        for data in _event_json(event, provider):
            if data is _DONE:
                return
            seen = True
            yield data
    if not seen:
        raise _empty_stream(provider)


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
