"""Chaos against the fake chat-ui: HuggingChat (JSONL MessageUpdates over curl_cffi)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from g4f.errors import MissingAuthError, NetworkError
from g4f.Provider.hf.HuggingChat import HuggingChat
from tests.chaos._harness import (
    FALLBACK_TEXT,
    SCENARIOS,
    Family,
    Outcome,
    Scenario,
    drive,
    run_scenario,
)
from tests.chaos._proxy import ChaosProxy
from tests.fakes.chatui import ChatUI, ChatUIServer

MODEL = "meta-llama/Llama-3.3-70B-Instruct"
MESSAGES = [{"role": "user", "content": "hello there friend"}]
ANSWER = "Hello from Llama-3.3-70B-Instruct, turn 1, 3 words."


def _jsonl(*updates: object) -> bytes:
    return b"".join(json.dumps(u).encode() + b"\n" for u in updates)


def _body(text: str) -> bytes:
    return _jsonl(
        {"type": "status", "status": "started"},
        {"type": "stream", "token": text},
        {"type": "finalAnswer", "text": text, "interrupted": False},
    )


CHAT = Family(
    name="HuggingChat",
    provider=HuggingChat,
    model=MODEL,
    messages=MESSAGES,
    expected=ANSWER,
    # The message POST is /chat/conversation/<id>; creating one is /chat/conversation.
    path="/chat/conversation/",
    first_path="/chat/conversation",
    content_type="application/jsonl",
    inband=_jsonl(
        {"type": "status", "status": "started"},
        {"type": "status", "status": "error", "message": "Model is overloaded", "statusCode": 503},
    ),
    malformed=b'{"type": "stream", "token": \n',
    body=_body,
    # Keep-alives interleave at random: only token lines are counted.
    count_only=b'"type": "stream"',
    started_after=0,
    overrides={
        # chat-ui interleaves non-JSON noise (the 4 KB of padding); such lines are skipped.
        "malformed line before content": Outcome("full"),
        # chat-ui answers a logged-out session with its login page and a 200.
        "wrong content type (a 200 login page)": Outcome("failover", MissingAuthError),
    },
)


@pytest.fixture(scope="module")
def chat_proxy() -> Iterator[tuple[ChatUIServer, ChaosProxy]]:
    with ChatUIServer(ChatUI(linger_after_final=0.0)) as fake:
        with ChaosProxy(fake.url) as proxy:
            yield fake, proxy


@pytest.fixture
def proxy(
    chat_proxy: tuple[ChatUIServer, ChaosProxy], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> ChaosProxy:
    _, chaos = chat_proxy
    monkeypatch.setenv("HF_ENDPOINT", chaos.url)
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
    return chaos


@pytest.fixture
def family(chat_proxy: tuple[ChatUIServer, ChaosProxy]) -> Family:
    fake, _ = chat_proxy
    return dataclasses.replace(CHAT, kwargs={"cookies": fake.state.new_session()})


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_chat_chaos(
    family: Family, scenario: Scenario, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(family, scenario, proxy, failures)


async def test_connection_refused_fails_over(
    family: Family,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    failures: dict[str, BaseException],
) -> None:
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
    result = await drive(HuggingChat, MODEL, MESSAGES, failures, max_retries=0, **family.kwargs)
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures["HuggingChat"], NetworkError)
