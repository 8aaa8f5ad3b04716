"""OpenAI's Responses API, answer side: g4f's answer → a Response object and its events.

Field names and event order follow the ``openai`` SDK's types
(``openai/types/responses/response*.py``) and its stream accumulator
(``openai/lib/streaming/responses/_responses.py``), which checks that every
content event names an output item announced before it. Reasoning becomes a
``reasoning`` item whose summary is the provider's reasoning text, text a
``message`` item with one ``output_text`` part, each tool call a ``function_call``
item. A finish reason of ``length`` makes the response ``incomplete``
(``incomplete_details.reason = "max_output_tokens"``).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from ._common import Block, BlockEncoder, new_id
from .responses import ResponsesRequest

__all__ = ["ResponsesEncoder", "Status", "Lifecycle", "ItemEvent"]

Status = Literal["in_progress", "completed", "incomplete", "failed"]
#: The events of a response's lifecycle (they carry the whole Response).
Lifecycle = Literal[
    "response.created",
    "response.in_progress",
    "response.completed",
    "response.incomplete",
    "response.failed",
]
#: The events about one output item (they carry ``item_id`` and ``output_index``).
ItemEvent = Literal[
    "response.content_part.added",
    "response.content_part.done",
    "response.output_text.delta",
    "response.output_text.done",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_part.done",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
]
_EMPTY_USAGE = {"cached_tokens": 0, "cache_write_tokens": 0}


class ResponsesEncoder(BlockEncoder):
    """Events (``response.created`` … ``response.completed``) and the final Response."""

    def __init__(
        self,
        request: ResponsesRequest,
        input_estimate: int,
        response_id: str | None = None,
        created_at: int | None = None,
    ) -> None:
        super().__init__(request.model, input_estimate)
        self.request = request
        self.id = response_id or new_id("resp")
        self.created_at = created_at or int(time.time())
        self.output: list[dict[str, Any]] = []
        self.status: Status = "in_progress"
        self.error: dict[str, Any] | None = None
        self._sequence = 0
        self._index = -1
        self._item: dict[str, Any] = {}
        self._parts: list[str] = []

    # --- lifecycle -----------------------------------------------------------
    def start(self) -> list[dict[str, Any]]:
        """``response.created`` and ``response.in_progress``."""
        self._lifecycle("response.created")
        self._lifecycle("response.in_progress")
        return self._take()

    def end(self) -> list[dict[str, Any]]:
        """Close the open item; ``response.completed`` (or ``response.incomplete``)."""
        self._close()
        if self.finish_reason == "length":
            self.status = "incomplete"
            self._lifecycle("response.incomplete")
        else:
            self.status = "completed"
            self._lifecycle("response.completed")
        return self._take()

    def fail(self, code: str, message: str) -> list[dict[str, Any]]:
        """Close the open item as incomplete; ``response.failed`` carrying the error."""
        self.finish_reason = self.finish_reason or "error"
        self._close()
        self.status = "failed"
        self.error = {"code": code, "message": message}
        self._lifecycle("response.failed")
        return self._take()

    def response(self) -> dict[str, Any]:
        """The Response object as it stands."""
        done = self.status in ("completed", "incomplete")
        body: dict[str, Any] = {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": self.status,
            "error": self.error,
            "incomplete_details": (
                {"reason": "max_output_tokens"} if self.status == "incomplete" else None
            ),
            "model": self.model,
            "output": list(self.output) if self.status != "in_progress" else [],
            **self.request.echo,
            "usage": self._usage() if done else None,
        }
        if self.provider:
            body["provider"] = self.provider
        return body

    # --- blocks --------------------------------------------------------------
    def _begin(self, kind: Block) -> None:
        self._index += 1
        self._parts = []
        if kind == "text":
            self._item = {
                "id": new_id("msg"),
                "type": "message",
                "status": "in_progress",
                "role": "assistant",
                "content": [],
            }
            self._added()
            self._event(
                "response.content_part.added",
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": []},
            )
        else:
            self._item = {"id": new_id("rs"), "type": "reasoning", "summary": []}
            self._added()
            self._event(
                "response.reasoning_summary_part.added",
                summary_index=0,
                part={"type": "summary_text", "text": ""},
            )

    def _grow(self, kind: Block, delta: str) -> None:
        self._parts.append(delta)
        if kind == "text":
            self._event("response.output_text.delta", content_index=0, delta=delta, logprobs=[])
        else:
            self._event("response.reasoning_summary_text.delta", summary_index=0, delta=delta)

    def _end(self, kind: Block) -> None:
        text = "".join(self._parts)
        item = self._item
        if kind == "text":
            part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
            self._event("response.output_text.done", content_index=0, text=text, logprobs=[])
            self._event("response.content_part.done", content_index=0, part=part)
            item["content"] = [part]
            cut = self.finish_reason in ("length", "error")
            item["status"] = "incomplete" if cut else "completed"
        else:
            part = {"type": "summary_text", "text": text}
            self._event("response.reasoning_summary_text.done", summary_index=0, text=text)
            self._event("response.reasoning_summary_part.done", summary_index=0, part=part)
            item["summary"] = [part]
        self._done(item)

    def _tool(self, call_id: str, name: str, arguments: str) -> None:
        self._index += 1
        self._item = {
            "id": new_id("fc"),
            "type": "function_call",
            "status": "in_progress",
            "arguments": "",
            "call_id": call_id,
            "name": name,
        }
        self._added()
        self._event("response.function_call_arguments.delta", delta=arguments)
        self._event("response.function_call_arguments.done", arguments=arguments, name=name)
        self._done({**self._item, "arguments": arguments, "status": "completed"})

    # --- event helpers -------------------------------------------------------
    def _added(self) -> None:
        self._emit(
            {
                "type": "response.output_item.added",
                "sequence_number": self._next(),
                "output_index": self._index,
                "item": dict(self._item),
            }
        )

    def _done(self, item: dict[str, Any]) -> None:
        self.output.append(item)
        self._emit(
            {
                "type": "response.output_item.done",
                "sequence_number": self._next(),
                "output_index": self._index,
                "item": item,
            }
        )

    def _event(self, kind: ItemEvent, **fields: Any) -> None:
        self._emit(
            {
                "type": kind,
                "sequence_number": self._next(),
                "item_id": self._item["id"],
                "output_index": self._index,
                **fields,
            }
        )

    def _lifecycle(self, kind: Lifecycle) -> None:
        self._emit({"type": kind, "sequence_number": self._next(), "response": self.response()})

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence - 1

    def _usage(self) -> dict[str, Any]:
        prompt, completion = self.input_tokens, self.output_tokens
        return {
            "input_tokens": prompt,
            "input_tokens_details": dict(_EMPTY_USAGE),
            "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + completion,
        }
