"""Assembling the aiohttp application: middlewares (errors, key check, size limit) and routes."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..debug import logger
from ._config import ApiConfig
from ._errors import ApiError, error_body, error_payload
from ._pool import install_pool
from ._routes import Routes
from ._stream import ClientGone, Inflight

__all__ = ["build_app", "CONFIG_KEY", "INFLIGHT_KEY"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONFIG_KEY: web.AppKey[ApiConfig] = web.AppKey("g4f_config", ApiConfig)
INFLIGHT_KEY: web.AppKey[Inflight] = web.AppKey("g4f_inflight", Inflight)

#: Routes answered without the server key (health checks of load balancers).
_OPEN_PATHS = frozenset({"/", "/health", "/v1/health"})

_HTTP_CODES = {
    404: ("not_found", "No such route"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("request_too_large", "The request body is too large"),
}


def json_error(
    status: int, body: dict[str, object], headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure leaves as an OpenAI-shaped JSON error, never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = _HTTP_CODES.get(exc.status, ("http_error", exc.reason))
        kind = "invalid_request_error" if exc.status < 500 else "server_error"
        return json_error(exc.status, error_body(message, kind, code))
    except ClientGone:
        logger.debug("client went away before the answer was ready: %s", request.path)
        return web.Response(status=499)
    except Exception as exc:  # noqa: BLE001 - the single place errors are turned into answers
        status, body, headers = error_payload(exc)
        if status >= 500 and status != 502:
            logger.warning(
                "%s %s failed: %s: %s", request.method, request.path, type(exc).__name__, exc
            )
        return json_error(status, body, headers)


def _presented_key(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-Api-Key") or None


def make_auth_middleware(
    config: ApiConfig,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Requires the server key (constant-time compare) on every route but health."""
    expected = (config.api_key or "").encode()

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if expected and request.path not in _OPEN_PATHS:
            presented = _presented_key(request)
            if presented is None:
                raise ApiError(
                    401,
                    "Missing API key: send 'Authorization: Bearer <key>'",
                    type="authentication_error",
                    code="missing_api_key",
                )
            if not hmac.compare_digest(presented.encode(), expected):
                raise ApiError(
                    401, "Invalid API key", type="authentication_error", code="invalid_api_key"
                )
        if request.content_length is not None and request.content_length > config.max_body:
            raise ApiError(
                413,
                f"The request body is too large (limit {config.max_body} bytes)",
                code="request_too_large",
            )
        return await handler(request)

    return auth_middleware


def build_app(config: ApiConfig) -> web.Application:
    """The application for ``config`` (see :func:`g4f.api.create_app`)."""
    app = web.Application(
        middlewares=[errors_middleware, make_auth_middleware(config)],
        client_max_size=config.max_body,
    )
    inflight = Inflight(poll=config.disconnect_poll)
    app[CONFIG_KEY] = config
    app[INFLIGHT_KEY] = inflight
    Routes(config, inflight).register(app)
    install_pool(app)

    async def on_shutdown(app: web.Application) -> None:
        await inflight.drain(config.shutdown_timeout)

    app.on_shutdown.append(on_shutdown)
    return app
