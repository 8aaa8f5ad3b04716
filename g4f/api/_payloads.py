"""Client objects → the JSON the OpenAI API sends (plus g4f's ``provider`` field)."""

from __future__ import annotations

import json
from typing import Any

from ..client.stubs import (
    ChatCompletion,
    ChatCompletionChunk,
    ImagesResponse,
    ModelsPage,
    ToolCallModel,
)

__all__ = [
    "completion_payload",
    "chunk_payload",
    "usage_chunk",
    "images_payload",
    "models_payload",
    "sse",
]


def sse(payload: Any) -> bytes:
    """One server-sent event carrying ``payload`` as JSON."""
    return (
        b"data: "
        + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        + b"\n\n"
    )


def _tool_calls(calls: list[ToolCallModel] | None, with_index: bool) -> list[dict[str, Any]] | None:
    if not calls:
        return None
    result = []
    for call in calls:
        item: dict[str, Any] = {
            "id": call.id,
            "type": call.type,
            "function": {"name": call.function.name, "arguments": call.function.arguments},
        }
        if with_index:
            item["index"] = call.index or 0
        result.append(item)
    return result


def completion_payload(completion: ChatCompletion) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    choices = []
    for choice in completion.choices:
        message = choice.message
        tool_calls = _tool_calls(message.tool_calls, with_index=False)
        body: dict[str, Any] = {
            "role": message.role,
            "content": None if tool_calls and not message.content else message.content,
        }
        if message.reasoning:
            body["reasoning"] = message.reasoning
        if tool_calls:
            body["tool_calls"] = tool_calls
        choices.append(
            {
                "index": choice.index,
                "message": body,
                "finish_reason": choice.finish_reason,
                "logprobs": None,
            }
        )
    payload: dict[str, Any] = {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.model,
        "provider": completion.provider,
        "choices": choices,
        "usage": completion.usage.model_dump(),
    }
    if completion.media:
        payload["media"] = completion.media
    if completion.sources:
        payload["sources"] = completion.sources
    return payload


def _delta(chunk: ChatCompletionChunk) -> tuple[dict[str, Any], str | None]:
    choice = chunk.choices[0]
    delta = choice.delta
    body: dict[str, Any] = {}
    if delta.role:
        body["role"] = delta.role
    if delta.content is not None:
        body["content"] = delta.content
    if delta.reasoning is not None:
        body["reasoning"] = delta.reasoning
    calls = _tool_calls(delta.tool_calls, with_index=True)
    if calls:
        body["tool_calls"] = calls
    return body, choice.finish_reason


def chunk_payload(chunk: ChatCompletionChunk) -> dict[str, Any]:
    """A ``chat.completion.chunk`` object (conversation state is not sent over HTTP)."""
    delta, finish = _delta(chunk)
    payload: dict[str, Any] = {
        "id": chunk.id,
        "object": "chat.completion.chunk",
        "created": chunk.created,
        "model": chunk.model,
        "provider": chunk.provider,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    for name in ("media", "sources", "progress"):
        if chunk.extra and name in chunk.extra:
            payload[name] = chunk.extra[name]
    return payload


def usage_chunk(last: ChatCompletionChunk) -> dict[str, Any]:
    """The extra last chunk that ``stream_options.include_usage`` asks for."""
    usage = (
        last.usage.model_dump()
        if last.usage is not None
        else {
            "prompt_tokens": 0,
            "completion_tokens": 0,
            "total_tokens": 0,
        }
    )
    return {
        "id": last.id,
        "object": "chat.completion.chunk",
        "created": last.created,
        "model": last.model,
        "provider": last.provider,
        "choices": [],
        "usage": usage,
    }


def images_payload(result: ImagesResponse) -> dict[str, Any]:
    """An ``ImagesResponse`` object (also used for video results)."""
    data = []
    for item in result.data:
        entry: dict[str, Any] = {"revised_prompt": item.revised_prompt}
        if item.b64_json is not None:
            entry["b64_json"] = item.b64_json
        else:
            entry["url"] = item.url
        data.append(entry)
    return {
        "created": result.created,
        "data": data,
        "model": result.model,
        "provider": result.provider,
    }


def models_payload(page: ModelsPage) -> dict[str, Any]:
    """The ``GET /v1/models`` list."""
    return {
        "object": "list",
        "data": [
            {
                "id": m.id,
                "object": "model",
                "created": m.created,
                "owned_by": m.owned_by,
                "providers": m.providers,
                "type": m.type,
                "vision": m.vision,
            }
            for m in page.data
        ],
    }
