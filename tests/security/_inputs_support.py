"""Shared by the input tests: attacker strings, and the check that a request stayed on its route."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import strategies as st

from tests.fakes.chatui import ChatUI, ChatUIServer
from tests.fakes.hub import FakeHub
from tests.fakes.router import FakeRouter

__all__ = [
    "ATTACK_MODELS",
    "model_ids",
    "segment_values",
    "under",
    "assert_under",
    "assert_no_token_elsewhere",
    "fake_hub",
    "fake_router",
    "fake_chat",
]

#: The issue's model ids and their variants: each must be refused before any request.
ATTACK_MODELS = [
    "../../api/whoami-v2",
    "../../api/whoami-v2?x=1",
    "a/../../api/whoami-v2",
    "org/model#../../api/whoami-v2",
    "%2e%2e/%2e%2e/api/whoami-v2",
    "org/%2e%2e",
    "..\\..\\api\\whoami-v2",
    "org/model?expand=1",
    "org/model/extra",
    "org/model:../../x",
    "org/model:fal-ai/../../x",
    "/etc/passwd",
    "org/mödel",
    "org/model\udfff",
    "org/model ",
    "..",
    "space:../../api/whoami-v2",
    "space:owner/name/../../x",
]

_PIECES = [
    "/",
    "//",
    ".",
    "..",
    "%",
    "%2e",
    "%2E%2E",
    "%2f",
    "?",
    "#",
    "\\",
    ":",
    "@",
    " ",
    "\t",
    "\udfff",
    "é",
    "\u2024",
    "api",
    "whoami-v2",
    "fal-ai",
    "space:",
    "org",
    "model",
    "-",
    "_",
    "x.git",
]

#: Model ids: free unicode text, attacker pieces glued together, and ids that pass the grammar.
model_ids = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join),
    st.from_regex(
        r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,12}/[A-Za-z0-9_.\-]{0,12}[A-Za-z0-9_](:[a-z0-9\-]{1,10})?",
        fullmatch=True,
    ),
)

#: Values that reach a URL without a grammar (conversation ids, ids a service sends).
segment_values = st.one_of(
    st.text(min_size=0, max_size=30),
    st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map("".join),
)

_SEPARATORS = re.compile(r"[/\\]")


def under(raw_path: str, prefix: str) -> bool:
    """Whether a request path, as sent, stays below ``prefix`` for any server reading it.

    The path must start with ``prefix`` as sent; once percent-decoded no piece between
    ``/`` or ``\\`` may be ``.`` or ``..``; and the decoded, normalized path must still
    start with ``prefix``.
    """
    path = raw_path.split("?", 1)[0]
    if not path.startswith(prefix):
        return False
    decoded = unquote(path, errors="replace")
    if any(piece in (".", "..") for piece in _SEPARATORS.split(decoded)):
        return False
    normal = posixpath.normpath(decoded.replace("\\", "/"))
    expected = unquote(prefix).replace("\\", "/").rstrip("/") + "/"
    return (normal + "/").startswith(expected)


def assert_under(requests: Iterable[Mapping[str, Any]], prefixes: tuple[str, ...]) -> None:
    """Every logged request stayed under one of ``prefixes``."""
    for entry in requests:
        raw = str(entry.get("raw_path") or entry["path"])
        assert any(under(raw, p) for p in prefixes), f"{raw!r} left {prefixes}"


def assert_no_token_elsewhere(
    requests: Iterable[Mapping[str, Any]], token: str, prefixes: tuple[str, ...]
) -> None:
    """The token was sent only to paths under ``prefixes``."""
    for entry in requests:
        headers = {k.lower(): v for k, v in dict(entry.get("headers") or {}).items()}
        if token in headers.get("authorization", ""):
            raw = str(entry.get("raw_path") or entry["path"])
            assert any(under(raw, p) for p in prefixes), f"token sent to {raw!r}"


@pytest.fixture(name="hub", scope="module")
def fake_hub() -> Iterator[FakeHub]:
    with FakeHub() as fake:
        yield fake


@pytest.fixture(name="router", scope="module")
def fake_router() -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        yield fake


@pytest.fixture(name="chat", scope="module")
def fake_chat() -> Iterator[ChatUIServer]:
    with ChatUIServer(ChatUI(linger_after_final=0.0)) as fake:
        yield fake
