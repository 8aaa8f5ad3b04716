"""A fault-injecting HTTP proxy that sits in front of any fake service.

``ChaosProxy(upstream_url)`` forwards every request to the fake (Host header kept,
so URLs the fake builds point back at the proxy) and streams the answer back line
by line. Scripted :class:`Chaos` entries make the next matching request misbehave at
the transport level, the same way for every protocol: reset before the headers, an
error status with any body, a replaced 200 body (wrong content type, empty, one
gigantic line), a cut or a stall after N lines, a slow drip, or raw bytes injected
into the real stream (a malformed line, an in-band error in the protocol's shape).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from tests.fakes.server import FakeServer, FaultQueue, cut_connection

__all__ = ["Chaos", "ChaosProxy"]

_HOP_HEADERS = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "accept-encoding",
    "content-encoding",
}
_PIECE = 64 * 1024


@dataclass
class Chaos:
    """One misbehaviour for the next request whose path contains ``path`` (any when None).

    Line faults count the upstream body's non-blank lines, or only those containing
    ``count_only`` when it is set (e.g. the token lines of a stream with keep-alives).
    """

    path: str | None = None
    times: int = 1
    reset: bool = False
    status: int | None = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    cut_after: int | None = None
    stall_after: int | None = None
    stall: float = 0.0
    drip: float = 0.0
    inject_after: int | None = None
    inject: bytes = b""
    replace_content_type: str | None = None
    count_only: bytes | None = None

    @property
    def streams(self) -> bool:
        """Whether the upstream answer has to be rewritten line by line."""
        return (
            self.cut_after is not None
            or self.stall_after is not None
            or self.inject_after is not None
            or self.drip > 0
        )


class ChaosProxy:
    """A proxy on 127.0.0.1 in front of ``upstream``; ``add(...)`` scripts the next faults."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        # FaultQueue only needs ``path`` and ``times``: it hands out Chaos entries as well.
        self._chaos = FaultQueue()
        self.hits: list[tuple[str, Chaos | None]] = []
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app["proxy"] = self
        app.cleanup_ctx.append(_client_session)
        app.router.add_route("*", "/{tail:.*}", _forward)
        self.server = FakeServer(app)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    def add(self, chaos: Chaos | None = None, **kwargs: Any) -> Chaos:
        """Script a fault (a :class:`Chaos` or its fields)."""
        chaos = chaos or Chaos(**kwargs)
        self._chaos.add(chaos)  # type: ignore[arg-type]
        return chaos

    def clear(self) -> None:
        self._chaos.clear()

    def take(self, path: str) -> Chaos | None:
        return self._chaos.take(path)  # type: ignore[return-value]

    def __enter__(self) -> ChaosProxy:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


async def _client_session(app: web.Application) -> Any:
    app["client"] = aiohttp.ClientSession(
        auto_decompress=False, timeout=aiohttp.ClientTimeout(total=None, sock_read=None)
    )
    yield
    await app["client"].close()


async def _forward(request: web.Request) -> web.StreamResponse:
    proxy: ChaosProxy = request.app["proxy"]
    chaos = proxy.take(request.path)
    proxy.hits.append((request.path, chaos))
    if chaos is not None:
        early = await _early(request, chaos)
        if early is not None:
            return early
    headers = CIMultiDict(
        (k, v) for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS
    )
    headers["Host"] = request.host
    body = await request.read()
    client: aiohttp.ClientSession = request.app["client"]
    async with client.request(
        request.method,
        proxy.upstream + request.path_qs,
        headers=headers,
        data=body or None,
        allow_redirects=False,
    ) as upstream:
        out_headers = CIMultiDict(
            (k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_HEADERS
        )
        if chaos is not None and chaos.replace_content_type is not None:
            out_headers["Content-Type"] = chaos.replace_content_type
        response = web.StreamResponse(status=upstream.status, headers=out_headers)
        await response.prepare(request)
        try:
            if chaos is not None and chaos.streams:
                await _rewrite(request, response, upstream, chaos)
            else:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
            await response.write_eof()
        except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError):
            cut_connection(request)  # the fake cut its answer: cut ours too
        except (ConnectionError, RuntimeError):
            pass  # the client went away; leaving the block closes the upstream request
        return response


async def _early(request: web.Request, chaos: Chaos) -> web.StreamResponse | None:
    """The answer of a fault that never reaches the upstream, if it is one."""
    if chaos.reset:
        cut_connection(request)
        return web.Response()
    if chaos.status is not None:
        return web.Response(
            status=chaos.status,
            body=chaos.body,
            headers={"Content-Type": chaos.content_type, **chaos.headers},
        )
    if chaos.raw is None:
        return None
    response = web.StreamResponse(headers={"Content-Type": chaos.content_type, **chaos.headers})
    await response.prepare(request)
    try:
        for start in range(0, len(chaos.raw), _PIECE):
            await response.write(chaos.raw[start : start + _PIECE])
            if chaos.drip:
                await asyncio.sleep(chaos.drip)
        await response.write_eof()
    except (ConnectionError, RuntimeError):
        pass
    return response


async def _rewrite(
    request: web.Request,
    response: web.StreamResponse,
    upstream: aiohttp.ClientResponse,
    chaos: Chaos,
) -> None:
    """Forward the upstream body line by line, applying the line faults.

    The last line counts too when the body does not end with a newline (a JSON answer).
    """
    count = 0

    async def forward(line: bytes, end: bytes) -> None:
        nonlocal count
        if not line.strip() or (chaos.count_only is not None and chaos.count_only not in line):
            await response.write(line + end)
            return
        if chaos.cut_after is not None and count >= chaos.cut_after:
            cut_connection(request)
            raise ConnectionResetError("cut by chaos")
        if chaos.stall_after is not None and count == chaos.stall_after:
            await asyncio.sleep(chaos.stall)
        if chaos.inject_after is not None and count == chaos.inject_after:
            await response.write(chaos.inject)
        if chaos.drip:
            await asyncio.sleep(chaos.drip)
        await response.write(line + end)
        count += 1

    buffer = b""
    async for chunk in upstream.content.iter_any():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            await forward(line, b"\n")
    if buffer:
        await forward(buffer, b"")
