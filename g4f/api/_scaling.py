"""What lets several workers and instances act as one server: the shared store, API keys
with limits, ``GET /v1/usage`` and the Responses store on the shared backend.

:func:`install` is called by :func:`g4f.api._app.build_app`; each part is off unless
configured (``redis_url``, ``keys``, ``admin_key`` in :class:`ApiConfig`), so a
single-user server pays nothing for it.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from ..debug import logger
from ..state import get_store, set_store
from ._config import ApiConfig
from ._errors import ApiError
from ._guard import BODY_KEY, OPEN_PATHS, _presented_key, read_body
from ._keys import ApiKey, KeyRing, digest
from ._limits import Limiter
from ._response_store import DEFAULT_TTL

__all__ = ["install", "StateResponseStore", "count_stream_tokens", "USAGE_PATH"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

USAGE_PATH = "/v1/usage"
KEY_KEY = "g4f_key"
TOKENS_KEY = "g4f_tokens"


class StateResponseStore:
    """The Responses store (:class:`g4f.api._response_store.ResponseStore`) on the run-time
    store: in Redis when the server shares state, so ``previous_response_id`` works on
    any worker."""

    def __init__(self, ttl: float = DEFAULT_TTL) -> None:
        self.ttl = ttl

    async def get(self, key: str) -> dict[str, Any] | None:
        value = await get_store().aget(f"resp:{key}")
        return value if isinstance(value, dict) else None

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        await get_store().aset(f"resp:{key}", value, self.ttl if ttl is None else ttl)

    async def delete(self, key: str) -> bool:
        store = get_store()
        existed = await store.aget(f"resp:{key}") is not None
        await store.adelete(f"resp:{key}")
        return existed


def response_store(config: ApiConfig) -> Any:
    """The configured store, the shared one with Redis, else ``None`` (in-process default)."""
    if config.response_store is not None:
        return config.response_store
    return StateResponseStore() if config.redis_url else None


def _unauthorized(message: str, code: str) -> ApiError:
    return ApiError(401, message, type="authentication_error", code=code)


def _tokens_of(response: web.StreamResponse) -> int:
    """Tokens reported by a JSON answer's ``usage`` (chat, Responses, Messages shapes)."""
    body = getattr(response, "body", None)
    if response.status != 200 or not isinstance(body, bytes) or not body.startswith(b"{"):
        return 0
    try:
        usage = json.loads(body).get("usage")
    except ValueError:
        return 0
    if not isinstance(usage, dict):
        return 0
    total = usage.get("total_tokens")
    if isinstance(total, int):
        return total
    parts = [usage.get(k) for k in ("input_tokens", "output_tokens", "prompt_tokens")]
    return sum(p for p in parts if isinstance(p, int))


async def count_stream_tokens(
    request: web.Request, chunks: AsyncIterator[Any], prompt_tokens: int
) -> AsyncIterator[Any]:
    """Pass ``chunks`` through, leaving the answer's token count in the request for the
    key's counters: the provider's ``usage`` when it reports one, else the prompt
    estimate plus one per content chunk. Used only when API keys are configured."""
    last = None
    count = 0
    try:
        async for chunk in chunks:
            last = chunk
            count += 1
            yield chunk
    finally:
        usage = getattr(last, "usage", None)
        total = getattr(usage, "total_tokens", None)
        request[TOKENS_KEY] = total if isinstance(total, int) and total else prompt_tokens + count


def _keys_middleware(
    ring: KeyRing, limiter: Limiter, config: ApiConfig
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def keys_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS or request.path == USAGE_PATH or request.method == "OPTIONS":
            return await handler(request)
        presented = _presented_key(request)
        if presented is None:
            raise _unauthorized(
                "Missing API key: send 'Authorization: Bearer <key>' or 'x-api-key'",
                "missing_api_key",
            )
        key = ring.find(presented)
        if key is None:
            raise _unauthorized("Invalid API key", "invalid_api_key")
        if key.models is not None and request.method == "POST":
            await _check_model(request, key, config)
        await limiter.admit(key)
        request[KEY_KEY] = key
        response = await handler(request)
        limiter.record(key, request.get(TOKENS_KEY) or _tokens_of(response))
        return response

    return keys_middleware


async def _check_model(request: web.Request, key: ApiKey, config: ApiConfig) -> None:
    """A key limited to some models may name only those (403 otherwise)."""
    body = await read_body(request, config)
    # The handler reads the body again: read_body() and aiohttp's request.read() return
    # these bytes.
    request[BODY_KEY] = body
    request._read_bytes = body  # noqa: SLF001
    try:
        model = json.loads(body).get("model") if body else None
    except (ValueError, AttributeError):
        return  # the handler reports the malformed body
    if isinstance(model, str) and model not in key.models:  # type: ignore[operator]
        raise ApiError(
            403,
            f"The API key '{key.name}' may not use model '{model}'",
            type="permission_error",
            code="model_not_allowed",
            param="model",
        )


def _usage_route(
    ring: KeyRing, limiter: Limiter, admin_key: str
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = digest(admin_key)  # only the digest is kept, as for the keys file

    async def usage(request: web.Request) -> web.Response:
        presented = _presented_key(request)
        if presented is None:
            raise _unauthorized("Missing admin key", "missing_api_key")
        if not hmac.compare_digest(digest(presented), expected):
            raise _unauthorized("Invalid admin key", "invalid_api_key")
        await limiter.flush()
        return web.json_response({"object": "list", "data": await limiter.usage(ring)})

    return usage


def install(app: web.Application, config: ApiConfig) -> None:
    """Wire the shared store, the keys middleware and ``/v1/usage`` into ``app``."""
    if config.redis_url:
        _install_store(app, config.redis_url)
    ring: KeyRing | None = config.keys
    if ring is not None and config.api_key:
        # The server key stays valid, as a key without limits named "default".
        ring = KeyRing([*ring.keys, ApiKey("default", digest(config.api_key))])
        config.keys = ring
        config.api_key = None  # the keys middleware checks every key now
    limiter = Limiter()
    if ring is not None:
        app.middlewares.append(_keys_middleware(ring, limiter, config))
    if config.admin_key:
        app.router.add_get(USAGE_PATH, _usage_route(ring or KeyRing([]), limiter, config.admin_key))

    async def flush(app: web.Application) -> None:
        await limiter.flush()

    app.on_shutdown.append(flush)


def _install_store(app: web.Application, url: str) -> None:
    from ..state_redis import SharedStore

    store = SharedStore(url)
    previous = set_store(store)

    async def connect(app: web.Application) -> None:
        if not await store.connect():
            logger.warning(
                "g4f api: started WITHOUT shared state (Redis at %s unreachable); "
                "/health says 'degraded' until it connects",
                store.display,
            )

    async def close(app: web.Application) -> None:
        await store.close()
        if get_store() is store:
            set_store(previous)

    app.on_startup.append(connect)
    app.on_cleanup.append(close)
