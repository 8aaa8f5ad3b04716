"""Run an aiohttp app on 127.0.0.1 in a background thread, with misbehaviour switches.

Each fake runs in its own thread and event loop, so both async tests and the sync
``Client`` (which drives requests from g4f's own loop thread) can talk to it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "FakeServer",
    "Fault",
    "FaultQueue",
    "hf_error",
    "write_sse",
    "cut_connection",
    "stall",
    "open_sse",
]


@dataclass
class Fault:
    """One scripted misbehaviour for the next matching request.

    ``status`` with ``message`` answers an HF error body (``shape`` "string" for
    ``{"error": "..."}``, "openai" for ``{"error": {...}}``, "html", "text" or "empty");
    ``headers`` are added (e.g. Retry-After). Stream faults are read by the handlers:
    ``cut_after`` (chunks before the connection is cut), ``stall`` (seconds of silence),
    ``malformed`` (a bad line is inserted), ``inband_error`` (an error object after a 200).
    ``path`` restricts the fault to requests whose path contains it.
    """

    status: int | None = None
    message: str = "error"
    shape: str = "string"
    code: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    cut_after: int | None = None
    stall: float | None = None
    malformed: bool = False
    inband_error: str | None = None
    path: str | None = None
    times: int = 1


class FaultQueue:
    """Faults waiting for requests; each is used ``times`` times."""

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in list(self._faults):
                if fault.path is None or fault.path in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


def hf_error(
    status: int,
    message: str,
    *,
    shape: str = "string",
    code: Any = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> web.Response:
    """An HF-style error response in one of the shapes the services use."""
    headers = dict(headers or {})
    if shape == "openai":
        body: Any = {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": code,
            }
        }
        body.update(extra or {})
        return web.json_response(body, status=status, headers=headers)
    if shape == "html":
        page = f"<!DOCTYPE html><html><head><title>{status} {message}</title></head><body><h1>{message}</h1></body></html>"
        return web.Response(text=page, status=status, content_type="text/html", headers=headers)
    if shape == "text":
        return web.Response(text=message, status=status, headers=headers)
    if shape == "empty":
        return web.Response(status=status, headers=headers)
    body = {"error": message, **(extra or {})}
    return web.json_response(body, status=status, headers=headers)


def fault_response(fault: Fault) -> web.Response | None:
    """The error response a fault asks for, if it asks for one."""
    if fault.status is None:
        return None
    return hf_error(
        fault.status,
        fault.message,
        shape=fault.shape,
        code=fault.code,
        headers=fault.headers,
        extra=fault.extra,
    )


async def open_sse(
    request: web.Request, headers: Mapping[str, str] | None = None
) -> web.StreamResponse:
    """Start a ``text/event-stream`` response."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", **dict(headers or {})}
    )
    await response.prepare(request)
    return response


async def write_sse(
    response: web.StreamResponse, data: Any, *, space: bool = True, event: str | None = None
) -> None:
    """Write one SSE event; ``data`` that is not a string is JSON-encoded."""
    text = data if isinstance(data, str) else json.dumps(data)
    prefix = f"event: {event}\n" if event else ""
    sep = " " if space else ""
    await response.write(f"{prefix}data:{sep}{text}\n\n".encode())


def cut_connection(request: web.Request) -> None:
    """Drop the TCP connection without finishing the response."""
    transport = request.transport
    if transport is not None:
        transport.abort()


async def stall(seconds: float) -> None:
    """Stay silent (the client's stream timeout should fire first)."""
    await asyncio.sleep(seconds)


class FakeServer:
    """An aiohttp app served on ``127.0.0.1:<free port>`` from a background thread.

    Use as a context manager (``with FakeServer(app) as server: server.url``). Every
    request's host and path are logged in ``server.requests``.
    """

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.requests: list[dict[str, Any]] = []
        self.faults: FaultQueue = app.get("faults") or FaultQueue()
        app["faults"] = self.faults
        app["log"] = self.requests
        app.middlewares.insert(0, _log_middleware)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def setup() -> None:
            self._runner = web.AppRunner(self.app, handle_signals=False, shutdown_timeout=0.5)
            await self._runner.setup()
            site = web.SockSite(self._runner, sock)
            await site.start()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(setup())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-server", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def stop(self) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        loop.close()
        self._loop = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _log_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request.app["log"].append(
        {
            "method": request.method,
            "host": request.host,
            "path": request.path,
            # As sent, still percent-encoded (what a traversal check must look at).
            "raw_path": request.raw_path,
            "query": dict(request.query),
            "headers": dict(request.headers),
        }
    )
    return await handler(request)
