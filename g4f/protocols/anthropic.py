"""Anthropic's Messages API, request side and errors: a ``POST /v1/messages`` body → g4f's request.

``system`` becomes a system message; content blocks become OpenAI-style chat
messages (``text`` and ``image`` blocks → parts, an assistant's ``tool_use`` →
``tool_calls``, a user's ``tool_result`` → a ``tool`` message); ``tools`` (custom
tools with an ``input_schema``) and ``tool_choice`` become the chat tool fields.
Field names follow the ``anthropic`` SDK's param types
(``anthropic/types/message_create_params.py`` and the ``*_param.py`` blocks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..typing import Message, Messages
from ._common import FieldError, get_bool, get_list, get_number, get_object, get_str, tool_arguments

__all__ = [
    "MessagesRequest",
    "parse_messages_request",
    "error_status",
    "error_body",
    "ERROR_TYPES",
    "MAX_STOP_SEQUENCES",
]

#: The most stop sequences one request may give.
MAX_STOP_SEQUENCES = 64

#: Anthropic's error type for each status it uses.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def error_status(status: int, code: str | None = None) -> tuple[int, str]:
    """Anthropic's status and error type for a status (and code) the gateway would answer.

    The gateway's 502/503 (every provider failed, the upstream broke, the server is
    stopping) are "try again later" conditions: Anthropic says that with
    ``529 overloaded_error``, which its SDK retries. A provider refusing the
    gateway's own credentials is not: that is ``500 api_error``.
    """
    if code == "provider_auth_required":
        return 500, "api_error"
    if status in (502, 503):
        return 529, "overloaded_error"
    if status in ERROR_TYPES:
        return status, ERROR_TYPES[status]
    if status >= 500:
        return 500, "api_error"
    return status, "invalid_request_error"


def error_body(kind: str, message: str) -> dict[str, Any]:
    """Anthropic's error object ``{"type": "error", "error": {"type", "message"}}``."""
    return {"type": "error", "error": {"type": kind, "message": message}}


@dataclass
class MessagesRequest:
    """A validated ``POST /v1/messages`` (or ``count_tokens``) body."""

    messages: Messages
    model: str = ""
    provider: str | None = None
    stream: bool = False
    max_tokens: int | None = None
    stop_sequences: list[str] = field(default_factory=list)
    #: Whether the caller enabled extended thinking (reasoning → ``thinking`` blocks).
    thinking: bool = False
    #: Keyword arguments for the provider (same names as the chat route's).
    params: dict[str, Any] = field(default_factory=dict)


def parse_messages_request(data: dict[str, Any], *, count_only: bool = False) -> MessagesRequest:
    """Validate a Messages body (``count_only``: a count_tokens body, no ``max_tokens``)."""
    model = get_str(data, "model", required=True) or ""
    max_tokens = None
    if not count_only:
        max_tokens = get_number(data, "max_tokens", integer=True, minimum=1, required=True)
    if data.get("mcp_servers"):
        raise FieldError("mcp_servers: remote MCP servers are not supported", "mcp_servers")
    raw = data.get("messages")
    if not isinstance(raw, list) or not raw:
        raise FieldError("messages: must be a non-empty list", "messages")
    messages = _system(data.get("system"))
    for index, message in enumerate(raw):
        messages.extend(_message(message, f"messages.{index}"))
    stops = get_list(data, "stop_sequences") or []
    if not all(isinstance(s, str) and s for s in stops):
        raise FieldError("stop_sequences: must be a list of non-empty strings", "stop_sequences")
    if len(stops) > MAX_STOP_SEQUENCES:
        # Every text delta is searched for each one: the count bounds that work.
        raise FieldError(
            f"stop_sequences: at most {MAX_STOP_SEQUENCES} are supported", "stop_sequences"
        )
    tools = get_list(data, "tools") or []
    params: dict[str, Any] = {
        "max_tokens": max_tokens,
        "temperature": get_number(data, "temperature", minimum=0),
        "top_p": get_number(data, "top_p", minimum=0),
        "tools": [_tool(tool, f"tools.{i}") for i, tool in enumerate(tools)] or None,
        "tool_choice": _tool_choice(get_object(data, "tool_choice")),
        "response_format": _output_format(get_object(data, "output_config")),
    }
    return MessagesRequest(
        messages=messages,
        model=model,
        provider=get_str(data, "provider") or None,
        stream=get_bool(data, "stream"),
        max_tokens=max_tokens,
        stop_sequences=stops,
        thinking=_thinking(get_object(data, "thinking")),
        params={k: v for k, v in params.items() if v is not None},
    )


def _system(system: Any) -> Messages:
    if system is None or system == "":
        return []
    if isinstance(system, str):
        return [{"role": "system", "content": system}]
    if isinstance(system, list):
        texts = [_text_block(block, f"system.{i}") for i, block in enumerate(system)]
        return [{"role": "system", "content": "\n\n".join(texts)}]
    raise FieldError("system: must be a string or a list of text blocks", "system")


def _text_block(block: Any, param: str) -> str:
    if not isinstance(block, dict) or block.get("type") != "text":
        raise FieldError(f"{param}: must be a text block", param)
    text = block.get("text")
    if not isinstance(text, str):
        raise FieldError(f"{param}.text: must be a string", f"{param}.text")
    return text


def _blocks(content: Any, param: str) -> list[Any]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        raise FieldError(f"{param}.content: must be a string or a list of blocks", param)
    for index, block in enumerate(content):
        if not isinstance(block, dict):
            raise FieldError(f"{param}.content.{index}: must be an object", param)
    return content


def _message(message: Any, param: str) -> Messages:
    if not isinstance(message, dict):
        raise FieldError(f"{param}: must be an object", param)
    role = message.get("role")
    if role not in ("user", "assistant"):
        raise FieldError(f"{param}.role: must be 'user' or 'assistant'", f"{param}.role")
    if isinstance(message.get("content"), str):
        return [{"role": role, "content": message["content"]}]
    blocks = _blocks(message.get("content"), param)
    return _assistant(blocks, param) if role == "assistant" else _user(blocks, param)


def _assistant(blocks: list[dict[str, Any]], param: str) -> Messages:
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        kind = block.get("type")
        where = f"{param}.content.{index}"
        if kind == "text":
            texts.append(_text_block(block, where))
        elif kind == "tool_use":
            calls.append(
                {
                    "id": _string(block, "id", where),
                    "type": "function",
                    "function": {
                        "name": _string(block, "name", where),
                        "arguments": tool_arguments(block.get("input") or {}),
                    },
                }
            )
        elif kind in ("thinking", "redacted_thinking"):
            continue  # earlier thinking: the providers take no reasoning back
        else:
            raise FieldError(f"{where}.type: {kind!r} is not supported in assistant turns", where)
    message: Message = {"role": "assistant", "content": "".join(texts) or None}
    if calls:
        message["tool_calls"] = calls
    elif message["content"] is None:
        message["content"] = ""
    return [message]


def _user(blocks: list[dict[str, Any]], param: str) -> Messages:
    tools: Messages = []
    parts: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        kind = block.get("type")
        where = f"{param}.content.{index}"
        if kind == "tool_result":
            text, images = _tool_result(block, where)
            tools.append(
                {
                    "role": "tool",
                    "tool_call_id": _string(block, "tool_use_id", where),
                    "content": text,
                }
            )
            # Chat tool messages hold text only; a result's images follow as user content.
            parts.extend(images)
        elif kind == "text":
            parts.append({"type": "text", "text": _text_block(block, where)})
        elif kind == "image":
            parts.append(_image(block, where))
        elif kind in ("thinking", "redacted_thinking"):
            continue
        else:
            raise FieldError(
                f"{where}.type: {kind!r} is not supported (use text, image or tool_result blocks)",
                where,
            )
    if not parts:
        return tools
    if all(part["type"] == "text" for part in parts):
        return [*tools, {"role": "user", "content": "".join(p["text"] for p in parts)}]
    return [*tools, {"role": "user", "content": parts}]


def _tool_result(block: dict[str, Any], param: str) -> tuple[str, list[dict[str, Any]]]:
    content = block.get("content", "")
    texts: list[str] = []
    images: list[dict[str, Any]] = []
    for index, inner in enumerate(_blocks(content, param) if content != "" else []):
        if inner.get("type") == "image":
            images.append(_image(inner, f"{param}.content.{index}"))
        else:
            texts.append(_text_block(inner, f"{param}.content.{index}"))
    text = "".join(texts)
    if block.get("is_error"):
        text = f"Error: {text}"
    return text, images


def _image(block: dict[str, Any], param: str) -> dict[str, Any]:
    source = block.get("source")
    if not isinstance(source, dict):
        raise FieldError(f"{param}.source: must be an object", f"{param}.source")
    kind = source.get("type")
    if kind == "base64":
        media = source.get("media_type")
        data = source.get("data")
        if not isinstance(media, str) or not media.startswith("image/"):
            raise FieldError(f"{param}.source.media_type: must be an image type", param)
        if not isinstance(data, str) or not data:
            raise FieldError(f"{param}.source.data: must be base64 text", param)
        return {"type": "image_url", "image_url": {"url": f"data:{media};base64,{data}"}}
    if kind == "url":
        return {"type": "image_url", "image_url": {"url": _string(source, "url", param)}}
    raise FieldError(f"{param}.source.type: must be 'base64' or 'url'", f"{param}.source.type")


def _string(block: dict[str, Any], name: str, param: str) -> str:
    value = block.get(name)
    if not isinstance(value, str) or not value:
        raise FieldError(f"{param}.{name}: must be a non-empty string", f"{param}.{name}")
    return value


def _tool(tool: Any, param: str) -> dict[str, Any]:
    if not isinstance(tool, dict):
        raise FieldError(f"{param}: must be an object", param)
    if tool.get("type") not in (None, "custom"):
        raise FieldError(
            f"{param}.type: server tool {tool.get('type')!r} is not supported (only custom "
            "tools with an input_schema)",
            f"{param}.type",
        )
    schema = tool.get("input_schema")
    if not isinstance(schema, dict):
        raise FieldError(f"{param}.input_schema: Field required", f"{param}.input_schema")
    function: dict[str, Any] = {"name": _string(tool, "name", param), "parameters": schema}
    if isinstance(tool.get("description"), str):
        function["description"] = tool["description"]
    return {"type": "function", "function": function}


def _tool_choice(choice: dict[str, Any] | None) -> Any:
    if choice is None:
        return None
    kind = choice.get("type")
    if kind in ("auto", "none"):
        return kind
    if kind == "any":
        return "required"
    if kind == "tool":
        return {"type": "function", "function": {"name": _string(choice, "name", "tool_choice")}}
    raise FieldError("tool_choice.type: must be auto, any, tool or none", "tool_choice.type")


def _thinking(thinking: dict[str, Any] | None) -> bool:
    if thinking is None:
        return False
    kind = thinking.get("type")
    if kind not in ("enabled", "disabled", "adaptive", "between_tools"):
        raise FieldError(
            "thinking.type: must be enabled, adaptive, between_tools or disabled", "thinking.type"
        )
    return kind != "disabled"


def _output_format(config: dict[str, Any] | None) -> dict[str, Any] | None:
    """``output_config.format`` (structured output) as the chat ``response_format``."""
    fmt = (config or {}).get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise FieldError("output_config.format.type: must be json_schema", "output_config.format")
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        raise FieldError("output_config.format.schema: must be an object", "output_config.format")
    return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema}}
