"""Redaction of secrets (tokens, cookies) from any text shown to a user or a log."""

from __future__ import annotations

import re
import threading

__all__ = ["add_secret", "redact", "known_secrets"]

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None

# Values that look like credentials even when nobody registered them.
_SHAPES = re.compile(
    r"(hf_[A-Za-z0-9]{8,})"
    r"|((?:bearer|token)\s+)[A-Za-z0-9._\-]{12,}"
    r"|(eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]*)",
    re.I,
)
_MIN_LEN = 6


def add_secret(value: object, min_length: int = _MIN_LEN) -> None:
    """Register a secret value so that :func:`redact` hides it everywhere.

    Values shorter than ``min_length`` are ignored, so that common short words are not
    blanked out of every message; pass a smaller ``min_length`` for values that are
    secret however short (an organisation billed with ``X-HF-Bill-To``).
    """
    if not isinstance(value, str) or len(value) < max(min_length, 3):
        return
    global _pattern
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        ordered = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def known_secrets() -> frozenset[str]:
    """The registered secrets (for tests)."""
    return frozenset(_secrets)


def _shape(match: re.Match[str]) -> str:
    if match.group(2):
        return match.group(2) + "***"
    return "***"


def redact(text: str) -> str:
    """``text`` with every registered secret and every token-shaped value replaced by ``***``."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub("***", text)
    return _SHAPES.sub(_shape, text)
