"""HuggingFaceAPI: chat through the Inference Providers router (OpenAI-compatible)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from ...config import get_hf_token, hf_router_endpoint
from ...errors import ResponseError, error_from_payload
from ...inputs import check_model_id, join_url
from ...models import CHAT_ALIASES, DEFAULT_MODEL, DEFAULT_VISION_MODEL, TEXT_MODELS, VISION_MODELS
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.response import ProviderInfo
from ...state import get_store
from ...typing import Messages
from ._api_models import RouterModel, parse_model_list
from ._api_parser import ChatChunkParser, completion_as_chunk
from ._api_request import build_chat_body
from ._router import auth_headers, open_with_wait, require_token

__all__ = ["HuggingFaceAPI"]


class HuggingFaceAPI(AsyncGeneratorProvider, ProviderModelMixin):
    """Chat with any model the Hugging Face router serves.

    Model ids may carry a routing suffix: ``org/model:fastest``, ``:cheapest``,
    ``:preferred`` or ``:<backend>`` (e.g. ``openai/gpt-oss-120b:groq``); aliases
    keep the suffix too (``llama-3.3-70b:together``). Needs a token (``api_key``,
    ``HF_TOKEN``, ``HUGGINGFACE_API_KEY`` or the huggingface_hub token file);
    ``bill_to`` sends ``X-HF-Bill-To`` to bill an organization.
    """

    label = "HuggingFace (Inference Providers)"
    url = "https://huggingface.co"
    login_url = "https://huggingface.co/settings/tokens"
    parent = "HuggingFace"
    working = True
    needs_auth = True
    supports_stream = True
    accepts_any_model = True
    default_model = DEFAULT_MODEL
    default_vision_model = DEFAULT_VISION_MODEL
    models: ClassVar[list[str]] = list(TEXT_MODELS)
    vision_models: ClassVar[list[str]] = list(VISION_MODELS)
    model_aliases: ClassVar[dict[str, str]] = dict(CHAT_ALIASES)

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        """The router id for ``model``: aliases resolved, ``:suffix`` kept."""
        check_model_id(model or "", cls.model_aliases)
        if model and model not in cls.model_aliases and ":" in model:
            base, _, suffix = model.rpartition(":")
            if base in cls.model_aliases and suffix:
                return f"{cls.model_aliases[base]}:{suffix}"
        return super().get_model(model, **kwargs)

    @classmethod
    def get_model_info(cls, model: str) -> RouterModel | None:
        """What discovery learned about ``model`` (backends, context length, tools), if anything."""
        info = get_store().get("router-models:HuggingFaceAPI") or {}
        return info.get(model.split(":")[0]) if model else None

    @classmethod
    async def fetch_models(cls, api_key: str | None = None, **kwargs: Any) -> list[str]:
        """Model ids from ``GET {router}/v1/models`` (the token is sent when there is one)."""
        headers = auth_headers(get_hf_token(api_key), accept="application/json")
        async with cls.open_session(**kwargs) as session:
            async with session.get(
                f"{hf_router_endpoint()}/v1/models", headers=headers
            ) as response:
                await response.raise_for_status()
                data = await response.json()
        records = parse_model_list(data)
        get_store().set("router-models:HuggingFaceAPI", {r.id: r for r in records}, cls.models_ttl)
        return [record.id for record in records]

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        stream: bool = True,
        api_key: str | None = None,
        bill_to: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Stream text, ``Reasoning``, ``ToolCalls``, ``Usage`` and ``FinishReason`` chunks."""
        token = require_token(cls.__name__, api_key)
        model = cls.get_model(model or (cls.default_vision_model if kwargs.get("media") else None))
        body = build_chat_body(model, messages, stream=bool(stream), **kwargs)
        headers = auth_headers(
            token, bill_to, accept="text/event-stream" if stream else "application/json"
        )
        parser = ChatChunkParser()
        url = f"{hf_router_endpoint()}/v1/chat/completions"
        async with cls.open_session(timeout=timeout, **kwargs) as session:
            async with open_with_wait(
                session, "POST", url, json=body, headers=headers, timeout=timeout
            ) as response:
                backend = response.headers.get("x-inference-provider")
                yield ProviderInfo(
                    name=cls.__name__,
                    model=model,
                    label=f"HuggingFace ({backend})" if backend else cls.get_label(),
                    url=join_url(cls.url, *model.split(":")[0].split("/")),
                )
                if response.content_type == "text/event-stream":
                    async for data in response.sse():
                        for item in parser.feed(data):
                            yield item
                else:
                    for item in parser.feed(_completion(await response.json(), cls.__name__)):
                        yield item
        if not parser.recognised:
            raise ResponseError(
                f"{cls.__name__}: the stream held no chat completion chunk", provider=cls.__name__
            )
        for item in parser.close():
            yield item


def _completion(data: Any, provider: str) -> dict[str, Any]:
    """The non-stream body as one chunk; an in-band error object raised typed.

    An answer without choices is a :class:`ResponseError`, never an empty answer.
    """
    if isinstance(data, list):
        data = data[0] if data else {}
    if isinstance(data, Mapping) and data.get("error") is not None and not data.get("choices"):
        raise error_from_payload(data, provider=provider)
    if not isinstance(data, Mapping) or not data.get("choices"):
        raise ResponseError(
            f"{provider}: the answer holds no choices: {json.dumps(data)[:120]}", provider=provider
        )
    return completion_as_chunk(data)
