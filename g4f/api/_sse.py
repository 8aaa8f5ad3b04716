"""The server's SSE hot path: chunk encoding and batched writes.

Per token the server turns a :class:`ChatCompletionChunk` into one ``data:`` event.
Most chunks of a stream differ only in their text, so :class:`ChunkEncoder` encodes
the parts they share (id, created, model, provider) once per stream and only the text
per chunk; any other chunk takes the general path (:func:`chunk_payload` + JSON),
which gives the same bytes. :class:`BatchWriter` gathers the events produced while
the upstream is read without waiting (one network read often holds many tokens) and
writes them with one call when that task step ends, instead of one write each.

JSON text is encoded with ``orjson`` when it is installed (``pip install g4f[fast]``),
else with the standard library; both give the same bytes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..client.stubs import ChatCompletionChunk
from ._payloads import chunk_payload, sse

__all__ = ["ChunkEncoder", "BatchWriter", "json_string"]

_TAIL = b'},"finish_reason":null,"logprobs":null}]}\n\n'
_dumps_str: Callable[[str], bytes] | None = None


def json_string(text: str) -> bytes:
    """``text`` as a JSON string literal in UTF-8 (non-ASCII kept, as ``sse`` writes it)."""
    global _dumps_str
    if _dumps_str is None:
        _dumps_str = _load_dumps()
    return _dumps_str(text)


def _load_dumps() -> Callable[[str], bytes]:
    try:
        import orjson  # the optional "fast" extra
    except ImportError:
        from json.encoder import encode_basestring  # type: ignore[attr-defined]

        return lambda text: encode_basestring(text).encode()
    return orjson.dumps  # type: ignore[no-any-return]


class ChunkEncoder:
    """``sse(chunk_payload(chunk))`` with the per-stream constant part encoded once."""

    __slots__ = ("_key", "_head")

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._head = b""

    def encode(self, chunk: ChatCompletionChunk) -> bytes:
        """The ``data:`` event of ``chunk``."""
        choices = chunk.choices
        if len(choices) == 1 and not chunk.extra:
            choice = choices[0]
            delta = choice.delta
            content = delta.content
            if (
                type(content) is str
                and choice.finish_reason is None
                and delta.role is None
                and delta.reasoning is None
                and not delta.tool_calls
            ):
                key = (chunk.id, chunk.created, chunk.model, chunk.provider)
                if key != self._key:
                    self._key = key
                    self._head = self._render_head(chunk)
                return self._head + json_string(content) + _TAIL
        return sse(chunk_payload(chunk))

    @staticmethod
    def _render_head(chunk: ChatCompletionChunk) -> bytes:
        shared = {
            "id": chunk.id,
            "object": "chat.completion.chunk",
            "created": chunk.created,
            "model": chunk.model,
            "provider": chunk.provider,
        }
        text = json.dumps(shared, ensure_ascii=False, separators=(",", ":"))
        return b"data: " + text[:-1].encode() + b',"choices":[{"index":0,"delta":{"content":'


class BatchWriter:
    """Writes the events added during one task step of the reader with one ``write``.

    ``add`` queues an event and wakes the writer task, which runs once the reader
    waits (for the network) and writes everything queued so far. The reader waits
    (``backoff``) only when ``limit`` events are queued (a slow client) or the writer
    stopped. ``close`` writes what is left and returns once it is written; a write
    error is raised by ``backoff`` or ``close``.
    """

    def __init__(self, response: web.StreamResponse, limit: int = 1024) -> None:
        self._response = response
        self._limit = limit
        self._parts: list[bytes] = []
        self._wake = asyncio.Event()
        self._woken = False  # _wake set and not yet seen by the writer (cheaper than is_set())
        self._taken = asyncio.Event()
        self._closing = False
        self._stopped = False
        #: Loop time of the last write (read by the keep-alive ticker; set once per batch).
        self.written_at = asyncio.get_running_loop().time()
        self._task: asyncio.Task[None] = asyncio.ensure_future(self._run())
        self._task.add_done_callback(self._on_stop)

    def _on_stop(self, task: asyncio.Task[None]) -> None:
        self._stopped = True

    def add(self, data: bytes) -> bool:
        """Queue ``data``; True when the reader must ``await backoff()`` (writer behind)."""
        parts = self._parts
        parts.append(data)
        if not self._woken:
            self._woken = True
            self._wake.set()
        return len(parts) >= self._limit or self._stopped

    async def backoff(self) -> None:
        """Wait until the writer has taken the queue (raises its write error, if any)."""
        if not self._task.done():
            self._taken.clear()
            waiter = asyncio.ensure_future(self._taken.wait())
            try:
                await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
        if self._task.done():
            self._task.result()
            raise ConnectionResetError("the SSE writer stopped")

    async def _run(self) -> None:
        response, wake = self._response, self._wake
        while True:
            await wake.wait()
            wake.clear()
            self._woken = False
            parts, self._parts = self._parts, []
            self._taken.set()
            if parts:
                await response.write(b"".join(parts) if len(parts) > 1 else parts[0])
                self.written_at = asyncio.get_running_loop().time()
            if self._closing and not self._parts:
                return

    async def close(self) -> None:
        """Write what is queued and stop the writer (raises its write error, if any)."""
        self._closing = True
        self._woken = True
        self._wake.set()
        await self._task

    def cancel(self) -> None:
        """Stop the writer without writing what is queued."""
        self._task.cancel()
