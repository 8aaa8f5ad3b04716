"""Message formatting and stream helpers shared by providers and the client."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..typing import Messages
from .response import Reasoning

__all__ = [
    "to_string",
    "format_prompt",
    "get_system_prompt",
    "get_last_user_message",
    "format_media_prompt",
    "format_prompt_max_length",
    "ThinkSplitter",
]


def to_string(content: Any) -> str:
    """Text of a message content: a string, a part, or a list of parts (text parts only)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        if content.get("type", "text") == "text":
            return str(content.get("text", ""))
        return ""
    if isinstance(content, Iterable):
        return "".join(to_string(part) for part in content if isinstance(part, (Mapping, str)))
    return str(content)


def format_prompt(
    messages: Messages,
    add_special_tokens: bool = False,
    do_continue: bool = False,
    include_system: bool = True,
) -> str:
    """Messages as ``Role: content`` lines ending with ``Assistant:`` (one message: its text)."""
    if not add_special_tokens and len(messages) <= 1:
        return to_string(messages[0]["content"]) if messages else ""
    lines = []
    for message in messages:
        role = str(message.get("role", "user"))
        if not include_system and role in ("system", "developer"):
            continue
        content = to_string(message.get("content"))
        if content.strip():
            lines.append(f"{role.capitalize()}: {content}")
    prompt = "\n".join(lines)
    return prompt if do_continue else f"{prompt}\nAssistant:"


def get_system_prompt(messages: Messages) -> str:
    """The system and developer messages joined by newlines."""
    return "\n".join(
        to_string(m.get("content")) for m in messages if m.get("role") in ("system", "developer")
    )


def get_last_user_message(messages: Messages) -> str:
    """The trailing block of user messages (after skipping trailing non-user ones)."""
    index = len(messages) - 1
    while index >= 0 and messages[index].get("role") != "user":
        index -= 1
    block: list[str] = []
    while index >= 0 and messages[index].get("role") == "user":
        block.append(to_string(messages[index].get("content")).strip())
        index -= 1
    return "\n".join(reversed(block))


def format_media_prompt(messages: Messages, prompt: str | None = None) -> str:
    """The explicit prompt, else the last user message(s)."""
    if prompt:
        return prompt
    if isinstance(messages, str):
        return messages
    return get_last_user_message(messages)


def format_prompt_max_length(
    messages: Messages, max_length: int, formatter: Callable[[Messages], str] = format_prompt
) -> str:
    """Format, dropping middle messages (first 3 + last 3, then system + last) when too long."""
    prompt = formatter(messages)
    if len(prompt) <= max_length:
        return prompt
    if len(messages) > 6:
        prompt = formatter(messages[:3] + messages[-3:])
    if len(prompt) > max_length and len(messages) > 2:
        system = [m for m in messages if m.get("role") in ("system", "developer")]
        prompt = formatter(system + [messages[-1]])
    if len(prompt) > max_length:
        prompt = to_string(messages[-1].get("content"))
    return prompt


class ThinkSplitter:
    """Splits ``<think>…</think>`` out of streamed text into :class:`Reasoning` chunks.

    Tags may be cut across chunk boundaries; text that might be the start of a tag is
    held back until the next chunk decides.
    """

    OPEN = "<think>"
    CLOSE = "</think>"

    def __init__(self) -> None:
        self._inside = False
        self._pending = ""

    @property
    def idle(self) -> bool:
        """Outside a think block with nothing held back: text without ``<`` passes as is."""
        return not self._inside and not self._pending

    def feed(self, text: str) -> list[str | Reasoning]:
        if not self._pending and "<" not in text:
            # No tag and no start of one: the whole text is of the current kind.
            if not text:
                return []
            return [Reasoning(text) if self._inside else text]
        out: list[str | Reasoning] = []
        data = self._pending + text
        self._pending = ""
        while data:
            tag = self.CLOSE if self._inside else self.OPEN
            pos = data.find(tag)
            if pos >= 0:
                self._emit(data[:pos], out)
                data = data[pos + len(tag) :]
                self._inside = not self._inside
                if not self._inside:
                    out.append(Reasoning(status="", label="Finished thinking"))
                continue
            hold = _partial_suffix(data, tag)
            self._emit(data[: len(data) - hold], out)
            self._pending = data[len(data) - hold :]
            break
        return out

    def flush(self) -> list[str | Reasoning]:
        out: list[str | Reasoning] = []
        self._emit(self._pending, out)
        self._pending = ""
        return out

    def _emit(self, text: str, out: list[str | Reasoning]) -> None:
        if text:
            out.append(Reasoning(text) if self._inside else text)


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
