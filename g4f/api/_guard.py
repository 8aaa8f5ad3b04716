"""Checks every request passes before a handler sees its body: the key, header bytes,
``Expect: 100-continue`` and a body that arrives in bounded time and size."""

from __future__ import annotations

import asyncio
import hmac

from aiohttp import web

from ._config import ApiConfig
from ._errors import ApiError, error_body
from ._gui import is_gui_path

__all__ = ["OPEN_PATHS", "BODY_KEY", "check_request_head", "make_expect_handler", "read_body"]

#: Routes answered without the server key (health checks of load balancers).
OPEN_PATHS = frozenset({"/", "/health", "/v1/health"})

_KEY_HEADERS = ("Authorization", "X-Api-Key")
#: Where a middleware that had to read the body leaves it for the handler.
BODY_KEY = "g4f_body"


def _clean(value: str) -> bool:
    """Printable ASCII only: aiohttp decodes header bytes as UTF-8 with surrogate escapes,
    so bytes like ``\\xff\\xfe`` arrive as lone surrogates that cannot be compared or sent."""
    return value.isascii() and value.isprintable()


def _presented_key(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Key") or None


def check_request_head(request: web.Request, config: ApiConfig) -> None:
    """Key and size checks that need only the request head (raises :class:`ApiError`).

    Outside the open (health) paths, a credential header holding anything but printable
    ASCII is refused as an invalid key whether or not the server has a key: it could be
    neither compared nor passed on.
    """
    # The chat page's files load without the key (the page asks for it); its API calls
    # are checked like any other client's.
    guarded = request.path not in OPEN_PATHS and not is_gui_path(request)
    for name in _KEY_HEADERS if guarded else ():
        for value in request.headers.getall(name, ()):
            if not _clean(value):
                raise ApiError(
                    401,
                    f"Invalid API key: the {name} header must be printable ASCII",
                    type="authentication_error",
                    code="invalid_api_key",
                )
    expected = config.api_key
    if expected and guarded:
        presented = _presented_key(request)
        if presented is None:
            raise ApiError(
                401,
                "Missing API key: send 'Authorization: Bearer <key>'",
                type="authentication_error",
                code="missing_api_key",
            )
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            raise ApiError(
                401, "Invalid API key", type="authentication_error", code="invalid_api_key"
            )
    if request.content_length is not None and request.content_length > config.max_body:
        raise _too_large(config)


def _too_large(config: ApiConfig) -> ApiError:
    return ApiError(
        413,
        f"The request body is too large (limit {config.max_body} bytes)",
        code="request_too_large",
    )


def make_expect_handler(config: ApiConfig):  # type: ignore[no-untyped-def]
    """The ``expect_handler`` of every POST route: refuse before ``100 Continue``.

    aiohttp's default handler sends ``100 Continue`` before any middleware runs, which
    invites the client to upload a body the server is about to refuse. This one runs
    the head checks first and answers a refusal (JSON, connection closed) instead.
    """

    async def expect_handler(request: web.Request) -> web.StreamResponse | None:
        expect = request.headers.get("Expect", "")
        try:
            if expect.lower() != "100-continue":
                raise ApiError(
                    417,
                    "Only 'Expect: 100-continue' is supported",
                    code="expectation_failed",
                    param="Expect",
                )
            check_request_head(request, config)
        except ApiError as exc:
            response = web.json_response(
                error_body(exc.message, exc.type, exc.code, exc.param), status=exc.status
            )
            # The body was never invited: close at once instead of draining what follows.
            response.force_close()
            _stop_lingering(request)
            return response
        if request.version >= (1, 1):
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            request.writer.output_size = 0
        return None

    return expect_handler


def _stop_lingering(request: web.Request) -> None:
    """After a refused body, close without first draining what the client still sends."""
    stop = getattr(request.protocol, "stop_lingering", None)
    if stop is not None:
        stop()


async def read_body(request: web.Request, config: ApiConfig) -> bytes:
    """The whole body, or an :class:`ApiError`: 413 past ``max_body``, 408 when it stalls
    for ``body_timeout`` or is not complete within ``body_deadline``, 400 when malformed.

    A body a middleware already read (``request[BODY_KEY]``) is returned again."""
    cached = request.get(BODY_KEY)
    if cached is not None:
        return bytes(cached)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + config.body_deadline
    body = bytearray()
    content = request.content
    while True:
        left = deadline - loop.time()
        wait = min(config.body_timeout, left)
        try:
            if wait <= 0:
                raise asyncio.TimeoutError
            chunk = await asyncio.wait_for(content.readany(), wait)
        except asyncio.TimeoutError:
            _stop_lingering(request)
            if wait < config.body_timeout:
                message = f"The request body did not arrive within {config.body_deadline:g} s"
            else:
                message = f"The request body stalled for {config.body_timeout:g} s"
            raise ApiError(
                408, message, code="request_timeout", headers={"Connection": "close"}
            ) from None
        except Exception:  # noqa: BLE001 - aiohttp's payload errors (bad chunking, cut body)
            _stop_lingering(request)
            raise ApiError(400, "The request body is malformed", code="invalid_body") from None
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > config.max_body:
            # aiohttp drains (and discards) the rest for a while, so that a client still
            # uploading reads the 413 instead of a reset.
            raise _too_large(config)
