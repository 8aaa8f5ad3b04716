"""pydantic-ai messages, tools and settings → the arguments of ``client.chat.completions.create``.

Only :mod:`g4f.integration.pydantic_ai` imports this module (after it checked that
pydantic-ai is installed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import (
    AudioUrl,
    BaseToolCallPart,
    BinaryContent,
    CachePoint,
    CompactionPart,
    DocumentUrl,
    FilePart,
    ImageUrl,
    InstructionPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    NativeToolCallPart,
    NativeToolReturnPart,
    RetryFeedbackPart,
    RetryPromptPart,
    SpeechPart,
    SystemPromptPart,
    TextContent,
    TextPart,
    ThinkingPart,
    ToolReturnPart,
    UploadedFile,
    UserPromptPart,
    VideoUrl,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings, ToolOrOutput
from pydantic_ai.tools import ToolDefinition

__all__ = ["map_messages", "tools_and_choice", "request_kwargs"]

Message = dict[str, Any]

#: Generic settings passed on unchanged, under the same name.
_PASSED_SETTINGS = (
    "temperature",
    "max_tokens",
    "top_p",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "extra_body",
)
#: pydantic-ai's unified thinking efforts → the OpenAI ``reasoning_effort`` values.
_EFFORTS = {
    "minimal": "minimal",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "high",
    "max": "high",
}


def _unprepared(part: object) -> UserError:
    return UserError(
        f"`{type(part).__name__}` cannot be sent by G4FModel: call "
        "`model.prepare_messages(messages)` first (an Agent does this for you)."
    )


def _user_item(item: Any) -> dict[str, Any] | None:
    """One OpenAI content part for a user content item (``None`` for cache markers)."""
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, TextContent):
        return {"type": "text", "text": item.content}
    if isinstance(item, ImageUrl):
        return {"type": "image_url", "image_url": {"url": item.url}}
    if isinstance(item, BinaryContent):
        if not item.is_image:
            raise UserError(f"G4FModel sends images only, not {item.media_type} content")
        return {"type": "image_url", "image_url": {"url": item.data_uri}}
    if isinstance(item, CachePoint):
        return None
    if isinstance(item, (AudioUrl, DocumentUrl, VideoUrl, UploadedFile)):
        raise UserError(f"G4FModel does not send {type(item).__name__} content (images only)")
    raise UserError(f"G4FModel cannot send user content of type {type(item).__name__}")


def _user_message(content: str | Sequence[Any]) -> Message:
    if isinstance(content, str):
        return {"role": "user", "content": content}
    parts = [p for p in (_user_item(item) for item in content) if p is not None]
    if all(p["type"] == "text" for p in parts):
        return {"role": "user", "content": "".join(p["text"] for p in parts)}
    return {"role": "user", "content": parts}


def _request_messages(message: ModelRequest) -> Iterable[Message]:
    """A request's parts in order; files returned by tools follow as one user message."""
    tool_files: list[Any] = []
    for part in message.parts:
        if isinstance(part, SystemPromptPart):
            yield {"role": "system", "content": part.content}
        elif isinstance(part, UserPromptPart):
            yield _user_message(part.content)
        elif isinstance(part, ToolReturnPart):
            text, files = part.model_response_str_and_user_content()
            tool_files.extend(files)
            yield {"role": "tool", "tool_call_id": part.tool_call_id, "content": text}
        elif isinstance(part, RetryPromptPart):
            # A direct ``Model.request`` call may still carry the deprecated retry part.
            if part.tool_name is not None:
                yield {
                    "role": "tool",
                    "tool_call_id": part.tool_call_id,
                    "content": part.model_response(),
                }
            else:
                yield {"role": "user", "content": part.model_response()}
        elif isinstance(part, RetryFeedbackPart):
            yield {"role": "user", "content": part.model_response()}
        else:
            raise _unprepared(part)
    if tool_files:
        yield _user_message(tool_files)


def _tool_call(part: BaseToolCallPart) -> dict[str, Any]:
    return {
        "id": part.tool_call_id,
        "type": "function",
        "function": {"name": part.tool_name, "arguments": part.args_as_json_str()},
    }


def _response_message(message: ModelResponse) -> Message | None:
    """The assistant turn; thinking travels as g4f's ``reasoning`` field."""
    texts: list[str] = []
    reasoning: list[str] = []
    calls: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ThinkingPart):
            reasoning.append(part.content)
        elif isinstance(part, (NativeToolCallPart, NativeToolReturnPart)):
            continue  # run by a provider's own tool: nothing g4f can send back
        elif isinstance(part, BaseToolCallPart):
            calls.append(_tool_call(part))
        elif isinstance(part, (FilePart, CompactionPart)):
            continue  # generated files and compaction summaries have no chat-message form
        elif isinstance(part, SpeechPart):
            raise _unprepared(part)
        else:
            raise UserError(f"G4FModel cannot send a {type(part).__name__} back to the model")
    if not (texts or calls):
        return None
    result: Message = {"role": "assistant", "content": "\n\n".join(texts)}
    if reasoning:
        result["reasoning"] = "\n\n".join(reasoning)
    if calls:
        result["tool_calls"] = calls
    return result


def map_messages(
    messages: Sequence[ModelMessage], instructions: Sequence[InstructionPart] | None
) -> list[Message]:
    """g4f messages for a history; instructions become system messages after the leading ones."""
    result: list[Message] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            result.extend(_request_messages(message))
        elif isinstance(message, ModelResponse):
            mapped = _response_message(message)
            if mapped is not None:
                result.append(mapped)
        else:
            raise UserError(f"G4FModel cannot send a {type(message).__name__}")
    if instructions:
        leading = next((i for i, m in enumerate(result) if m["role"] != "system"), len(result))
        result[leading:leading] = [
            {"role": "system", "content": part.content} for part in instructions
        ]
    return result


def _tool(definition: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {
        "name": definition.name,
        "parameters": definition.parameters_json_schema,
    }
    if definition.description:
        function["description"] = definition.description
    if definition.strict is not None:
        function["strict"] = definition.strict
    return {"type": "function", "function": function}


def _chosen_tools(
    settings: ModelSettings, params: ModelRequestParameters
) -> tuple[str, set[str] | None]:
    """``(mode, names)``: mode auto/required/none, names the tools it is limited to (or all)."""
    choice = settings.get("tool_choice")
    direct = params.allow_text_output or params.allow_image_output
    open_mode = "auto" if direct else "required"
    outputs = {tool.name for tool in params.output_tools}
    if choice in (None, "auto"):
        return open_mode, None
    if choice == "none" or choice == []:
        if outputs:
            return open_mode, outputs
        return "none", None
    if choice == "required":
        if not params.function_tools:
            raise UserError('tool_choice="required" needs at least one function tool')
        return "required", None
    if isinstance(choice, list):
        return "required", set(choice)
    if isinstance(choice, ToolOrOutput):
        names = set(choice.function_tools) | outputs
        return (open_mode, names) if names else ("none", None)
    raise UserError(f"unsupported tool_choice: {choice!r}")


def tools_and_choice(
    settings: ModelSettings, params: ModelRequestParameters
) -> tuple[list[dict[str, Any]], Any]:
    """The ``tools`` list and ``tool_choice`` (required when text output is not allowed)."""
    declared = dict(params.declared_tool_defs)
    mode, names = _chosen_tools(settings, params)
    choice: Any = mode
    if names is not None:
        known = names & set(declared)
        if not known:
            raise UserError(f"no tool in tool_choice is known: {sorted(names)}")
        if mode == "required" and len(known) == 1:
            choice = {"type": "function", "function": {"name": next(iter(known))}}
        else:
            declared = {name: tool for name, tool in declared.items() if name in known}
    if not declared:
        return [], None
    return [_tool(tool) for tool in declared.values()], choice


def _response_format(params: ModelRequestParameters) -> dict[str, Any] | None:
    output = params.output_object
    if params.output_mode != "native" or output is None:
        return None
    schema: dict[str, Any] = {"name": output.name or "output", "schema": output.json_schema}
    if output.description:
        schema["description"] = output.description
    if output.strict is not None:
        schema["strict"] = output.strict
    return {"type": "json_schema", "json_schema": schema}


def request_kwargs(settings: ModelSettings, params: ModelRequestParameters) -> dict[str, Any]:
    """Keyword arguments for ``create``: sampling settings, tools, output format, reasoning effort."""
    kwargs: dict[str, Any] = {
        key: settings[key] for key in _PASSED_SETTINGS if settings.get(key) is not None
    }
    if settings.get("stop_sequences"):
        kwargs["stop"] = list(settings["stop_sequences"])
    timeout = settings.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        kwargs["timeout"] = float(timeout)
    tools, choice = tools_and_choice(settings, params)
    if tools:
        kwargs["tools"] = tools
        kwargs["tool_choice"] = choice
        if settings.get("parallel_tool_calls") is not None:
            kwargs["parallel_tool_calls"] = settings["parallel_tool_calls"]
    response_format = _response_format(params)
    if response_format is not None:
        kwargs["response_format"] = response_format
    if isinstance(params.thinking, str) and params.thinking in _EFFORTS:
        kwargs["reasoning_effort"] = _EFFORTS[params.thinking]
    return kwargs
