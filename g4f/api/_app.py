"""Assembling the aiohttp application: middlewares (errors, key check, size limit) and routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ..debug import logger
from ._config import ApiConfig
from ._cors import add_cors_headers, cors_middleware
from ._errors import error_body, error_payload
from ._guard import check_request_head
from ._gui import register_gui
from ._messages import MessagesApi, anthropic_errors
from ._pool import install_pool
from ._response_store import MemoryResponseStore
from ._responses import ResponsesApi
from ._routes import Routes
from ._scaling import install, response_store
from ._stream import ClientGone, Inflight

__all__ = ["build_app", "CONFIG_KEY", "INFLIGHT_KEY"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONFIG_KEY: web.AppKey[ApiConfig] = web.AppKey("g4f_config", ApiConfig)
INFLIGHT_KEY: web.AppKey[Inflight] = web.AppKey("g4f_inflight", Inflight)

_HTTP_CODES = {
    404: ("not_found", "No such route"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("request_too_large", "The request body is too large"),
    417: ("expectation_failed", "Only 'Expect: 100-continue' is supported"),
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


def make_auth_middleware(
    config: ApiConfig,
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Requires the server key (constant-time compare) on every route but health, and
    refuses a declared body above ``max_body`` before reading it."""

    @web.middleware
    async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        check_request_head(request, config)
        return await handler(request)

    return auth_middleware


def build_app(config: ApiConfig) -> web.Application:
    """The application for ``config`` (see :func:`g4f.api.create_app`)."""
    middlewares = [errors_middleware, anthropic_errors, make_auth_middleware(config)]
    if config.cors_origins:
        # Preflights are answered before the key check: browsers send them without it.
        middlewares.insert(0, cors_middleware(config.cors_origins))
    app = web.Application(middlewares=middlewares, client_max_size=config.max_body)
    if config.cors_origins:
        app.on_response_prepare.append(add_cors_headers(config.cors_origins))
    inflight = Inflight(poll=config.disconnect_poll)
    app[CONFIG_KEY] = config
    app[INFLIGHT_KEY] = inflight
    install(app, config)  # shared store, API keys with limits, /v1/usage
    routes = Routes(config, inflight)
    routes.register(app)
    store = response_store(config)
    if store is None:  # not `or`: an empty store is falsy (it has a length)
        store = MemoryResponseStore()
    ResponsesApi(routes, store, config.keepalive).register(app)
    MessagesApi(routes, config.keepalive).register(app)
    register_gui(app)
    install_pool(app)

    async def on_shutdown(app: web.Application) -> None:
        await inflight.drain(config.shutdown_timeout)

    app.on_shutdown.append(on_shutdown)
    return app
