"""Running upstream work for a request: disconnect detection, SSE, graceful shutdown.

Each request's upstream work runs in its own task that :class:`Inflight` watches.
When the client's connection goes away the task is cancelled, which closes the
provider's generator and so its HTTP connection. On shutdown the server stops
accepting work, lets running tasks finish until a deadline, then cancels the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from aiohttp import web

from ..client.stubs import ChatCompletionChunk
from ..debug import logger
from ..errors import StreamInterruptedError
from ._errors import ApiError, error_body, error_payload
from ._payloads import chunk_payload, sse, usage_chunk

__all__ = ["Inflight", "ClientGone", "stream_response"]

T = TypeVar("T")

_DONE = b"data: [DONE]\n\n"


class ClientGone(Exception):
    """The client closed its connection before the answer was complete."""


def client_gone(request: web.BaseRequest) -> bool:
    """Whether the request's connection is closed or closing."""
    transport = request.transport
    return transport is None or transport.is_closing()


def shutting_down_error() -> ApiError:
    return ApiError(503, "The server is shutting down", type="server_error", code="shutting_down")


class Inflight:
    """The upstream tasks of running requests."""

    def __init__(self, poll: float = 0.2) -> None:
        self.poll = poll
        self.tasks: set[asyncio.Task[Any]] = set()
        self.closing = False

    async def run(self, request: web.BaseRequest, work: Awaitable[T]) -> T:
        """Await ``work`` in a task that is cancelled if the client goes away."""
        if self.closing:
            if asyncio.iscoroutine(work):
                work.close()
            raise shutting_down_error()
        task: asyncio.Task[T] = asyncio.ensure_future(work)
        self.tasks.add(task)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.poll)
                if done:
                    break
                if client_gone(request):
                    await _cancel(task)
                    raise ClientGone()
            if task.cancelled():
                raise shutting_down_error()
            return task.result()
        except asyncio.CancelledError:
            await _cancel(task)
            raise
        finally:
            self.tasks.discard(task)

    async def drain(self, timeout: float) -> None:
        """Refuse new work, wait up to ``timeout`` seconds for running tasks, cancel the rest."""
        self.closing = True
        pending = set(self.tasks)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5.0)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def stream_response(
    request: web.BaseRequest,
    chunks: AsyncIterator[ChatCompletionChunk],
    include_usage: bool,
    inflight: Inflight,
) -> web.StreamResponse:
    """Stream ``chunks`` as SSE ending with ``data: [DONE]``.

    The first chunk is awaited before any byte is sent, so a request that fails
    before producing anything gets a real error status; a failure after that is
    sent in-band as an ``{"error": ...}`` event (the OpenAI SDK raises it).
    """
    aiter = chunks.__aiter__()
    try:
        try:
            first: ChatCompletionChunk | None = await aiter.__anext__()
        except StopAsyncIteration:
            first = None
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        try:
            await _pump(response, first, aiter, include_usage)
        except ConnectionResetError:
            logger.debug("client went away during a stream")
        except asyncio.CancelledError:
            if not inflight.closing:
                raise
            await _write_quietly(
                response,
                sse(error_body("The server is shutting down", "server_error", "shutting_down")),
            )
        except Exception as exc:  # noqa: BLE001 - every failure is reported in-band
            _, body, _ = error_payload(exc)
            if isinstance(exc, StreamInterruptedError):  # the answer had started
                body["error"]["code"] = "stream_interrupted"
            await _write_quietly(response, sse(body))
        return response
    finally:
        aclose = getattr(aiter, "aclose", None)
        if aclose is not None:
            await aclose()


async def _pump(
    response: web.StreamResponse,
    first: ChatCompletionChunk | None,
    rest: AsyncIterator[ChatCompletionChunk],
    include_usage: bool,
) -> None:
    last = first
    if first is not None:
        await response.write(sse(chunk_payload(first)))
        async for chunk in rest:
            last = chunk
            await response.write(sse(chunk_payload(chunk)))
    if include_usage and last is not None:
        await response.write(sse(usage_chunk(last)))
    await response.write(_DONE)


async def _write_quietly(response: web.StreamResponse, data: bytes) -> None:
    with contextlib.suppress(ConnectionResetError, RuntimeError):
        await response.write(data)
