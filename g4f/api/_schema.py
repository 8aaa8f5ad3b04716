"""Validation of request bodies: JSON in, the arguments of the client call out.

Only the fields listed here reach a provider; anything else in a body is ignored,
so a caller cannot steer the server's own settings (proxy, base URL, keys).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..client.service import normalize_messages
from ..errors import InvalidRequestError
from ..typing import Messages
from ._errors import ApiError

__all__ = ["ChatRequest", "MediaRequest", "parse_json", "parse_chat", "parse_media"]

_NUMBER_FIELDS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
_INT_FIELDS = ("max_tokens", "seed")
_MEDIA_PASS = (
    "negative_prompt",
    "seed",
    "aspect_ratio",
    "resolution",
    "num_inference_steps",
    "guidance_scale",
)
_SIZE = re.compile(r"^(\d{2,5})x(\d{2,5})$")


def bad(message: str, param: str | None = None, code: str = "invalid_request") -> ApiError:
    """A 400 about the request body."""
    return ApiError(400, message, code=code, param=param)


def parse_json(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a 400 saying what is wrong with it."""
    if not raw.strip():
        raise bad("The request body is empty; send a JSON object", code="invalid_json")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad(f"The request body is not valid JSON: {exc}", code="invalid_json") from None
    except RecursionError:
        raise bad("The request body is nested too deeply", code="invalid_json") from None
    if not isinstance(data, dict):
        raise bad("The request body must be a JSON object", code="invalid_json")
    return data


def _optional_str(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"'{name}' must be a string", name)
    return value or None


def _bool(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad(f"'{name}' must be a boolean", name)
    return value


def _number(data: dict[str, Any], name: str, integer: bool = False) -> Any:
    value = data.get(name)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise bad(f"'{name}' must be {'an integer' if integer else 'a number'}", name)
    return value


@dataclass
class ChatRequest:
    """A validated ``POST /v1/chat/completions`` body."""

    messages: Messages
    model: str = ""
    provider: str | None = None
    stream: bool = False
    include_usage: bool = False
    params: dict[str, Any] = field(default_factory=dict)


def parse_chat(data: dict[str, Any]) -> ChatRequest:
    """Validate a chat body; raises a 400 :class:`ApiError` naming the bad field."""
    if "messages" not in data:
        raise bad("'messages' is required", "messages")
    try:
        messages = normalize_messages(data["messages"])
    except InvalidRequestError as exc:
        raise bad(str(exc), "messages") from None
    model = _optional_str(data, "model") or ""
    provider = _optional_str(data, "provider")
    stream = _bool(data, "stream")
    options = data.get("stream_options") or {}
    if not isinstance(options, dict):
        raise bad("'stream_options' must be an object", "stream_options")
    n = _number(data, "n", integer=True)
    if n not in (None, 1):
        raise bad("Only n=1 is supported", "n")
    params: dict[str, Any] = {}
    for name in _NUMBER_FIELDS:
        params[name] = _number(data, name)
    for name in _INT_FIELDS:
        params[name] = _number(data, name, integer=True)
    limit = _number(data, "max_completion_tokens", integer=True)
    if limit is not None:
        params["max_tokens"] = limit
    params["stop"] = _stop(data.get("stop"))
    params["tools"] = _list_of_objects(data, "tools")
    choice = data.get("tool_choice")
    if choice is not None and not isinstance(choice, (str, dict)):
        raise bad("'tool_choice' must be a string or an object", "tool_choice")
    params["tool_choice"] = choice
    response_format = data.get("response_format")
    if response_format is not None and not isinstance(response_format, dict):
        raise bad("'response_format' must be an object", "response_format")
    params["response_format"] = response_format
    return ChatRequest(
        messages=messages,
        model=model,
        provider=provider,
        stream=stream,
        include_usage=bool(options.get("include_usage")),
        params={k: v for k, v in params.items() if v is not None},
    )


def _stop(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(s, str) for s in value) and len(value) <= 4:
        return value
    raise bad("'stop' must be a string or a list of up to 4 strings", "stop")


def _list_of_objects(data: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad(f"'{name}' must be a list of objects", name)
    return value or None


@dataclass
class MediaRequest:
    """A validated image or video generation body."""

    prompt: str
    model: str | None = None
    provider: str | None = None
    n: int = 1
    response_format: str = "url"
    params: dict[str, Any] = field(default_factory=dict)


def parse_media(data: dict[str, Any]) -> MediaRequest:
    """Validate ``POST /v1/images/generations`` and ``/v1/media/generations`` bodies."""
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise bad("'prompt' is required and must be a non-empty string", "prompt")
    n = _number(data, "n", integer=True)
    n = 1 if n is None else n
    if not 1 <= n <= 10:
        raise bad("'n' must be between 1 and 10", "n")
    response_format = _optional_str(data, "response_format") or "url"
    if response_format not in ("url", "b64_json"):
        raise bad("'response_format' must be 'url' or 'b64_json'", "response_format")
    params: dict[str, Any] = {}
    size = _optional_str(data, "size")
    if size and size != "auto":
        match = _SIZE.match(size)
        if not match:
            raise bad("'size' must look like 1024x1024", "size")
        params["width"], params["height"] = int(match.group(1)), int(match.group(2))
    for name in _MEDIA_PASS:
        value = data.get(name)
        if value is not None:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise bad(f"'{name}' must be a string or a number", name)
            params[name] = value
    return MediaRequest(
        prompt=prompt,
        model=_optional_str(data, "model"),
        provider=_optional_str(data, "provider"),
        n=n,
        response_format=response_format,
        params=params,
    )
