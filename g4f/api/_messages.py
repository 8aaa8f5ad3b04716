"""``POST /v1/messages`` and ``POST /v1/messages/count_tokens``: Anthropic's Messages API.

The body is mapped to a chat request by :mod:`g4f.protocols.anthropic`, answered by
the same client call as the chat route, and rendered by
:mod:`g4f.protocols.anthropic_events`. Every error on these routes (body, key,
size, provider) leaves in Anthropic's shape
``{"type": "error", "error": {"type", "message"}}`` with Anthropic's status, so
the ``anthropic`` SDK raises its own exception classes. The key may come as
``x-api-key`` (Anthropic's header) or ``Authorization: Bearer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from .._secrets import add_secret
from ..debug import logger
from ..protocols._common import FieldError, frame
from ..protocols.anthropic import error_body, error_status, parse_messages_request
from ..protocols.anthropic_events import PING, MessagesEncoder
from ..protocols.tokens import estimate_messages
from ._errors import ApiError, error_payload
from ._events import StopMatcher, collect, encode, stream_events
from ._guard import make_expect_handler
from ._schema import parse_json
from ._stream import ClientGone

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from ._routes import Routes

__all__ = ["MessagesApi", "anthropic_errors"]

_PREFIX = "/v1/messages"


def _anthropic_error(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Status, Anthropic error body and headers (``Retry-After`` kept) for any error."""
    code = None
    if isinstance(exc, web.HTTPException):
        status, message, headers = exc.status, exc.reason, {}
    else:
        status, body, headers = error_payload(exc)
        message, code = body["error"]["message"], body["error"]["code"]
    status, kind = error_status(status, code)
    return status, error_body(kind, message), headers


@web.middleware
async def anthropic_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """On the Messages routes, every error is answered in Anthropic's shape."""
    path = request.path
    if path != _PREFIX and not path.startswith(_PREFIX + "/"):
        return await handler(request)
    try:
        return await handler(request)
    except ClientGone:
        raise
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        status, body, headers = _anthropic_error(exc)
    except Exception as exc:  # noqa: BLE001 - the Messages routes' one error exit
        status, body, headers = _anthropic_error(exc)
        if status >= 500 and not isinstance(exc, ApiError):
            logger.warning("%s %s failed: %s: %s", request.method, path, type(exc).__name__, exc)
    return web.json_response(body, status=status, headers=headers)


def _caller_key(routes: Routes, request: web.Request) -> str | None:
    """A caller's own HF token (``Bearer hf_…`` or ``x-api-key: hf_…``) when the server has no key."""
    key = routes._provider_key(request)
    if key or routes.config.api_key:
        return key
    value = request.headers.get("X-Api-Key", "").strip()
    if value.startswith("hf_"):
        add_secret(value)
        return value
    return None


def _parse(raw: bytes, *, count_only: bool = False) -> Any:
    try:
        return parse_messages_request(parse_json(raw), count_only=count_only)
    except FieldError as exc:
        raise ApiError(400, str(exc), param=exc.param) from None


class MessagesApi:
    """The Messages routes, sharing the chat route's client and in-flight tasks."""

    def __init__(self, routes: Routes, keepalive: float) -> None:
        self.routes = routes
        self.keepalive = keepalive

    def register(self, app: web.Application) -> None:
        # Refuse an oversized or unauthorised upload before 100 Continue, as every POST route.
        expect = make_expect_handler(self.routes.config)
        app.router.add_post(_PREFIX, self.create, expect_handler=expect)
        app.router.add_post(_PREFIX + "/count_tokens", self.count_tokens, expect_handler=expect)

    async def create(self, request: web.Request) -> web.StreamResponse:
        body = _parse(await request.read())
        params = dict(body.params)
        key = _caller_key(self.routes, request)
        if key:
            params["api_key"] = key
        chunks = self.routes.client.chat.completions.create(
            body.messages, body.model, body.provider, stream=True, **params
        )
        encoder = MessagesEncoder(body, estimate_messages(body.messages, params.get("tools")))
        # Stop sequences are matched here rather than upstream, so the answer can say
        # which one ended it (an upstream that stops on its own does not tell).
        stops = StopMatcher(body.stop_sequences) if body.stop_sequences else None
        batches = encode(encoder, chunks, stops)
        inflight = self.routes.inflight
        if not body.stream:
            await inflight.run(request, collect(batches))
            return web.json_response(encoder.message())

        def on_error(exc: BaseException) -> list[dict[str, Any]]:
            return [_anthropic_error(exc)[1]]

        return await inflight.run(
            request,
            stream_events(
                request, inflight, batches, encoder.start(), on_error, frame(PING), self.keepalive
            ),
        )

    async def count_tokens(self, request: web.Request) -> web.Response:
        """``{"input_tokens": N}``: g4f's estimate (see :mod:`g4f.protocols.tokens`)."""
        body = _parse(await request.read(), count_only=True)
        return web.json_response(
            {"input_tokens": estimate_messages(body.messages, body.params.get("tools"))}
        )
