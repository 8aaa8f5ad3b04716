"""CORS for browser clients (off unless origins are configured) and the access log.

CORS: a preflight ``OPTIONS`` from an allowed origin answers 204 without the server
key, echoing that origin (never ``*``, so credentials can be sent) with the methods
and headers the API uses; every other response to an allowed origin carries
``Access-Control-Allow-Origin`` too (added before headers are sent, so streams get it).
A disallowed origin gets no CORS headers at all, and the browser blocks it.

Access log: one line per request, ``METHOD route status model provider duration
bytes``; the route is the matched pattern (``/v1/models/{model}``), never the raw
path, so ids in a path do not reach the log; the line passes the redacting filter of
the ``g4f`` logger.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

__all__ = [
    "cors_middleware",
    "add_cors_headers",
    "cors_origins_from_env",
    "AccessLogger",
    "ACCESS_LOGGER",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ALLOW_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOW_HEADERS = (
    "Authorization, Content-Type, X-Api-Key, Anthropic-Version, Anthropic-Beta, "
    "OpenAI-Organization, OpenAI-Project, X-Stainless-Lang, X-Stainless-Package-Version, "
    "X-Stainless-OS, X-Stainless-Arch, X-Stainless-Runtime, X-Stainless-Runtime-Version, "
    "X-Stainless-Retry-Count, X-Stainless-Timeout"
)
MAX_AGE = "600"


def cors_origins_from_env() -> tuple[str, ...]:
    """``G4F_CORS_ORIGINS``: comma-separated origins (``https://app.example``)."""
    raw = os.environ.get("G4F_CORS_ORIGINS", "")
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def cors_middleware(
    origins: Iterable[str],
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Answers preflights of allowed origins (before the key check)."""
    allowed = frozenset(o.rstrip("/") for o in origins)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if (
            request.method == "OPTIONS"
            and origin in allowed
            and "Access-Control-Request-Method" in request.headers
        ):
            return web.Response(
                status=204,
                headers={
                    "Access-Control-Allow-Origin": origin,
                    "Access-Control-Allow-Methods": ALLOW_METHODS,
                    "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Allow-Credentials": "true",
                    "Access-Control-Max-Age": MAX_AGE,
                    "Vary": "Origin",
                },
            )
        return await handler(request)

    return middleware


def add_cors_headers(
    origins: Iterable[str],
) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An ``on_response_prepare`` hook adding the origin headers to every response."""
    allowed = frozenset(o.rstrip("/") for o in origins)

    async def hook(request: web.Request, response: web.StreamResponse) -> None:
        origin = request.headers.get("Origin")
        if origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Expose-Headers"] = "Retry-After, X-Request-Id"
            response.headers.add("Vary", "Origin")

    return hook


ACCESS_LOGGER = logging.getLogger("g4f.access")


class AccessLogger(web.AbstractAccessLogger):
    """``g4f api``'s one line per request (see the module docstring)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        pattern = _route_pattern(request)
        model = _field(request, "g4f_model")
        provider = _field(request, "g4f_provider")
        self.logger.info(
            "%s %s %s model=%s provider=%s %.3fs %sB",
            request.method,
            pattern,
            response.status,
            model,
            provider,
            time,
            response.body_length,
        )


def _route_pattern(request: web.BaseRequest) -> str:
    """The matched route's pattern; ``-`` for a request that never reached the router (a
    malformed one answered by the connection handler has no match info at all)."""
    try:
        resource = request.match_info.route.resource  # type: ignore[attr-defined]
    except (AttributeError, AssertionError):
        return "-"
    return resource.canonical if resource is not None else "-"


def _field(request: web.BaseRequest, name: str) -> str:
    try:
        value = request.get(name)
    except Exception:  # noqa: BLE001 - a request that never reached a handler has none
        value = None
    return str(value) if value else "-"
