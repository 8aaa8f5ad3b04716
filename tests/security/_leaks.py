"""The secrets harness: recognisable credentials and a checker for every place they could leak.

The values are deliberately *not* shaped like Hugging Face tokens or JWTs, so only
their registration (``add_secret``) can hide them: the shape-based redaction of
``g4f._secrets`` would hide ``hf_...`` values even if a provider forgot to register one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pytest

__all__ = [
    "TOKEN",
    "BILL_TO",
    "HF_CHAT",
    "CHAT_TOKEN",
    "ZEROGPU",
    "SECRETS",
    "LeakCheck",
]

TOKEN = "SECRET-TOKEN-0f1e2d3c4b5a"
BILL_TO = "secret-org-7x"
HF_CHAT = "SECRET-HFCHAT-5b6c7d8e9f"
CHAT_TOKEN = "SECRET-COOKIE-9a8b7c6d5e"
ZEROGPU = "SECRET-ZEROGPU-1a2b3c4d5e"
SECRETS = (TOKEN, BILL_TO, HF_CHAT, CHAT_TOKEN, ZEROGPU)

#: Loggers of the fake servers' own side (they legitimately see the credentials).
_SERVER_LOGGERS = ("aiohttp.access", "aiohttp.server", "aiohttp.web")
_FORMATTER = logging.Formatter()


def _texts_of_exception(exc: BaseException) -> Iterable[str]:
    """Every text a user could see of ``exc``: message, repr, body, line, partial, causes."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield str(current)
        yield repr(current)
        for name in ("body", "line", "partial", "message"):
            value = getattr(current, name, None)
            if isinstance(value, str):
                yield value
        nested = getattr(current, "exceptions", None)
        if isinstance(nested, dict):
            stack.extend(e for e in nested.values() if isinstance(e, BaseException))
        for linked in (getattr(current, "cause", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                stack.append(linked)


class LeakCheck:
    """Collects what a scenario exposed and asserts no secret is in any of it."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog
        caplog.set_level(logging.DEBUG)
        caplog.set_level(logging.DEBUG, logger="g4f")
        self.texts: list[tuple[str, str]] = []
        self.checked_records = 0

    def exception(self, exc: BaseException | None) -> None:
        if exc is not None:
            self.texts += [("exception", text) for text in _texts_of_exception(exc)]

    def chunks(self, chunks: Iterable[Any]) -> None:
        self.texts += [("chunk repr", repr(chunk)) for chunk in chunks]
        self.texts += [("chunk str", str(chunk)) for chunk in chunks]

    def text(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def assert_clean(self) -> None:
        for record in self.caplog.records:
            if record.name.startswith(_SERVER_LOGGERS):
                continue
            self.checked_records += 1
            self.texts.append((f"log {record.name}", record.getMessage()))
            if record.exc_info:
                self.texts.append(
                    (f"log traceback {record.name}", _FORMATTER.formatException(record.exc_info))
                )
            if record.exc_text:  # the server's redaction keeps tracebacks as text only
                self.texts.append((f"log traceback {record.name}", record.exc_text))
        for where, text in self.texts:
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} leaked in {where}: {text[:300]!r}"
