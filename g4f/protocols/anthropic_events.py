"""Anthropic's Messages API, answer side: g4f's answer → a Message and its stream events.

Event names and fields follow the ``anthropic`` SDK's types
(``anthropic/types/raw_*_event.py``) and its accumulator
(``anthropic/lib/streaming/_messages.py``): ``message_start``, then per content
block ``content_block_start`` / ``content_block_delta`` (``text_delta``,
``thinking_delta``, ``input_json_delta``) / ``content_block_stop``, then
``message_delta`` (``stop_reason``, ``stop_sequence``, cumulative ``usage``) and
``message_stop``. Reasoning becomes ``thinking`` blocks only when the request
enabled thinking: Anthropic never returns them otherwise, and clients rely on that.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import ResponseError
from ._common import Block, BlockEncoder, new_id
from .anthropic import MessagesRequest

__all__ = ["MessagesEncoder", "PING"]

PING: dict[str, Any] = {"type": "ping"}


class MessagesEncoder(BlockEncoder):
    """Events (``message_start`` … ``message_stop``) and the final Message."""

    def __init__(
        self, request: MessagesRequest, input_estimate: int, message_id: str | None = None
    ) -> None:
        super().__init__(request.model, input_estimate)
        self.keeps_reasoning = request.thinking
        self.id = message_id or new_id("msg")
        self.content: list[dict[str, Any]] = []
        self.stop_sequence: str | None = None
        self._index = -1
        self._parts: list[str] = []

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> list[dict[str, Any]]:
        """``message_start`` (usage holds the input estimate until the end) and a ``ping``."""
        message = {**self.message(), "content": [], "stop_reason": None}
        message["usage"] = {"input_tokens": self.input_tokens, "output_tokens": 0}
        self._emit({"type": "message_start", "message": message})
        self._emit(dict(PING))
        return self._take()

    def stopped_at(self, sequence: str) -> None:
        """The text was cut at the stop sequence ``sequence``."""
        self.stop_sequence = sequence

    def end(self) -> list[dict[str, Any]]:
        """Close the open block; ``message_delta`` with the stop reason and usage, ``message_stop``."""
        self._close()
        self._emit(
            {
                "type": "message_delta",
                "delta": {"stop_reason": self.stop_reason, "stop_sequence": self.stop_sequence},
                "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
            }
        )
        self._emit({"type": "message_stop"})
        return self._take()

    @property
    def stop_reason(self) -> str:
        if self.stop_sequence is not None:
            return "stop_sequence"
        if self.finish_reason == "length":
            return "max_tokens"
        if self.saw_tools:
            return "tool_use"
        if self.finish_reason == "content_filter":
            return "refusal"
        return "end_turn"

    def message(self) -> dict[str, Any]:
        """The Message object as it stands."""
        body: dict[str, Any] = {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": list(self.content),
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
        }
        if self.provider:
            body["provider"] = self.provider
        return body

    # --- blocks --------------------------------------------------------------
    def _begin(self, kind: Block) -> None:
        self._index += 1
        self._parts = []
        block = (
            {"type": "text", "text": ""}
            if kind == "text"
            else {"type": "thinking", "thinking": "", "signature": ""}
        )
        self._emit({"type": "content_block_start", "index": self._index, "content_block": block})

    def _grow(self, kind: Block, delta: str) -> None:
        self._parts.append(delta)
        body = (
            {"type": "text_delta", "text": delta}
            if kind == "text"
            else {"type": "thinking_delta", "thinking": delta}
        )
        self._emit({"type": "content_block_delta", "index": self._index, "delta": body})

    def _end(self, kind: Block) -> None:
        text = "".join(self._parts)
        self.content.append(
            {"type": "text", "text": text}
            if kind == "text"
            # No signature: g4f cannot sign; callers that send thinking back get it dropped.
            else {"type": "thinking", "thinking": text, "signature": ""}
        )
        self._emit({"type": "content_block_stop", "index": self._index})

    def _tool(self, call_id: str, name: str, arguments: str) -> None:
        tool_input = _tool_input(arguments, name)
        self._index += 1
        start = {"type": "tool_use", "id": call_id, "name": name, "input": {}}
        self._emit({"type": "content_block_start", "index": self._index, "content_block": start})
        self._emit(
            {
                "type": "content_block_delta",
                "index": self._index,
                "delta": {"type": "input_json_delta", "partial_json": json.dumps(tool_input)},
            }
        )
        self._emit({"type": "content_block_stop", "index": self._index})
        self.content.append({**start, "input": tool_input})


def _tool_input(arguments: str, name: str) -> dict[str, Any]:
    """A tool call's arguments as the JSON object Anthropic's ``input`` must be."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ResponseError(f"the model called {name!r} with arguments that are not a JSON object")
    return value
