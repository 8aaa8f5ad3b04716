"""Any public Gradio Space by id: ``model="space:owner/name"`` (or ``.../api_name``)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar

from ...errors import BadRequestError, ModelNotFoundError, ResponseError
from ...inputs import split_space_model
from ...providers.helper import format_media_prompt
from ...providers.response import (
    FinishReason,
    ImagePreview,
    ImageResponse,
    Reasoning,
    VideoResponse,
)
from ...typing import MediaListType, Messages
from ._gradio import call_events, request_json, upload
from ._host import gradio_url
from ._space import SpaceProvider, TextDelta, chat_text, file_urls, load_media

__all__ = ["GradioSpace"]

_API_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
_TEXT_INPUTS = {"Textbox", "TextArea", "MultimodalTextbox"}
_FILE_INPUTS = {"Image", "File", "ImageEditor", "Video", "Audio"}
_MEDIA_OUTPUTS = {"Image", "Gallery", "Video", "ImageSlider"}
_TEXT_OUTPUTS = {"Chatbot", "Textbox", "Markdown", "Code", "HTML"}


def parse_space_model(model: str) -> tuple[str, str | None]:
    """``"space:owner/name[/api_name]"`` → ``("owner/name", api_name)``, checked."""
    return split_space_model(model)


def _choose(endpoints: Mapping[str, Any], api_name: str | None) -> tuple[str, Mapping[str, Any]]:
    if api_name:
        info = endpoints.get("/" + api_name.lstrip("/"))
        if info is None:
            raise ModelNotFoundError(f"GradioSpace: the Space has no endpoint /{api_name}")
        return api_name, info
    for name, info in endpoints.items():
        params = info.get("parameters") or []
        returns = info.get("returns") or []
        if any(p.get("component") in _TEXT_INPUTS for p in params) and any(
            r.get("component") in _MEDIA_OUTPUTS | _TEXT_OUTPUTS for r in returns
        ):
            return name.lstrip("/"), info
    raise ModelNotFoundError("GradioSpace: the Space has no endpoint taking a text prompt")


def _endpoint(info: Any, api_name: str | None) -> tuple[str, list[Mapping[str, Any]], list[Any]]:
    """The endpoint to call, its parameters and its return components, from the API info."""
    endpoints = info.get("named_endpoints") if isinstance(info, Mapping) else None
    if not isinstance(endpoints, Mapping):
        raise ResponseError("GradioSpace: the Space's API info lists no named endpoints")
    try:
        name, endpoint = _choose(endpoints, api_name)
        params = [p for p in endpoint.get("parameters") or [] if isinstance(p, Mapping)]
        returns = [
            r.get("component") for r in endpoint.get("returns") or [] if isinstance(r, Mapping)
        ]
    except (AttributeError, TypeError) as exc:
        raise ResponseError(f"GradioSpace: malformed API info ({type(exc).__name__})") from None
    return name, params, returns


def _inputs(params: list[Mapping[str, Any]], prompt: str, files: list[Any]) -> list[Any]:
    data: list[Any] = []
    prompted = False
    files = list(files)
    for param in params:
        component = param.get("component")
        if component in _TEXT_INPUTS and not prompted:
            data.append(
                {"text": prompt, "files": files[:]} if component == "MultimodalTextbox" else prompt
            )
            files = [] if component == "MultimodalTextbox" else files
            prompted = True
        elif component in _FILE_INPUTS and files:
            data.append(files.pop(0))
        elif component == "Chatbot":
            data.append([])
        else:
            data.append(
                param.get("parameter_default") if param.get("parameter_has_default") else None
            )
    return data


class GradioSpace(SpaceProvider):
    """A Space discovered from its API info: the prompt fills its first text input.

    The Hub says where the Space runs (``space_url=`` or ``HF_SPACES_ENDPOINT`` override it).
    """

    label = "Gradio Space"
    url = "https://huggingface.co/spaces"
    accepts_any_model = True
    #: When the Hub does not say, a Space may run on ZeroGPU: ask for a token if the user is known.
    zerogpu = True
    default_model = ""
    models: ClassVar[list[str]] = []

    @classmethod
    def any_model_keys(cls) -> dict[str, str]:
        return {}

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        media: MediaListType | None = None,
        prompt: str | None = None,
        cookies: Mapping[str, str] | None = None,
        api_key: str | None = None,
        space_url: str | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Run the Space's endpoint with the prompt; text streams, media arrive as URLs."""
        space, api_name = parse_space_model(model)
        prompt = format_media_prompt(messages, prompt)
        if not prompt.strip():
            raise BadRequestError("GradioSpace: an empty prompt", provider=cls.__name__)
        async with cls.open_session(**kwargs) as session:
            connected = await cls.connect(
                session, space, space_url=space_url, cookies=cookies, api_key=api_key
            )
            base, headers, config = connected.base, connected.headers, connected.config
            info = await request_json(
                session, "GET", gradio_url(base, config.api_prefix, "info"), headers=headers
            )
            name, params, returns = _endpoint(info, api_name)
            wants_files = any(
                p.get("component") in _FILE_INPUTS | {"MultimodalTextbox"} for p in params
            )
            files = await load_media(session, media) if wants_files else []
            uploaded = (
                await upload(session, base, config.api_prefix, files, headers=headers)
                if files
                else []
            )
            media_out = any(c in _MEDIA_OUTPUTS for c in returns)
            delta = TextDelta()
            updates = call_events(
                session,
                base,
                name,
                _inputs(params, prompt, uploaded),
                headers=headers,
                provider=cls.__name__,
                api_prefix=config.api_prefix,
            )
            yield Reasoning(label="Running", status=f"{space}/{name}")
            async with aclosing(updates):
                async for update in updates:
                    outputs = update.data or []
                    final = update.kind == "completed"
                    if media_out:
                        urls = [
                            u
                            for v, c in zip(outputs, returns, strict=False)
                            if c in _MEDIA_OUTPUTS
                            for u in file_urls(base, config.api_prefix, v)
                        ]
                        if urls and final:
                            video = "Video" in returns and not any(
                                c in ("Image", "Gallery") for c in returns
                            )
                            yield (VideoResponse if video else ImageResponse)(urls, alt=prompt)
                        elif urls:
                            yield ImagePreview(urls, alt=prompt)
                        elif final:
                            raise ResponseError(
                                f"GradioSpace: {space} returned no media", provider=cls.__name__
                            )
                        continue
                    piece = delta.feed(_text_output(outputs, returns))
                    if piece:
                        yield piece
            yield FinishReason("stop")


def _text_output(outputs: list[Any], returns: list[Any]) -> str | None:
    """The answer among the outputs: a Chatbot's last reply, else the first non-empty text."""
    pairs = list(zip(outputs, returns, strict=False))
    for value, component in pairs:
        if component == "Chatbot":
            return chat_text(value)
    for value, component in pairs:
        if component in _TEXT_OUTPUTS and isinstance(value, str) and value:
            return value
    return None
