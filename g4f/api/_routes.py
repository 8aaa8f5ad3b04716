"""The HTTP routes: models, providers, chat completions, image and video generation, health."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .._secrets import add_secret
from ..client import AsyncClient
from ..errors import G4FError
from ..model_tables import VIDEO_ALIASES
from ..protocols.tokens import estimate_messages
from ..state import get_store
from ..version import __version__
from ._config import ApiConfig
from ._conversations import HEADER as CONVERSATION_HEADER
from ._conversations import ConversationMap, check_conversation_id
from ._errors import ApiError
from ._guard import make_expect_handler, read_body
from ._payloads import completion_payload, images_payload, models_payload
from ._scaling import KEY_KEY, count_stream_tokens
from ._schema import parse_chat, parse_json, parse_media
from ._stream import Inflight, stream_response

__all__ = ["Routes", "PINNED_PREFIX"]

#: Routes under this prefix use the provider named in the path.
PINNED_PREFIX = "/api/{provider}"

CONVERSATION_KEY = "g4f_conversation"


class Routes:
    """Request handlers sharing one client and one set of in-flight tasks."""

    def __init__(self, config: ApiConfig, inflight: Inflight) -> None:
        self.config = config
        self.inflight = inflight
        self.client = AsyncClient(provider=config.provider, media_provider=config.media_provider)
        self.conversations = ConversationMap()

    def register(self, app: web.Application) -> None:
        app.on_response_prepare.append(_conversation_header)
        app.router.add_get("/", self.health)
        app.router.add_get("/health", self.health)
        app.router.add_get("/v1/health", self.health)
        add = self.adder(app)
        add("GET", "/v1/models", self.models)
        app.router.add_get("/v1/models/{model:.+}", self.model)
        app.router.add_get("/v1/providers", self.providers)
        app.router.add_get("/v1/providers/{name}", self.provider)
        add("POST", "/v1/chat/completions", self.chat)
        add("POST", "/v1/images/generations", self.images)
        add("POST", "/v1/media/generations", self.media)
        from ._tasks import TaskRoutes

        TaskRoutes(self).register(add)

    def adder(self, app: web.Application) -> Any:
        """``add(method, path, handler)``: the route, and its twin under
        ``/api/{provider}`` that pins the provider without a body field (as gpt4free).

        Every POST route refuses an oversized or unauthorised upload before 100 Continue.
        """
        expect = make_expect_handler(self.config)

        def add(method: str, path: str, handler: Any) -> None:
            extra = {"expect_handler": expect} if method == "POST" else {}
            app.router.add_route(method, path, handler, **extra)
            app.router.add_route(method, PINNED_PREFIX + path, handler, **extra)

        return add

    def pinned(self, request: web.Request) -> str | None:
        """The provider named in an ``/api/{provider}/...`` path (checked to exist)."""
        name = request.match_info.get("provider")
        if name is None:
            return None
        from ..errors import ProviderNotFoundError
        from ..Provider import get_provider

        try:
            return get_provider(name).__name__
        except ProviderNotFoundError:
            raise ApiError(
                404, f"Provider not found: {name}", code="provider_not_found", param="provider"
            ) from None

    async def _body(self, request: web.Request) -> dict[str, Any]:
        return parse_json(await read_body(request, self.config))

    def _provider_key(self, request: web.Request) -> str | None:
        """A caller's own HF token (``Bearer hf_...``), used only when the server has no key."""
        if self.config.api_key or self.config.keys is not None:
            return None
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and value.startswith("hf_"):
            add_secret(value)
            return value
        return None

    async def health(self, request: web.Request) -> web.Response:
        # status "degraded" (store "memory") while a configured Redis is unreachable.
        return web.json_response(
            {**get_store().health(), "version": __version__, "inflight": len(self.inflight.tasks)}
        )

    async def models(self, request: web.Request) -> web.Response:
        pinned = self.pinned(request)
        client = self.client if pinned is None else AsyncClient(provider=pinned)
        return web.json_response(models_payload(client.models.list()))

    async def model(self, request: web.Request) -> web.Response:
        wanted = request.match_info["model"]
        for entry in models_payload(self.client.models.list())["data"]:
            if entry["id"] == wanted:
                return web.json_response(entry)
        raise ApiError(404, f"Model not found: {wanted}", code="model_not_found", param="model")

    async def providers(self, request: web.Request) -> web.Response:
        from ..Provider import provider_names

        data = [info for info in (_provider_info(name) for name in provider_names()) if info]
        return web.json_response({"object": "list", "data": data})

    async def provider(self, request: web.Request) -> web.Response:
        from ..Provider import get_provider

        cls = get_provider(request.match_info["name"])
        return web.json_response(_provider_info(cls.__name__) or {"id": cls.__name__})

    async def chat(self, request: web.Request) -> web.StreamResponse:
        data = await self._body(request)
        body = parse_chat(data)
        params = dict(body.params)
        key = self._provider_key(request)
        if key:
            params["api_key"] = key
        provider = self.pinned(request) or body.provider
        request["g4f_model"] = body.model
        # The client conversation (conversation_id or resent history) → provider state.
        owner = request[KEY_KEY].name if KEY_KEY in request else "-"
        conversation_id, state = await self.conversations.resolve(
            owner, check_conversation_id(data.get("conversation_id")), body.messages
        )
        if state is not None:
            params["conversation"] = state
        request[CONVERSATION_KEY] = conversation_id
        completions = self.client.chat.completions
        if not body.stream:
            completion = await self.inflight.run(
                request,
                completions.create(body.messages, body.model, provider, stream=False, **params),
            )
            answer = completion.choices[0].message.content if completion.choices else None
            await self.conversations.record(
                owner, conversation_id, body.messages, answer or "", completion.conversation
            )
            request["g4f_provider"] = completion.provider
            payload = completion_payload(completion)
            payload["conversation_id"] = conversation_id
            return web.json_response(payload)
        chunks = completions.create(body.messages, body.model, provider, stream=True, **params)
        chunks = self.conversations.watch(chunks, owner, conversation_id, body.messages)
        if KEY_KEY in request:  # API keys: count the answer's tokens for the key's limits
            chunks = count_stream_tokens(request, chunks, estimate_messages(body.messages))
        return await self.inflight.run(
            request,
            stream_response(
                request, chunks, body.include_usage, self.inflight, self.config.keepalive
            ),
        )

    async def images(self, request: web.Request) -> web.Response:
        return await self._generate(request, default_model=None)

    async def media(self, request: web.Request) -> web.Response:
        return await self._generate(request, default_model=next(iter(VIDEO_ALIASES)))

    async def _generate(self, request: web.Request, default_model: str | None) -> web.Response:
        body = parse_media(await self._body(request))
        params = dict(body.params)
        key = self._provider_key(request)
        if key:
            params["api_key"] = key
        request["g4f_model"] = body.model or default_model
        result = await self.inflight.run(
            request,
            self.client.images.generate(
                body.prompt,
                body.model or default_model,
                self.pinned(request) or body.provider,
                response_format=body.response_format,
                n=body.n,
                **params,
            ),
        )
        request["g4f_provider"] = result.provider
        return web.json_response(images_payload(result))


async def _conversation_header(request: web.Request, response: web.StreamResponse) -> None:
    conversation_id = request.get(CONVERSATION_KEY)
    if conversation_id is not None:
        response.headers[CONVERSATION_HEADER] = conversation_id


def _provider_info(name: str) -> dict[str, Any] | None:
    """What ``GET /v1/providers`` says about one provider (None when it cannot be loaded)."""
    from ..Provider import get_provider

    try:
        cls = get_provider(name)
    except (G4FError, ImportError):
        return None
    models = list(cls.get_models()) if hasattr(cls, "get_models") else []
    return {
        "id": cls.__name__,
        "name": cls.__name__,
        "object": "provider",
        "label": cls.get_label() if hasattr(cls, "get_label") else cls.__name__,
        "url": getattr(cls, "url", ""),
        "working": bool(getattr(cls, "working", True)),
        "needs_auth": bool(getattr(cls, "needs_auth", False)),
        "parent": getattr(cls, "parent", None),
        "models": models,
        "image_models": list(getattr(cls, "image_models", [])),
        "video_models": list(getattr(cls, "video_models", [])),
    }
