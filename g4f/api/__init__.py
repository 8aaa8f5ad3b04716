"""The OpenAI-compatible HTTP server (``g4f api``).

``create_app()`` returns an :class:`aiohttp.web.Application` serving ``/v1/models``,
``/v1/chat/completions`` (JSON or SSE), ``/v1/responses`` (OpenAI's Responses API),
``/v1/messages`` (Anthropic's Messages API), ``/v1/images/generations``,
``/v1/media/generations`` (video), ``/v1/providers`` and ``/health``. This package
is the one place besides :mod:`g4f.requests` that uses aiohttp, and only its server
side (``aiohttp.web``), imported inside :func:`create_app` / :func:`run_api` so that
``import g4f.api`` stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._config import (
    DEFAULT_BODY_DEADLINE,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEPALIVE,
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_SHUTDOWN_TIMEOUT,
    ApiConfig,
)

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["create_app", "run_api", "parse_bind", "DEFAULT_BIND", "DEFAULT_MAX_BODY"]

DEFAULT_BIND = "127.0.0.1:1337"


def create_app(
    api_key: str | None = None,
    cookies_dir: str | os.PathLike[str] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    provider: Any = None,
    media_provider: Any = None,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    disconnect_poll: float = 0.2,
    header_timeout: float = DEFAULT_HEADER_TIMEOUT,
    body_timeout: float = DEFAULT_BODY_TIMEOUT,
    body_deadline: float = DEFAULT_BODY_DEADLINE,
    keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    keepalive: float | None = None,
    response_store: Any = None,
    cors_origins: Sequence[str] | None = None,
    redis_url: str | None = None,
    keys: Any = None,
    admin_key: str | None = None,
) -> web.Application:
    """An aiohttp application serving the OpenAI-compatible API.

    ``api_key``: when set, every route but the health check needs
    ``Authorization: Bearer <api_key>``. ``cookies_dir``: where providers find
    cookie exports and auth caches (set for the whole process, also as
    ``G4F_COOKIES_DIR``). ``max_body``: largest request body in bytes
    (larger ones get 413). ``provider`` / ``media_provider``: the default provider
    (name, class or instance) for chat / media requests that name none (default
    AnyProvider). ``shutdown_timeout``: seconds running requests get to finish when
    the server stops. ``disconnect_poll``: how often (seconds) a waiting request
    checks that its client is still connected.

    ``body_timeout``: longest silence between two pieces of a request body;
    ``body_deadline``: seconds the whole body gets (both answer 408). The connection
    settings ``header_timeout`` (seconds to deliver a request head),
    ``keepalive_timeout`` (idle time between requests) and ``max_connections`` take
    effect when the app is served by :func:`run_api` / ``g4f api``.

    Every log record the process writes from now on is redacted of secrets
    (:func:`g4f.debug.redact_all_logging`).

    ``keepalive``: seconds of upstream silence after which a Responses / Messages stream
    gets a keep-alive (SSE comment or ``ping`` event; default ``G4F_KEEPALIVE`` or 15).
    ``response_store``: where ``/v1/responses`` keeps stored responses (an object with
    async ``get`` / ``put`` / ``delete``; default in memory).
    ``cors_origins``: browser origins allowed to call the API (default
    ``G4F_CORS_ORIGINS``, comma-separated; none: CORS off; ``*`` is refused).

    ``redis_url`` (default ``$G4F_REDIS_URL``): share run-time state (cooldowns, key
    limits, stored responses, HuggingChat conversations) with other workers and
    instances through Redis (docs/deploy.md). ``keys`` (default ``$G4F_KEYS_FILE``): a
    keys file path or a loaded :class:`g4f.api._keys.KeyRing` (per-key limits).
    ``admin_key`` (default ``$G4F_ADMIN_KEY``): the key of ``GET /v1/usage``.
    """
    from .._secrets import add_secret
    from ..debug import redact_all_logging
    from ._app import build_app
    from ._cors import cors_origins_from_env

    origins = tuple(cors_origins) if cors_origins is not None else cors_origins_from_env()
    if "*" in origins:
        raise ValueError("CORS origins must be named (https://app.example), not '*'")
    redis_url = redis_url or os.environ.get("G4F_REDIS_URL") or None
    admin_key = admin_key or os.environ.get("G4F_ADMIN_KEY") or None
    keys = keys or os.environ.get("G4F_KEYS_FILE") or None
    if isinstance(keys, (str, os.PathLike)):
        from ._keys import load_keys

        keys = load_keys(keys)
    config = ApiConfig(
        cors_origins=origins,
        api_key=api_key or None,
        max_body=max_body,
        provider=provider,
        media_provider=media_provider,
        shutdown_timeout=shutdown_timeout,
        disconnect_poll=disconnect_poll,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        body_deadline=body_deadline,
        keepalive_timeout=keepalive_timeout,
        max_connections=max_connections,
        keepalive=_keepalive(keepalive),
        response_store=response_store,
        redis_url=redis_url,
        keys=keys,
        admin_key=admin_key,
    )
    redact_all_logging()

    for secret in (api_key, admin_key):
        if secret:
            add_secret(secret)
    if cookies_dir is not None:
        from ..cookies import set_cookies_dir

        path = os.fspath(cookies_dir)
        set_cookies_dir(path)
        os.environ["G4F_COOKIES_DIR"] = path
    return build_app(config)


def _keepalive(value: float | None) -> float:
    """The keep-alive interval: the argument, else ``G4F_KEEPALIVE``, else 15 s."""
    if value is not None:
        return value
    try:
        return float(os.environ.get("G4F_KEEPALIVE") or DEFAULT_KEEPALIVE)
    except ValueError:
        raise ValueError("G4F_KEEPALIVE must be a number of seconds") from None


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT``, ``:PORT`` or ``PORT``) → ``(host, port)``."""
    from ..errors import InvalidRequestError

    default_host = DEFAULT_BIND.rsplit(":", 1)[0]
    text = bind.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
        if not sep or not port_text:
            raise InvalidRequestError(f"invalid --bind {bind!r}: expected [HOST]:PORT")
    elif ":" in text:
        host, _, port_text = text.rpartition(":")
    else:
        host, port_text = "", text
    try:
        port = int(port_text)
    except ValueError:
        raise InvalidRequestError(f"invalid --bind {bind!r}: the port must be a number") from None
    if not 0 <= port <= 65535:
        raise InvalidRequestError(f"invalid --bind {bind!r}: the port must be 0-65535")
    return host or default_host, port


def run_api(bind: str = DEFAULT_BIND, **kwargs: Any) -> None:
    """Serve :func:`create_app` on ``bind`` until SIGINT/SIGTERM, then shut down gracefully.

    A server must never block a request on an interactive browser login, so the
    automatic HuggingChat login is off unless ``G4F_BROWSER_LOGIN`` says otherwise
    (``g4f login huggingchat`` stores a session the server then uses).
    """
    import asyncio

    os.environ.setdefault("G4F_BROWSER_LOGIN", "0")

    from ._server import serve

    host, port = parse_bind(bind)
    asyncio.run(serve(host, port, **kwargs))
