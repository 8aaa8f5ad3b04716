"""A HuggingChat conversation begun on one ``g4f api`` continues on another (shared Redis).

Only the first gateway has the chat-ui session in its cookies dir: the second uses
the credentials the first stored, and the fake chat-ui (tests/fakes/chatui.py) sees
the same conversation id and the right parent message on every turn.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.chatui import ChatUIServer, har_for
from tests.gateway import Gateway
from tests.redis_server import RedisServer

MODEL = "openai/gpt-oss-120b"
CHAT = "/v1/chat/completions"


@pytest.fixture
def chatui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
        yield fake


@pytest.fixture
def pair(
    chatui: ChatUIServer, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[Gateway, Gateway]]:
    with_session, without = tmp_path / "cookies-a", tmp_path / "cookies-b"
    for path in (with_session, without):
        path.mkdir()
    creds = chatui.state.new_session()
    (with_session / "huggingface.co.har").write_text(json.dumps(har_for(creds)))
    args = ("--redis", redis_server.url)
    with (
        Gateway(*args, env={"G4F_COOKIES_DIR": str(with_session)}) as one,
        Gateway(*args, env={"G4F_COOKIES_DIR": str(without)}) as two,
    ):
        yield one, two


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def ask(
    http: aiohttp.ClientSession, gateway: Gateway, messages: list[dict[str, Any]], **extra: Any
) -> tuple[dict[str, Any], str]:
    body = {"model": MODEL, "provider": "HuggingChat", "messages": messages, **extra}
    async with http.post(f"{gateway.url}{CHAT}", json=body) as response:
        data = await response.json()
        assert response.status == 200, data
        return data, response.headers["X-Conversation-Id"]


async def ask_streamed(
    http: aiohttp.ClientSession, gateway: Gateway, messages: list[dict[str, Any]]
) -> tuple[str, str]:
    body = {"model": MODEL, "provider": "HuggingChat", "messages": messages, "stream": True}
    async with http.post(f"{gateway.url}{CHAT}", json=body) as response:
        assert response.status == 200
        events = [
            line[6:] for line in (await response.text()).splitlines() if line.startswith("data: {")
        ]
        text = "".join(
            (json.loads(e)["choices"] or [{}])[0].get("delta", {}).get("content") or ""
            for e in events
        )
        return text, response.headers["X-Conversation-Id"]


async def test_a_conversation_continues_on_the_other_gateway(
    pair: tuple[Gateway, Gateway], chatui: ChatUIServer, http: aiohttp.ClientSession
) -> None:
    one, two = pair
    history = [{"role": "user", "content": "Tell me a joke"}]
    first, header = await ask(http, one, history)
    conversation_id = first["conversation_id"]
    assert header == conversation_id
    chat_ui_id = chatui.state.posts[-1]["conversation"]
    parent = chatui.state.conversations[chat_ui_id].messages[-1]["id"]
    # Turn 2 on the other gateway, which has no session of its own: the resent history
    # (earlier messages + the answer + a new message) identifies the conversation.
    history += [
        {"role": "assistant", "content": first["choices"][0]["message"]["content"]},
        {"role": "user", "content": "Another one"},
    ]
    second, second_id = await ask_streamed(http, two, history)
    post = chatui.state.posts[-1]
    assert (post["conversation"], post["data"]["id"], post["turn"]) == (chat_ui_id, parent, 2)
    assert post["data"]["inputs"] == "Another one"  # only the new message is sent
    assert second_id == conversation_id and second == chatui.state.answers[-1]
    # Turn 3 back on the first gateway: the history now holds the streamed answer.
    parent = chatui.state.conversations[chat_ui_id].messages[-1]["id"]
    history += [{"role": "assistant", "content": second}, {"role": "user", "content": "More"}]
    third, _ = await ask(http, one, history)
    post = chatui.state.posts[-1]
    assert (post["conversation"], post["data"]["id"], post["turn"]) == (chat_ui_id, parent, 3)
    assert third["conversation_id"] == conversation_id
    # Turn 4 on the other gateway by the explicit conversation_id alone.
    parent = chatui.state.conversations[chat_ui_id].messages[-1]["id"]
    fourth, _ = await ask(
        http, two, [{"role": "user", "content": "Thanks"}], conversation_id=conversation_id
    )
    post = chatui.state.posts[-1]
    assert (post["conversation"], post["data"]["id"], post["turn"]) == (chat_ui_id, parent, 4)
    assert post["data"]["inputs"] == "Thanks"
    assert fourth["conversation_id"] == conversation_id
    assert len(chatui.state.creates) == 1
    # The session cookies never appear in a log line of either gateway.
    creds = next(iter(chatui.state.sessions.items()))
    for gateway in (one, two):
        assert creds[0] not in gateway.text and creds[1] not in gateway.text
