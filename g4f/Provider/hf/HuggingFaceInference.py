"""HuggingFaceInference: raw text generation (TGI) and text-to-image on hf-inference."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from ...config import get_hf_token, hf_router_endpoint
from ...debug import logger
from ...errors import ModelNotFoundError, NetworkError, TimeoutError
from ...inputs import join_url
from ...models import (
    CHAT_ALIASES,
    DEFAULT_IMAGE_MODEL,
    DEFAULT_MODEL,
    IMAGE_ALIASES,
    IMAGE_MODELS,
    TEXT_MODELS,
    VISION_MODELS,
)
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.helper import format_media_prompt
from ...providers.response import ProviderInfo
from ...state import get_store
from ...typing import Messages
from ._inference_hub import IMAGE_TASK, get_model_data, trending_models
from ._inference_image import generate_images
from ._inference_tgi import TgiParser, completion_as_event, tgi_parameters
from ._router import auth_headers, image_size, open_with_wait
from ._templates import DEFAULT_MAX_INPUT_LENGTH, PromptTemplate, build_inputs, choose_template

__all__ = ["HuggingFaceInference"]


class HuggingFaceInference(AsyncGeneratorProvider, ProviderModelMixin):
    """Text generation with prompt templates, and text-to-image, on the router's hf-inference.

    The prompt template is chosen from the model's Hub metadata (``config.model_type``,
    ``author``, eos token). ``action="continue"`` leaves the last assistant turn open.
    FLUX images go through the Together route (with a token), other image models
    through hf-inference, whose bytes come back as ``data:`` URIs. A token is optional.
    """

    label = "HuggingFace (hf-inference)"
    url = "https://huggingface.co"
    login_url = "https://huggingface.co/settings/tokens"
    parent = "HuggingFace"
    working = True
    needs_auth = False
    supports_stream = True
    accepts_any_model = True
    default_model = DEFAULT_MODEL
    default_image_model = DEFAULT_IMAGE_MODEL
    models: ClassVar[list[str]] = list(TEXT_MODELS)
    vision_models: ClassVar[list[str]] = list(VISION_MODELS)
    image_models: ClassVar[list[str]] = list(IMAGE_MODELS)
    model_aliases: ClassVar[dict[str, str]] = {**CHAT_ALIASES, **IMAGE_ALIASES}

    @classmethod
    async def fetch_models(cls, api_key: str | None = None, **kwargs: Any) -> list[str]:
        """Trending warm text models and trending image models merged with the static list."""
        async with cls.open_session(**kwargs) as session:
            text, images = await trending_models(session)
        trending = [model for model in images if model not in cls.image_models]
        get_store().set("trending-images:HuggingFaceInference", trending, cls.models_ttl)
        ordered = [cls.default_model or ""] + text + cls.models + cls.vision_models
        ordered += cls.image_models + trending
        return [model for model in dict.fromkeys(ordered) if model]

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        """The Hub id for ``model``; router suffixes (``:fastest``, ``:groq``) are not served here."""
        resolved = super().get_model(model, **kwargs)
        if ":" in resolved:
            raise ModelNotFoundError(
                f"{cls.__name__}: {resolved} carries a router suffix; use HuggingFaceAPI",
                provider=cls.__name__,
            )
        return resolved

    @classmethod
    def get_image_models(cls) -> list[str]:
        """Static image models plus trending ones found by a discovery that is still fresh."""
        fresh = set(cls.get_models())
        trending = get_store().get("trending-images:HuggingFaceInference") or []
        return list(dict.fromkeys(cls.image_models + [m for m in trending if m in fresh]))

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        stream: bool = True,
        api_key: str | None = None,
        bill_to: str | None = None,
        max_tokens: int | None = None,
        stop: Any = None,
        action: str | None = None,
        prompt: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        aspect_ratio: str | None = None,
        width: int | None = None,
        height: int | None = None,
        n: int = 1,
        max_inputs_length: int = DEFAULT_MAX_INPUT_LENGTH,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Stream generated text, or yield one ``ImageResponse`` for an image model."""
        model = cls.get_model(model)
        token = get_hf_token(api_key)
        headers = auth_headers(token, bill_to, accept="application/json")
        if isinstance(messages, str):
            messages = [{"role": "user", "content": messages}]
        yield ProviderInfo(
            name=cls.__name__,
            model=model,
            label=cls.get_label(),
            url=join_url(cls.url, *model.split("/")),
        )
        async with cls.open_session(timeout=timeout, **kwargs) as session:
            data = await cls._model_data(session, model, headers)
            if model in cls.get_image_models() or data.get("pipeline_tag") == IMAGE_TASK:
                w, h = image_size(aspect_ratio, width, height, kwargs.get("size"))
                yield await generate_images(
                    session,
                    model,
                    format_media_prompt(messages, prompt),
                    headers,
                    has_token=bool(token),
                    width=w,
                    height=h,
                    n=n or 1,
                    seed=kwargs.get("seed"),
                    extra_body=extra_body,
                    timeout=timeout,
                )
                return
            do_continue = action == "continue"
            template = choose_template(data) if data else PromptTemplate()
            body = {
                "inputs": build_inputs(messages, template, do_continue, max_inputs_length),
                "parameters": tgi_parameters(
                    max_tokens,
                    (data.get("config") or {}).get("model_type"),
                    stop,
                    extra_body,
                    **kwargs,
                ),
                "stream": bool(stream),
            }
            url = join_url(hf_router_endpoint(), "hf-inference", "models", *model.split("/"))
            headers = {**headers, "Accept": "text/event-stream" if stream else "application/json"}
            parser = TgiParser(do_continue)
            async with open_with_wait(
                session, "POST", url, json=body, headers=headers, timeout=timeout
            ) as response:
                if response.content_type == "text/event-stream":
                    async for event in response.sse():
                        for item in parser.feed(event):
                            yield item
                    for item in parser.close():
                        yield item
                else:
                    for item in parser.feed(
                        completion_as_event(await response.json(), cls.__name__)
                    ):
                        yield item

    @classmethod
    async def _model_data(
        cls, session: Any, model: str, headers: Mapping[str, str]
    ) -> dict[str, Any]:
        """Hub metadata; none needed for the known image models, generic template when the Hub is down."""
        if model in cls.get_image_models():
            return {"pipeline_tag": IMAGE_TASK}
        try:
            return await get_model_data(session, model, headers, cls.__name__)
        except (NetworkError, TimeoutError) as exc:
            logger.debug(
                "%s: Hub metadata unavailable (%s); using the generic template", cls.__name__, exc
            )
            return {}
