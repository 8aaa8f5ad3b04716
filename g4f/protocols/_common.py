"""What every wire format here shares: field checks, SSE framing, the block encoder base."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from ..errors import InvalidRequestError
from .tokens import estimate_text

__all__ = [
    "FieldError",
    "BlockEncoder",
    "Block",
    "frame",
    "new_id",
    "get_str",
    "get_bool",
    "get_number",
    "get_list",
    "get_object",
    "tool_arguments",
]

Block = Literal["text", "reasoning"]


class FieldError(InvalidRequestError):
    """A request field is missing or wrong; ``param`` names it (the server answers 400)."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def new_id(prefix: str) -> str:
    """A random id such as ``resp_…`` (128 bits: ids are unguessable handles)."""
    return f"{prefix}_{uuid.uuid4().hex}"


def frame(event: Mapping[str, Any]) -> bytes:
    """One server-sent event named after the event's ``type``, carrying it as JSON."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


def get_str(data: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise FieldError(f"{name}: Field required", name)
        return None
    if not isinstance(value, str):
        raise FieldError(f"{name}: must be a string", name)
    return value


def get_bool(data: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise FieldError(f"{name}: must be a boolean", name)
    return value


def get_number(
    data: Mapping[str, Any],
    name: str,
    *,
    integer: bool = False,
    minimum: float | None = None,
    required: bool = False,
) -> Any:
    value = data.get(name)
    if value is None:
        if required:
            raise FieldError(f"{name}: Field required", name)
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise FieldError(f"{name}: must be {'an integer' if integer else 'a number'}", name)
    if minimum is not None and value < minimum:
        raise FieldError(f"{name}: must be at least {minimum:g}", name)
    return value


def get_list(data: Mapping[str, Any], name: str) -> list[Any] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise FieldError(f"{name}: must be a list", name)
    return value


def get_object(data: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldError(f"{name}: must be an object", name)
    return value


def tool_arguments(value: Any) -> str:
    """Tool-call arguments as the JSON text chat messages carry."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class BlockEncoder:
    """The internal answer, piece by piece, as one API's events (sans-IO).

    The answer arrives as text and reasoning deltas, whole tool calls, usage, the
    finish reason and who answered. Text and reasoning come in runs: a change of
    kind closes the open block (message / content block) and opens the next, so
    subclasses only say how a block begins, grows and ends, and how a tool call
    looks. Every public method returns the events it produced (dicts with a
    ``type``), in order; a non-stream answer drives the same methods and keeps only
    the final object, so both modes say the same thing.
    """

    #: Whether reasoning deltas become blocks (else they are counted and dropped).
    keeps_reasoning = True

    def __init__(self, model: str, input_estimate: int) -> None:
        self.model = model
        self.provider: str | None = None
        self.finish_reason: str | None = None
        self.saw_tools = False
        self._input_estimate = input_estimate
        self._prompt_tokens: int | None = None
        self._completion_tokens: int | None = None
        self._open: Block | None = None
        self._out: list[dict[str, Any]] = []
        self._produced: list[str] = []

    # --- the internal answer -------------------------------------------------
    def text(self, delta: str) -> list[dict[str, Any]]:
        if not delta:
            return []
        self._produced.append(delta)
        if self._open != "text":
            self._switch("text")
        self._grow("text", delta)
        return self._take()

    def reasoning(self, delta: str) -> list[dict[str, Any]]:
        if not delta:
            return []
        self._produced.append(delta)
        if not self.keeps_reasoning:
            return []
        if self._open != "reasoning":
            self._switch("reasoning")
        self._grow("reasoning", delta)
        return self._take()

    def tool_call(self, call_id: str, name: str, arguments: str) -> list[dict[str, Any]]:
        self._close()
        self.saw_tools = True
        self._produced.append(arguments)
        self._tool(call_id or new_id("call"), name, arguments)
        return self._take()

    def usage(self, prompt_tokens: int, completion_tokens: int) -> None:
        self._prompt_tokens, self._completion_tokens = prompt_tokens, completion_tokens

    def finish(self, reason: str | None) -> None:
        if reason:
            self.finish_reason = reason

    def answered_by(self, model: str | None, provider: str | None) -> None:
        self.model = model or self.model
        self.provider = provider or self.provider

    def stopped_at(self, sequence: str) -> None:
        """The text was cut at the stop sequence ``sequence`` (APIs that name it override)."""

    def end(self) -> list[dict[str, Any]]:
        """Close the open block; the API's closing events (the answer is final)."""
        raise NotImplementedError

    # --- counts --------------------------------------------------------------
    @property
    def input_tokens(self) -> int:
        """The provider's count, or g4f's estimate when it reported none."""
        return self._prompt_tokens if self._prompt_tokens is not None else self._input_estimate

    @property
    def output_tokens(self) -> int:
        if self._completion_tokens is not None:
            return self._completion_tokens
        return estimate_text("".join(self._produced))

    # --- for subclasses ------------------------------------------------------
    def _emit(self, event: dict[str, Any]) -> None:
        self._out.append(event)

    def _take(self) -> list[dict[str, Any]]:
        out, self._out = self._out, []
        return out

    def _switch(self, kind: Block) -> None:
        self._close()
        self._open = kind
        self._begin(kind)

    def _close(self) -> None:
        if self._open is not None:
            kind, self._open = self._open, None
            self._end(kind)

    def _begin(self, kind: Block) -> None:
        raise NotImplementedError

    def _grow(self, kind: Block, delta: str) -> None:
        raise NotImplementedError

    def _end(self, kind: Block) -> None:
        raise NotImplementedError

    def _tool(self, call_id: str, name: str, arguments: str) -> None:
        raise NotImplementedError
