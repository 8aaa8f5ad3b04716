"""Validation of the structured chat fields: ``messages``, ``tools``, ``tool_choice``,
``response_format``, with OpenAI's types and rules (``param`` names the exact field)."""

from __future__ import annotations

import re
from typing import Any

from ._fields import bad, check_text, enum, join, obj, optional_bool, optional_str, wrong_type

__all__ = ["check_messages", "check_tools", "check_tool_choice", "check_response_format"]

ROLES = ("system", "developer", "user", "assistant", "tool", "function")
#: Which content part types each role may send (OpenAI's chat completions API).
PARTS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "system": ("text",),
    "developer": ("text",),
    "user": ("text", "image_url", "input_audio", "file"),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
    "function": ("text",),
}
#: OpenAI's function and schema name grammar.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TOOLS = 128


def _name(data: dict[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    where = join(path, key)
    if value is None:
        raise bad(f"Missing required parameter: '{where.replace('.[', '[')}'", where)
    check_text(value, where)
    if not _NAME.match(value):
        raise bad(f"'{where}' must be 1-64 letters, digits, '_' or '-'", where)
    return value


def _part(part: Any, role: str, path: str) -> None:
    part = obj(part, path)
    kind = part.get("type")
    allowed = PARTS_BY_ROLE[role]
    if not isinstance(kind, str) or kind not in allowed:
        raise bad(
            f"Invalid value for '{join(path, 'type')}': a {role} message's content parts "
            f"are of type {', '.join(allowed)}",
            join(path, "type"),
        )
    if kind == "text":
        check_text(part.get("text"), join(path, "text"))
    elif kind == "refusal":
        check_text(part.get("refusal"), join(path, "refusal"))
    elif kind == "image_url":
        image = part.get("image_url")
        where = join(path, "image_url")
        if isinstance(image, str):  # a bare URL string, as some clients send
            return
        image = obj(image, where)
        check_text(image.get("url"), join(where, "url"))
        enum(image, "detail", ("auto", "low", "high"), path=where)
    elif kind == "input_audio":
        where = join(path, "input_audio")
        audio = obj(part.get("input_audio"), where)
        check_text(audio.get("data"), join(where, "data"))
        if enum(audio, "format", ("wav", "mp3"), path=where) is None:
            raise bad(
                f"Missing required parameter: '{join(where, 'format')}'", join(where, "format")
            )
    else:  # file
        where = join(path, "file")
        file = obj(part.get("file"), where)
        for key in ("file_data", "file_id", "filename"):
            optional_str(file, key, path=where)


def _tool_calls(message: dict[str, Any], path: str) -> None:
    calls = message.get("tool_calls")
    if calls is None:
        return
    where = join(path, "tool_calls")
    if not isinstance(calls, list):
        raise wrong_type(where, "an array", calls)
    for index, call in enumerate(calls):
        at = join(where, index)
        call = obj(call, at)
        check_text(call.get("id"), join(at, "id"))
        enum(call, "type", ("function",), path=at)
        function = obj(call.get("function"), join(at, "function"))
        check_text(function.get("name"), join(at, "function.name"))
        check_text(function.get("arguments"), join(at, "function.arguments"))


def check_messages(messages: Any) -> None:
    """Every message: a known role, content of the right shape for it, string names and ids."""
    if not isinstance(messages, list):
        if isinstance(messages, str) and messages:
            return  # g4f's shorthand for one user message
        raise wrong_type("messages", "a non-empty array", messages)
    if not messages:
        raise bad("'messages' must not be empty", "messages")
    for index, message in enumerate(messages):
        path = join("messages", index)
        message = obj(message, path)
        role = message.get("role")
        if role is None:
            raise bad(f"Missing required parameter: 'messages[{index}].role'", join(path, "role"))
        role = enum(message, "role", ROLES, path=path)
        assert role is not None
        optional_str(message, "name", path=path)
        content = message.get("content")
        where = join(path, "content")
        if content is None:
            if role != "assistant":
                raise bad(f"Missing required parameter: 'messages[{index}].content'", where)
        elif isinstance(content, list):
            if not content:
                raise bad(f"'messages[{index}].content' must not be an empty array", where)
            for number, part in enumerate(content):
                _part(part, role, join(where, number))
        elif not isinstance(content, str):
            raise wrong_type(where, "a string or an array of content parts", content)
        if role == "assistant":
            _tool_calls(message, path)
        if role == "tool":
            check_text(message.get("tool_call_id"), join(path, "tool_call_id"))


def check_tools(tools: Any) -> list[dict[str, Any]] | None:
    """``tools``: up to 128 ``{"type": "function", "function": {name, description?,
    parameters?, strict?}}`` (or ``custom`` tools with a name)."""
    if tools is None:
        return None
    if not isinstance(tools, list):
        raise wrong_type("tools", "an array of tools", tools)
    if len(tools) > MAX_TOOLS:
        raise bad(f"'tools' holds more than {MAX_TOOLS} tools", "tools")
    for index, tool in enumerate(tools):
        path = join("tools", index)
        tool = obj(tool, path)
        kind = enum(tool, "type", ("function", "custom"), path=path)
        if kind is None:
            raise bad(f"Missing required parameter: 'tools[{index}].type'", join(path, "type"))
        body = obj(tool.get(kind), join(path, kind))
        _name(body, "name", join(path, kind))
        optional_str(body, "description", path=join(path, kind))
        if kind == "function":
            parameters = body.get("parameters")
            if parameters is not None:
                obj(parameters, join(path, "function.parameters"))
            optional_bool(body, "strict", path=join(path, "function"))
    return tools or None


def check_tool_choice(choice: Any, tools: list[dict[str, Any]] | None) -> Any:
    """``none`` / ``auto`` / ``required`` or an object naming a function (needs ``tools``)."""
    if choice is None:
        return None
    if isinstance(choice, str):
        enum({"tool_choice": choice}, "tool_choice", ("none", "auto", "required"))
        if choice == "required" and not tools:
            raise bad("'tool_choice' 'required' needs 'tools'", "tool_choice")
        return choice
    choice = obj(choice, "tool_choice")
    kind = enum(choice, "type", ("function", "custom", "allowed_tools"), path="tool_choice")
    if kind is None:
        raise bad("Missing required parameter: 'tool_choice.type'", "tool_choice.type")
    if kind == "allowed_tools":
        allowed = obj(choice.get("allowed_tools"), "tool_choice.allowed_tools")
        enum(allowed, "mode", ("auto", "required"), path="tool_choice.allowed_tools")
        if not isinstance(allowed.get("tools"), list):
            raise wrong_type("tool_choice.allowed_tools.tools", "an array", allowed.get("tools"))
    else:
        _name(obj(choice.get(kind), f"tool_choice.{kind}"), "name", f"tool_choice.{kind}")
    if not tools:
        raise bad("'tool_choice' names a tool but 'tools' is empty", "tool_choice")
    return choice


def check_response_format(value: Any) -> dict[str, Any] | None:
    """``{"type": "text" | "json_object" | "json_schema", "json_schema"?: {...}}``."""
    if value is None:
        return None
    value = obj(value, "response_format")
    kind = enum(value, "type", ("text", "json_object", "json_schema"), path="response_format")
    if kind is None:
        raise bad("Missing required parameter: 'response_format.type'", "response_format.type")
    if kind == "json_schema":
        schema = obj(value.get("json_schema"), "response_format.json_schema")
        _name(schema, "name", "response_format.json_schema")
        optional_str(schema, "description", path="response_format.json_schema")
        optional_bool(schema, "strict", path="response_format.json_schema")
        if schema.get("schema") is not None:
            obj(schema["schema"], "response_format.json_schema.schema")
    return value
