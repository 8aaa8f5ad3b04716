"""One parser for the router's chat answers, streamed or not.

A streamed answer is a sequence of ``chat.completion.chunk`` objects. A non-stream
answer is turned into one such chunk (:func:`completion_as_chunk`) and fed to the
same :class:`ChatChunkParser`, so both paths produce the same typed chunks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ...providers.response import FinishReason, Reasoning, ToolCalls, Usage

__all__ = ["ChatChunkParser", "completion_as_chunk", "map_finish_reason"]

_REASONING_KEYS = ("reasoning", "reasoning_content", "reasoning_text")
#: A delta with only these keys carries no reasoning (the per-token common case).
_PLAIN_DELTA_KEYS = frozenset({"role", "content"})
_FINISH_ALIASES = {
    "eos_token": "stop",
    "stop_sequence": "stop",
    "eos": "stop",
    "function_call": "tool_calls",
}


def map_finish_reason(reason: str) -> str:
    """OpenAI's finish reason for a router / TGI one (``eos_token`` → ``stop``)."""
    return _FINISH_ALIASES.get(reason, reason)


def completion_as_chunk(data: Mapping[str, Any]) -> dict[str, Any]:
    """A non-stream ``chat.completion`` rewritten as one equivalent stream chunk."""
    choices = []
    for position, choice in enumerate(data.get("choices") or []):
        if not isinstance(choice, Mapping):
            continue
        message = dict(choice.get("message") or {})
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            message["tool_calls"] = [
                {**call, "index": call.get("index", i)}
                for i, call in enumerate(calls)
                if isinstance(call, Mapping)
            ]
        choices.append(
            {
                "index": choice.get("index", position),
                "delta": message,
                "finish_reason": choice.get("finish_reason"),
            }
        )
    chunk = {key: value for key, value in data.items() if key != "choices"}
    chunk["choices"] = choices
    return chunk


class _ToolCallBuffer:
    """Tool-call deltas merged by ``index`` until the stream finishes them."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, Any]] = {}

    def add(self, deltas: list[Any]) -> None:
        for position, delta in enumerate(deltas):
            if not isinstance(delta, Mapping):
                continue
            index = delta.get("index", position)
            index = index if isinstance(index, int) else position
            call = self._calls.setdefault(
                index, {"id": "", "type": "function", "name": "", "arguments": ""}
            )
            if delta.get("id"):
                call["id"] = delta["id"]
            if delta.get("type"):
                call["type"] = delta["type"]
            function = delta.get("function") or {}
            if function.get("name"):
                call["name"] += function["name"]
            arguments = function.get("arguments")
            if isinstance(arguments, (dict, list)):
                call["arguments"] += json.dumps(arguments)
            elif arguments:
                call["arguments"] += str(arguments)

    def flush(self) -> ToolCalls | None:
        if not self._calls:
            return None
        calls = [
            {
                "id": call["id"] or f"call_{index}",
                "type": call["type"],
                "function": {"name": call["name"], "arguments": call["arguments"] or "{}"},
            }
            for index, call in sorted(self._calls.items())
        ]
        self._calls.clear()
        return ToolCalls(calls)


class ChatChunkParser:
    """Turns chat chunks into text, ``Reasoning``, ``ToolCalls``, ``Usage`` and ``FinishReason``.

    Only the first choice is read (the router answers one). Text is passed on as is:
    ``<think>`` tags are split later by the client.
    """

    def __init__(self) -> None:
        self.model: str | None = None
        self._tools = _ToolCallBuffer()
        self._finished = False
        self._usage_sent = False
        #: Whether any chunk had ``choices`` (a stream of other objects is not an answer).
        self.recognised = False

    def feed(self, chunk: Mapping[str, Any]) -> list[Any]:
        """Typed chunks for one received chunk object (a list: this runs once per token)."""
        out: list[Any] = []
        if not _is_map(chunk):
            return out
        if self.model is None and chunk.get("model"):
            self.model = str(chunk["model"])
        choices = chunk.get("choices")
        if choices is not None:
            self.recognised = True
        choices = choices or []
        if choices and _is_map(choices[0]):
            self._choice(choices[0], out)
        usage = chunk.get("usage")
        if (
            usage is not None
            and _is_map(usage)
            and not self._usage_sent
            and any(key in usage for key in ("total_tokens", "prompt_tokens", "completion_tokens"))
        ):
            self._usage_sent = True
            out.append(Usage(**{k: v for k, v in usage.items() if isinstance(k, str)}))
        return out

    def close(self) -> Iterator[Any]:
        """Whatever the stream left pending (tool calls not yet finished)."""
        calls = self._tools.flush()
        if calls is not None:
            yield calls

    def _choice(self, choice: Mapping[str, Any], out: list[Any]) -> None:
        delta = choice.get("delta") or choice.get("message") or {}
        if not delta.keys() <= _PLAIN_DELTA_KEYS:
            for key in _REASONING_KEYS:
                token = delta.get(key)
                if isinstance(token, str) and token:
                    out.append(Reasoning(token))
                    break
        content = delta.get("content")
        if isinstance(content, str) and content:
            out.append(content)
        calls = delta.get("tool_calls")
        if isinstance(calls, list) and calls:
            self._tools.add(calls)
        reason = choice.get("finish_reason")
        if reason and not self._finished:
            self._finished = True
            out.extend(self.close())
            out.append(FinishReason(map_finish_reason(str(reason))))


def _is_map(value: Any) -> bool:
    # ``type(...) is dict`` first: the ABC check is slow and JSON gives plain dicts.
    return type(value) is dict or isinstance(value, Mapping)
