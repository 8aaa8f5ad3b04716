"""Connection-level defences of ``g4f api``: head deadline, connection cap, JSON for
requests aiohttp's parser refuses, one short log line per malformed request.

aiohttp's :class:`~aiohttp.web.RequestHandler` is the protocol of one client connection
and :class:`~aiohttp.web.Server` makes one per accepted socket; :class:`GuardedRunner`
swaps both for the subclasses below. Only :func:`g4f.api._server.serve` (``g4f api``,
:func:`g4f.api.run_api`) runs them; an application run by another runner still has
every check that lives in the application (key, sizes, body timeouts, validation).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiohttp import web

from ._config import ApiConfig
from ._errors import error_body

__all__ = ["GuardedRunner", "GuardedServer", "GuardedHandler", "raw_error", "transport_error"]

logger = logging.getLogger("g4f.api")

#: Parser failures by exception class (aiohttp's own names, most specific first):
#: status, code, a fixed message. The raw line is never repeated: it may hold a key.
_TRANSPORT_ERRORS: tuple[tuple[str, int, str, str], ...] = (
    ("LineTooLong", 431, "request_header_too_large", "A request line or header is too long"),
    ("BadHttpMethod", 400, "bad_request_line", "The request line is not valid HTTP"),
    ("BadStatusLine", 400, "bad_request_line", "The request line is not valid HTTP"),
    ("InvalidURLError", 400, "bad_request_line", "The request target is not a valid URL"),
    ("ContentLengthError", 400, "invalid_content_length", "The body is shorter than declared"),
    ("TransferEncodingError", 400, "invalid_body", "The chunked body is malformed"),
    ("ContentEncodingError", 400, "invalid_body", "The body's encoding is malformed"),
    ("InvalidHeader", 400, "invalid_header", "A header is malformed"),
)
#: llhttp reports most failures as a plain BadHttpMessage whose first words say why.
_BAD_MESSAGE_REASONS: tuple[tuple[str, int, str, str], ...] = (
    ("too many headers", 431, "too_many_headers", "The request has too many headers"),
    ("content-length", 400, "invalid_content_length", "The Content-Length header is invalid"),
    ("transfer-encoding", 400, "invalid_body", "The Transfer-Encoding header is invalid"),
    ("chunk", 400, "invalid_body", "The chunked body is malformed"),
    ("method", 400, "bad_request_line", "The request line is not valid HTTP"),
    ("version", 400, "bad_request_line", "The request line is not valid HTTP"),
    ("url", 400, "bad_request_line", "The request target is not a valid URL"),
    ("header", 400, "invalid_header", "A header is malformed"),
)


def transport_error(status: int, exc: BaseException | None) -> tuple[int, str, str]:
    """``(status, code, message)`` for a request aiohttp could not parse or handle."""
    if exc is None or status >= 500:
        if status == 504:
            return 504, "timeout", "The request timed out"
        return status, "internal_error", "Internal server error"
    names = {cls.__name__ for cls in type(exc).__mro__}
    for name, code_status, code, message in _TRANSPORT_ERRORS:
        if name in names:
            return code_status, code, message
    # Only the reason llhttp puts before the raw excerpt ("Invalid header value char:").
    reason = str(getattr(exc, "message", "")).split(":", 1)[0].lower()
    for word, code_status, code, message in _BAD_MESSAGE_REASONS:
        if word in reason:
            return code_status, code, message
    return 400, "malformed_request", "The request is not valid HTTP"


_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    431: "Request Header Fields Too Large",
    503: "Service Unavailable",
}


def raw_error(status: int, code: str, message: str) -> bytes:
    """A complete ``Connection: close`` JSON error response, for a connection that has no
    request object to answer through (head deadline, connection cap)."""
    kind = "server_error" if status >= 500 else "invalid_request_error"
    body = json.dumps(error_body(message, kind, code)).encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


class GuardedHandler(web.RequestHandler):
    """One client connection, with a deadline for each request head and JSON errors.

    The head deadline starts when the connection opens, and on a kept-alive connection
    when the first byte of the next request arrives; it is not extended by trickled
    bytes. A connection that sent nothing is closed silently; one that sent part of a
    head gets a 408. Between requests aiohttp's keep-alive timer closes idle connections.
    """

    __slots__ = ("_head_timeout", "_head_handle", "_head_bytes", "last_activity")

    def __init__(self, manager: GuardedServer, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._head_timeout = manager.config.header_timeout
        self._head_handle: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self.last_activity = self._loop.time()

    # -- the head deadline -------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        manager = self._manager
        if isinstance(manager, GuardedServer) and not manager.admit():
            # Refused before aiohttp starts its request task: nothing runs for it.
            self._force_close = True  # data_received ignores anything that still arrives
            transport.write(  # type: ignore[attr-defined]
                raw_error(503, "too_many_connections", "The server has too many open connections")
            )
            transport.close()
            return
        super().connection_made(transport)
        self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        self._head_bytes = 0
        self._head_handle = self._loop.call_later(self._head_timeout, self._head_expired)

    def _cancel_head_timer(self) -> None:
        if self._head_handle is not None:
            self._head_handle.cancel()
            self._head_handle = None

    def awaiting_head(self) -> bool:
        """Whether the connection is between requests (nothing is being answered)."""
        return not self._messages and not self._request_in_progress

    def data_received(self, data: bytes) -> None:
        self.last_activity = self._loop.time()
        waiting = self.awaiting_head()
        if waiting and data and self._head_handle is None:
            self._arm_head_timer()  # the next request on a kept-alive connection begins
        if waiting:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._messages:
            self._cancel_head_timer()

    def _head_expired(self) -> None:
        self._head_handle = None
        transport = self.transport
        if transport is None or not self.awaiting_head():
            return
        if self._head_bytes:
            logger.info(
                "closing a connection from %s: no complete request head within %g s",
                self._peer(),
                self._head_timeout,
            )
            transport.write(
                raw_error(
                    408,
                    "request_timeout",
                    f"The request head did not arrive within {self._head_timeout:g} s",
                )
            )
        self.force_close()

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    # -- eviction and refusal (called by the server) -----------------------------------

    def evict(self) -> None:
        """Close this idle connection to make room for a new one."""
        self._cancel_head_timer()
        self.force_close()

    def stop_lingering(self) -> None:
        """Close right after the current answer instead of draining an unread body.

        Used after a body was refused (too large, stalled): aiohttp would otherwise keep
        reading for ``lingering_time`` seconds so that the client sees the answer.
        """
        self._lingering_time = 0.0

    # -- malformed requests -------------------------------------------------------------

    def _peer(self) -> str:
        peer = self.peername
        return str(peer[0]) if isinstance(peer, tuple) else "a client"

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """An OpenAI-shaped JSON answer and one short log line, never a traceback.

        aiohttp calls this for a request its parser refused (and for failures outside
        the application's middlewares); its own version logs the exception with the raw
        header line, which may hold an ``Authorization`` value, and answers plain text.
        """
        status, code, text = transport_error(status, exc)
        kind = type(exc).__name__ if exc is not None else "error"
        if status >= 500:
            logger.warning("request from %s failed: %d %s (%s)", self._peer(), status, code, kind)
        else:
            logger.info("malformed request from %s: %d %s (%s)", self._peer(), status, code, kind)
        if request.writer.output_size > 0:
            raise ConnectionError("the answer had started; the connection is closed")
        error_type = "server_error" if status >= 500 else "invalid_request_error"
        response = web.json_response(error_body(text, error_type, code), status=status)
        response.force_close()
        return response


class GuardedServer(web.Server):
    """Makes a :class:`GuardedHandler` per connection and holds at most
    ``max_connections`` of them.

    At the limit, a new connection takes the place of the idlest connection that is not
    in the middle of a request (one that has sent nothing for longest goes first); when
    every connection is busy, the new one gets a 503 and is closed. The first time the
    limit is reached one warning is logged; another follows only after the number of
    connections fell below 90 % of the limit (with how many were closed meanwhile).
    """

    def __init__(self, handler: Any, *, config: ApiConfig, max_connections: int, **kwargs: Any):
        super().__init__(handler, **kwargs)
        self.config = config
        self.max_connections = max_connections
        self.evicted = 0
        self.refused = 0
        self._at_limit = False
        # Connections with an open socket. aiohttp's own table keeps a connection until
        # its request task has finished, which can be after the socket is gone.
        self._live: set[web.RequestHandler] = set()

    def __call__(self) -> GuardedHandler:
        # aiohttp's Server.__call__ with the protocol class swapped (same handler kwargs).
        return GuardedHandler(self, loop=self._loop, **self._kwargs)

    def admit(self) -> bool:
        """Whether a new connection may open: at the limit, the idlest idle connection is
        closed to make room; False when every open connection is busy."""
        live = self._live
        if len(live) < self.max_connections:
            return True
        self._limit_reached()
        idle = [h for h in live if isinstance(h, GuardedHandler) and h.awaiting_head()]
        if not idle:
            self.refused += 1
            return False
        victim = min(idle, key=lambda h: h.last_activity)
        live.discard(victim)
        victim.evict()
        self.evicted += 1
        return True

    def connection_made(self, handler: web.RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self._live.add(handler)

    def _limit_reached(self) -> None:
        if not self._at_limit:
            self._at_limit = True
            logger.warning(
                "g4f api: %d open connections, the limit (--max-connections, "
                "G4F_MAX_CONNECTIONS): closing idle connections for new ones, refusing "
                "new ones with 503 while all are busy",
                self.max_connections,
            )

    def connection_lost(
        self, handler: web.RequestHandler, exc: BaseException | None = None
    ) -> None:
        super().connection_lost(handler, exc)
        self._live.discard(handler)
        if self._at_limit and len(self._live) < self.max_connections * 0.9:
            self._at_limit = False
            logger.warning(
                "g4f api: below the connection limit again (%d idle connections closed, "
                "%d refused so far)",
                self.evicted,
                self.refused,
            )


class GuardedRunner(web.AppRunner):
    """An :class:`~aiohttp.web.AppRunner` whose server is a :class:`GuardedServer`."""

    def __init__(
        self, app: web.Application, config: ApiConfig, max_connections: int, **kwargs: Any
    ):
        kwargs.setdefault("access_log", None)
        super().__init__(app, keepalive_timeout=config.keepalive_timeout, **kwargs)
        self._guard = (config, max_connections)

    async def _make_server(self) -> web.Server:
        # The application's own server brings its handler and request factory; only the
        # protocol class and the connection bookkeeping change.
        plain = await super()._make_server()
        config, max_connections = self._guard
        return GuardedServer(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            config=config,
            max_connections=max_connections,
            **plain._kwargs,
        )
