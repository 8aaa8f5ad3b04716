"""The router's chat request: messages (with images), sampling fields, tools."""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import BadRequestError
from ...inputs import check_message_media, media_input
from ...typing import MediaListType, Messages

__all__ = ["build_chat_body", "render_messages", "media_to_url"]

#: Keyword arguments copied into the body as they are (``None`` values dropped).
_PASS_THROUGH = (
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "top_p",
    "seed",
    "stop",
    "frequency_penalty",
    "presence_penalty",
    "logprobs",
    "top_logprobs",
    "tools",
    "tool_prompt",
    "parallel_tool_calls",
    "reasoning_effort",
    "logit_bias",
    "user",
)
_TOOL_CHOICES = ("auto", "none", "required")
_MESSAGE_KEYS = ("role", "content", "name", "tool_calls", "tool_call_id")
_IMAGE_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def _mime_of(data: bytes, filename: str | None) -> str:
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    guessed = mimetypes.guess_type(filename or "")[0]
    return guessed or "application/octet-stream"


def media_to_url(data: bytes | str | Path, filename: str | None = None) -> str:
    """A URL the router accepts for one media item: http(s) and data: URIs as they are,
    bytes, file objects and ``Path`` files as data: URIs (a string is never a file name)."""
    item = media_input(data, filename)
    if item.url is not None:
        return item.url
    assert item.data is not None
    mime = _mime_of(item.data, item.name)
    return f"data:{mime};base64,{base64.b64encode(item.data).decode()}"


def _media_item_url(item: Any) -> str:
    if isinstance(item, (tuple, list)):
        return media_to_url(*item[:2])
    return media_to_url(item)


def _clean_message(message: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(message, Mapping) or "role" not in message:
        raise BadRequestError(f"each message needs a role: {str(message)[:80]!r}")
    cleaned = {key: message[key] for key in _MESSAGE_KEYS if message.get(key) is not None}
    if "content" not in cleaned and not cleaned.get("tool_calls"):
        cleaned["content"] = ""
    return cleaned


def render_messages(
    messages: Messages | str, media: MediaListType | None = None
) -> list[dict[str, Any]]:
    """Messages in the router's shape; ``media`` become image parts of the last user message."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not messages:
        raise BadRequestError("messages must not be empty")
    check_message_media(messages)
    rendered = [_clean_message(message) for message in messages]
    if media:
        target = next((m for m in reversed(rendered) if m["role"] == "user"), None)
        if target is None:
            target = {"role": "user", "content": ""}
            rendered.append(target)
        content = target.get("content")
        parts: list[Any] = list(content) if isinstance(content, list) else []
        parts += [
            {"type": "image_url", "image_url": {"url": _media_item_url(item)}} for item in media
        ]
        if isinstance(content, str) and content:
            parts.append({"type": "text", "text": content})
        target["content"] = parts
    return rendered


def _tool_choice(choice: Any) -> Any:
    if choice is None or isinstance(choice, Mapping):
        return choice
    if choice in _TOOL_CHOICES:
        return choice
    if isinstance(choice, str):
        return {"type": "function", "function": {"name": choice}}
    raise BadRequestError(
        f"tool_choice must be auto, none, required, a tool name or an object: {choice!r}"
    )


def _response_format(value: Any) -> Any:
    if value is None or isinstance(value, Mapping):
        return value
    if value in ("text", "json_object"):
        return {"type": value}
    raise BadRequestError(f"response_format must be an object, 'text' or 'json_object': {value!r}")


def build_chat_body(
    model: str,
    messages: Messages | str,
    *,
    stream: bool,
    media: MediaListType | None = None,
    tool_choice: Any = None,
    response_format: Any = None,
    extra_body: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """The JSON body of ``POST /v1/chat/completions``."""
    body: dict[str, Any] = {
        "model": model,
        "messages": render_messages(messages, media),
        "stream": stream,
    }
    for key in _PASS_THROUGH:
        if kwargs.get(key) is not None:
            body[key] = kwargs[key]
    if isinstance(body.get("stop"), str):
        body["stop"] = [body["stop"]]
    if tool_choice is not None:
        body["tool_choice"] = _tool_choice(tool_choice)
    if response_format is not None:
        body["response_format"] = _response_format(response_format)
    if stream:
        body["stream_options"] = {"include_usage": True}
    if extra_body:
        body.update(extra_body)
    return body
