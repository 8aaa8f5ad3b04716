"""Validation of request bodies: JSON in, the arguments of the client call out.

Only the fields listed here reach a provider; anything else in a body is ignored,
so a caller cannot steer the server's own settings (proxy, base URL, keys). Every
documented field is checked with OpenAI's types and ranges (a 400 whose ``param``
names the field), and the whole body is refused when any string holds a lone
surrogate or any number is not finite, before a provider is called.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..client.service import normalize_messages
from ..errors import InvalidRequestError
from ..typing import Messages
from ._chat_fields import check_messages, check_response_format, check_tool_choice, check_tools
from ._fields import (
    INT64,
    bad,
    check_text,
    enum,
    integer,
    join,
    number,
    obj,
    optional_bool,
    optional_str,
    scan,
)

__all__ = ["ChatRequest", "MediaRequest", "parse_json", "parse_chat", "parse_media", "bad"]

_SIZE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
_ASPECT = re.compile(r"^\d{1,5}:\d{1,5}$")
#: OpenAI's longest image prompt (gpt-image-1).
MAX_PROMPT = 32_000
#: Documented chat fields g4f checks but does not forward.
_CHAT_ENUMS = {
    "service_tier": ("auto", "default", "flex", "scale", "priority"),
    "reasoning_effort": ("none", "minimal", "low", "medium", "high", "xhigh"),
    "verbosity": ("low", "medium", "high"),
}
_IMAGE_ENUMS = {
    "quality": ("standard", "hd", "low", "medium", "high", "auto"),
    "style": ("vivid", "natural"),
    "background": ("transparent", "opaque", "auto"),
    "moderation": ("low", "auto"),
    "output_format": ("png", "jpeg", "webp"),
}
_MEDIA_STRINGS = ("negative_prompt", "aspect_ratio", "resolution")


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
    scan(data)
    return data


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
        raise bad("Missing required parameter: 'messages'", "messages")
    check_messages(data["messages"])
    try:
        messages = normalize_messages(data["messages"])
    except InvalidRequestError as exc:
        raise bad(str(exc), "messages") from None
    model = optional_str(data, "model") or ""
    provider = optional_str(data, "provider")
    stream = bool(optional_bool(data, "stream"))
    options = data.get("stream_options")
    options = {} if options is None else obj(options, "stream_options")
    include_usage = optional_bool(options, "include_usage", path="stream_options")
    optional_bool(options, "include_obfuscation", path="stream_options")
    if integer(data, "n", 1, 128) not in (None, 1):
        raise bad("Only n=1 is supported", "n")
    params: dict[str, Any] = {
        "temperature": number(data, "temperature", 0, 2),
        "top_p": number(data, "top_p", 0, 1),
        "presence_penalty": number(data, "presence_penalty", -2, 2),
        "frequency_penalty": number(data, "frequency_penalty", -2, 2),
        "max_tokens": integer(data, "max_tokens", 1),
        "seed": integer(data, "seed", *INT64),
    }
    limit = integer(data, "max_completion_tokens", 1)
    if limit is not None:
        params["max_tokens"] = limit
    params["stop"] = _stop(data.get("stop"))
    params["tools"] = check_tools(data.get("tools"))
    params["tool_choice"] = check_tool_choice(data.get("tool_choice"), params["tools"])
    params["response_format"] = check_response_format(data.get("response_format"))
    _check_unforwarded(data)
    return ChatRequest(
        messages=messages,
        model=model,
        provider=provider,
        stream=stream,
        include_usage=bool(include_usage),
        params={k: v for k, v in params.items() if v is not None},
    )


def _check_unforwarded(data: dict[str, Any]) -> None:
    """The documented fields g4f accepts but does not pass on still get OpenAI's checks."""
    for name in ("logprobs", "parallel_tool_calls", "store"):
        optional_bool(data, name)
    if integer(data, "top_logprobs", 0, 20) is not None and data.get("logprobs") is not True:
        raise bad("'top_logprobs' needs 'logprobs': true", "top_logprobs")
    for name in ("user", "prompt_cache_key", "safety_identifier"):
        optional_str(data, name)
    for name, choices in _CHAT_ENUMS.items():
        enum(data, name, choices)
    bias = data.get("logit_bias")
    if bias is not None:
        for token in obj(bias, "logit_bias"):
            number(bias, token, -100, 100, path="logit_bias")
    metadata = data.get("metadata")
    if metadata is not None:
        if len(obj(metadata, "metadata")) > 16:
            raise bad("'metadata' holds more than 16 keys", "metadata")
        for key, value in metadata.items():
            check_text(key, "metadata", max_length=64)
            check_text(value, join("metadata", key), max_length=512)
    modalities = data.get("modalities")
    if modalities is not None:
        if not isinstance(modalities, list):
            raise bad("'modalities' must be an array", "modalities")
        for index, item in enumerate(modalities):
            enum({index: item}, index, ("text", "audio"), path="modalities")  # type: ignore[arg-type]


def _stop(value: Any) -> Any:
    """OpenAI's ``stop``: a string or an array of up to 4 strings."""
    if value is None or isinstance(value, str):
        return value or None
    if isinstance(value, list) and len(value) <= 4:
        for index, item in enumerate(value):
            check_text(item, join("stop", index))
        return value or None
    raise bad("'stop' must be a string or an array of up to 4 strings", "stop")


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
    check_text(prompt, "prompt", max_length=MAX_PROMPT)
    n = integer(data, "n", 1, 10)
    response_format = enum(data, "response_format", ("url", "b64_json")) or "url"
    for name, choices in _IMAGE_ENUMS.items():
        enum(data, name, choices)
    integer(data, "output_compression", 0, 100)
    optional_str(data, "user")
    params: dict[str, Any] = {}
    size = optional_str(data, "size")
    if size and size != "auto":
        match = _SIZE.match(size)
        if not match:
            raise bad("'size' must look like 1024x1024", "size")
        params["width"], params["height"] = int(match.group(1)), int(match.group(2))
    for name in _MEDIA_STRINGS:
        params[name] = optional_str(data, name, max_length=MAX_PROMPT)
    if params["aspect_ratio"] is not None and not _ASPECT.match(params["aspect_ratio"]):
        raise bad("'aspect_ratio' must look like 16:9", "aspect_ratio")
    params["seed"] = integer(data, "seed", 0, INT64[1])
    params["num_inference_steps"] = integer(data, "num_inference_steps", 1, 1000)
    params["guidance_scale"] = number(data, "guidance_scale", 0, 100)
    return MediaRequest(
        prompt=prompt,
        model=optional_str(data, "model"),
        provider=optional_str(data, "provider"),
        n=1 if n is None else n,
        response_format=response_format,
        params={k: v for k, v in params.items() if v is not None},
    )
