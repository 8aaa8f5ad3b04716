"""An honest token estimate for models whose tokenizer g4f does not have.

The models behind the providers use many tokenizers (Llama, Qwen, Mistral,
DeepSeek... BPE vocabularies of 32k-150k entries) and loading one would mean a
download, so the count is estimated from the text with rules that follow how
these BPE vocabularies split text:

- a run of ASCII letters is ``ceil(len / 4)`` tokens (common English words are one
  token, long words split in pieces of about four letters);
- a run of digits is ``ceil(len / 3)`` (Llama 3 and Qwen group up to three digits);
- each CJK ideograph, kana or hangul syllable is one token;
- a run of other letters (accented Latin, Cyrillic, Greek, Arabic...) is
  ``ceil(len / 2)``;
- every other visible character (punctuation, symbols, emoji) is one token, a run
  of newlines is one, other whitespace is free (it merges into the next word);
- each chat message adds 4 (the role and the template's separators), the answer's
  priming adds 3, and each image counts 1,600 (the most an image costs in
  Anthropic's published rule ``width x height / 750`` after its resizing to about
  1.15 megapixels: an upper bound, since the size is not decoded);
- tool definitions count as their JSON text.

It is calibrated on the rule of thumb of about four characters per English token
(no tokenizer is at hand to compare with); against a model's real tokenizer expect
errors of a quarter or more, larger for code and other scripts. It is an estimate
and documented as one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["estimate_text", "estimate_messages", "IMAGE_TOKENS", "MESSAGE_TOKENS"]

IMAGE_TOKENS = 1600
MESSAGE_TOKENS = 4
PRIMING_TOKENS = 3

_PIECES = re.compile(
    r"(?P<ascii>[A-Za-z]+)"
    r"|(?P<digits>[0-9]+)"
    r"|(?P<cjk>[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"
    r"|(?P<word>[^\W\d_A-Za-z\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)"
    r"|(?P<newlines>\n+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_DIVISORS = {"ascii": 4, "digits": 3, "word": 2}


def estimate_text(text: str) -> int:
    """Estimated tokens of ``text`` (rules in the module docstring)."""
    total = 0
    for match in _PIECES.finditer(text):
        kind = match.lastgroup
        if kind == "space":
            continue
        divisor = _DIVISORS.get(kind or "")
        total += math.ceil(len(match.group()) / divisor) if divisor else 1
    return total


def _content_tokens(content: Any) -> int:
    if isinstance(content, str):
        return estimate_text(content)
    total = 0
    for part in content or []:
        if not isinstance(part, Mapping):
            continue
        if part.get("type") == "image_url":
            total += IMAGE_TOKENS
        else:
            total += estimate_text(str(part.get("text") or ""))
    return total


def estimate_messages(
    messages: Iterable[Mapping[str, Any]], tools: Iterable[Mapping[str, Any]] | None = None
) -> int:
    """Estimated prompt tokens of chat ``messages`` (OpenAI shape) and ``tools``."""
    total = PRIMING_TOKENS
    for message in messages:
        total += MESSAGE_TOKENS + _content_tokens(message.get("content"))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            total += estimate_text(str(function.get("name") or ""))
            total += estimate_text(str(function.get("arguments") or ""))
    for tool in tools or []:
        total += estimate_text(json.dumps(tool, ensure_ascii=False))
    return total
