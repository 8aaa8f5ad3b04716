"""OpenAI's Responses API, request side: a ``POST /v1/responses`` body → g4f's chat request.

``input`` (a string or a list of items: messages with text and image parts,
``function_call``, ``function_call_output``, ``reasoning``) becomes OpenAI-style chat
messages; ``instructions`` a system message; function ``tools``, ``tool_choice``,
``text.format`` and ``max_output_tokens`` become the provider keyword arguments the
chat route passes (``tools``, ``tool_choice``, ``response_format``, ``max_tokens``).
The fields the answer echoes (``tools`` in the Responses shape, ``text``,
``reasoning``, ``metadata``...) are kept in :attr:`ResponsesRequest.echo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..typing import Message, Messages
from ._common import (
    FieldError,
    get_bool,
    get_list,
    get_number,
    get_object,
    get_str,
    tool_arguments,
)

__all__ = ["ResponsesRequest", "parse_responses_request", "input_messages", "output_messages"]

#: Fields OpenAI accepts that g4f cannot honour; a request using them gets a 400
#: rather than an answer that silently ignores them.
_UNSUPPORTED = {
    "background": "background responses are not supported: send the request and wait",
    "conversation": "'conversation' objects are not supported: use previous_response_id",
    "prompt": "stored prompt templates are not supported: send 'input' and 'instructions'",
}
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
_TEXT_PARTS = ("input_text", "output_text", "text", "summary_text")


@dataclass
class ResponsesRequest:
    """A validated ``POST /v1/responses`` body."""

    input_messages: Messages
    instructions: str | None = None
    model: str = ""
    provider: str | None = None
    stream: bool = False
    store: bool = True
    previous_response_id: str | None = None
    #: Keyword arguments for the provider (same names as the chat route's).
    params: dict[str, Any] = field(default_factory=dict)
    #: Request fields the Response object repeats.
    echo: dict[str, Any] = field(default_factory=dict)

    def conversation(self, history: Messages | None = None) -> Messages:
        """The chat messages to send: instructions, an earlier response's turns, the input.

        As with OpenAI, the instructions of an earlier response are not carried over.
        """
        system: Messages = (
            [{"role": "system", "content": self.instructions}] if self.instructions else []
        )
        return system + list(history or []) + self.input_messages


def parse_responses_request(data: dict[str, Any]) -> ResponsesRequest:
    """Validate a Responses body; raises :class:`FieldError` naming the bad field."""
    for name, reason in _UNSUPPORTED.items():
        if data.get(name):
            raise FieldError(f"{name}: {reason}", name)
    if "input" not in data and not data.get("previous_response_id"):
        raise FieldError("input: Field required", "input")
    messages = input_messages(data.get("input") or [], allow_empty="input" not in data)
    params: dict[str, Any] = {
        "temperature": get_number(data, "temperature", minimum=0),
        "top_p": get_number(data, "top_p", minimum=0),
        "max_tokens": get_number(data, "max_output_tokens", integer=True, minimum=1),
    }
    tools = get_list(data, "tools") or []
    params["tools"] = [_chat_tool(tool, f"tools[{i}]") for i, tool in enumerate(tools)] or None
    choice = data.get("tool_choice")
    params["tool_choice"] = _chat_tool_choice(choice) if choice is not None else None
    text = get_object(data, "text") or {}
    params["response_format"] = _response_format(text.get("format"))
    reasoning = get_object(data, "reasoning") or {}
    metadata = get_object(data, "metadata") or {}
    echo = {
        "instructions": get_str(data, "instructions"),
        "max_output_tokens": params["max_tokens"],
        "metadata": metadata,
        "parallel_tool_calls": get_bool(data, "parallel_tool_calls", True),
        "previous_response_id": get_str(data, "previous_response_id"),
        "reasoning": {"effort": reasoning.get("effort"), "summary": reasoning.get("summary")},
        "store": get_bool(data, "store", True),
        "temperature": params["temperature"] if params["temperature"] is not None else 1.0,
        "text": {"format": text.get("format") or {"type": "text"}},
        "tool_choice": choice if choice is not None else "auto",
        "tools": tools,
        "top_p": params["top_p"] if params["top_p"] is not None else 1.0,
        "truncation": get_str(data, "truncation") or "disabled",
        "user": get_str(data, "user"),
    }
    return ResponsesRequest(
        input_messages=messages,
        instructions=echo["instructions"] or None,
        model=get_str(data, "model") or "",
        provider=get_str(data, "provider") or None,
        stream=get_bool(data, "stream"),
        store=echo["store"],
        previous_response_id=echo["previous_response_id"] or None,
        params={k: v for k, v in params.items() if v is not None},
        echo=echo,
    )


def input_messages(value: Any, *, allow_empty: bool = False) -> Messages:
    """``input`` (a string or a list of items) as chat messages."""
    if isinstance(value, str):
        if not value and not allow_empty:
            raise FieldError("input: must not be empty", "input")
        return [{"role": "user", "content": value}] if value else []
    if not isinstance(value, list) or (not value and not allow_empty):
        raise FieldError("input: must be a string or a non-empty list of items", "input")
    messages: Messages = []
    for index, item in enumerate(value):
        param = f"input[{index}]"
        if not isinstance(item, dict):
            raise FieldError(f"{param}: must be an object", param)
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            messages.append(_message(item, param))
        elif kind == "function_call":
            _append_call(messages, item, param)
        elif kind == "function_call_output":
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": _required_str(item, "call_id", param),
                    "content": _output_text(item.get("output"), f"{param}.output"),
                }
            )
        elif kind == "reasoning":
            # Reasoning of an earlier turn: the providers take no reasoning back.
            continue
        else:
            raise FieldError(
                f"{param}.type: {kind!r} is not supported (use message, function_call, "
                "function_call_output or reasoning items)",
                f"{param}.type",
            )
    return messages


def output_messages(output: list[dict[str, Any]]) -> Messages:
    """A response's output items as the chat messages that continue the conversation."""
    return input_messages(
        [item for item in output if item.get("type") != "reasoning"], allow_empty=True
    )


def _required_str(item: dict[str, Any], name: str, param: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise FieldError(f"{param}.{name}: must be a non-empty string", f"{param}.{name}")
    return value


def _message(item: dict[str, Any], param: str) -> Message:
    role = _ROLES.get(item.get("role"))  # type: ignore[arg-type]
    if role is None:
        raise FieldError(
            f"{param}.role: must be user, assistant, system or developer", f"{param}.role"
        )
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise FieldError(
            f"{param}.content: must be a string or a list of parts", f"{param}.content"
        )
    parts = [_part(part, f"{param}.content[{i}]") for i, part in enumerate(content)]
    if all(part["type"] == "text" for part in parts):
        # Plain text parts travel as one string: every provider takes that.
        return {"role": role, "content": "".join(part["text"] for part in parts)}
    if role != "user":
        raise FieldError(f"{param}.content: only user messages may hold images", param)
    return {"role": role, "content": parts}


def _part(part: Any, param: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise FieldError(f"{param}: must be an object", param)
    kind = part.get("type")
    if kind in _TEXT_PARTS:
        text = part.get("text")
        if not isinstance(text, str):
            raise FieldError(f"{param}.text: must be a string", f"{param}.text")
        return {"type": "text", "text": text}
    if kind == "refusal":
        return {"type": "text", "text": str(part.get("refusal") or "")}
    if kind == "input_image":
        url = part.get("image_url")
        if not isinstance(url, str) or not url:
            raise FieldError(
                f"{param}.image_url: an image URL or data: URI is required (file_id is not "
                "supported)",
                f"{param}.image_url",
            )
        image: dict[str, Any] = {"url": url}
        if part.get("detail") in ("low", "high", "auto"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    raise FieldError(
        f"{param}.type: {kind!r} is not supported (use input_text or input_image)",
        f"{param}.type",
    )


def _append_call(messages: Messages, item: dict[str, Any], param: str) -> None:
    call = {
        "id": _required_str(item, "call_id", param),
        "type": "function",
        "function": {
            "name": _required_str(item, "name", param),
            "arguments": tool_arguments(item.get("arguments", "{}")),
        },
    }
    last = messages[-1] if messages else None
    if last is not None and last["role"] == "assistant":
        # Parallel calls (and text before them) are one assistant turn in chat messages.
        last.setdefault("tool_calls", []).append(call)
    else:
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def _output_text(output: Any, param: str) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "".join(
            _part(part, f"{param}[{i}]").get("text", "") for i, part in enumerate(output)
        )
    raise FieldError(f"{param}: must be a string or a list of text parts", param)


def _chat_tool(tool: Any, param: str) -> dict[str, Any]:
    if not isinstance(tool, dict):
        raise FieldError(f"{param}: must be an object", param)
    if tool.get("type") != "function":
        raise FieldError(
            f"{param}.type: {tool.get('type')!r} tools are not supported (only function tools)",
            f"{param}.type",
        )
    function: dict[str, Any] = {"name": _required_str(tool, "name", param)}
    for name in ("description", "parameters", "strict"):
        if tool.get(name) is not None:
            function[name] = tool[name]
    return {"type": "function", "function": function}


def _chat_tool_choice(choice: Any) -> Any:
    if choice in ("none", "auto", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        name = choice.get("name")
        if isinstance(name, str) and name:
            return {"type": "function", "function": {"name": name}}
    raise FieldError(
        "tool_choice: must be 'none', 'auto', 'required' or {'type': 'function', 'name': ...}",
        "tool_choice",
    )


def _response_format(fmt: Any) -> dict[str, Any] | None:
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        raise FieldError("text.format: must be an object", "text.format")
    kind = fmt.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "json_schema":
        schema = fmt.get("schema")
        if not isinstance(schema, dict):
            raise FieldError("text.format.schema: must be an object", "text.format.schema")
        spec: dict[str, Any] = {"name": _required_str(fmt, "name", "text.format"), "schema": schema}
        for name in ("strict", "description"):
            if fmt.get(name) is not None:
                spec[name] = fmt[name]
        return {"type": "json_schema", "json_schema": spec}
    raise FieldError(
        "text.format.type: must be text, json_object or json_schema", "text.format.type"
    )
