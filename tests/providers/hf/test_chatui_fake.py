"""The fake chat-ui keeps to the real source: driven with raw HTTP, as a browser would.

chat-ui has no client library on PyPI or npm (its browser code is the client), so
these tests speak the wire format of ``src/lib/utils/messageUpdates.ts`` directly
and check the answers of the routes the fake copies.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from g4f.requests import FormFile, StreamSession
from tests.fakes.chatui import ChatUIServer

MODEL = "openai/gpt-oss-120b"


@pytest.fixture
def server() -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        yield fake


async def _json(session: StreamSession, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with getattr(session, method)(url, **kwargs) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


async def _create(server: ChatUIServer, session: StreamSession) -> tuple[str, str]:
    status, body = await _json(
        session, "post", f"{server.base}/conversation", json={"model": MODEL}
    )
    assert status == 200
    root = json.loads(body["conversation"])["json"]["messages"][-1]["id"]
    return body["conversationId"], root


async def _post(
    server: ChatUIServer,
    session: StreamSession,
    conv: str,
    data: dict[str, Any],
    files: list[FormFile] = (),
) -> tuple[int, list[dict[str, Any]]]:
    form = [FormFile("data", json.dumps(data)), *files]
    headers = {"origin": server.url}
    async with session.post(
        f"{server.base}/conversation/{conv}", form=form, headers=headers
    ) as response:
        if response.status != 200:
            return response.status, [json.loads(await response.text())]
        updates = []
        async for line in _lines(response.iter_lines()):
            updates.append(line)
            if line.get("type") == "finalAnswer":
                break
        return 200, updates


async def _lines(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    async for raw in lines:
        if raw.strip():
            yield json.loads(raw)


async def test_anonymous_sessions_read_but_cannot_post(server: ChatUIServer) -> None:
    # hooks/handle.ts + api/v2/user/+server.ts
    async with StreamSession() as anonymous:
        assert await _json(anonymous, "get", f"{server.base}/api/v2/user") == (200, {"json": None})
        status, body = await _json(anonymous, "get", f"{server.base}/api/v2/conversations")
        assert status == 200 and body["json"] == []
        status, body = await _json(
            anonymous, "post", f"{server.base}/conversation", json={"model": MODEL}
        )
        assert (status, body) == (401, {"error": "You have to be logged in."})


async def test_create_validates_the_model_like_zod(server: ChatUIServer) -> None:
    # routes/conversation/+server.ts: validateModel is a z.enum; safeParse failure → 400.
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as session:
        status, body = await _json(
            session, "post", f"{server.base}/conversation", json={"model": "gone/model"}
        )
        assert (status, body) == (400, {"message": "Invalid request"})
        status, body = await _json(
            session, "post", f"{server.base}/conversation", json={"model": "hidden/model"}
        )
        assert (status, body["message"]) == (
            400,
            "Can't start a conversation with an unlisted model",
        )


async def test_message_schema_strips_unknown_fields_and_rejects_wrong_types(
    server: ChatUIServer,
) -> None:
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as session:
        conv, root = await _create(server, session)
        data = {
            "inputs": "hi",
            "id": root,
            "tools": ["000000000000000000000001"],
            "web_search": True,
            "is_continue": False,
        }
        status, _ = await _post(server, session, conv, data)
        assert status == 200
        post = server.state.posts[-1]
        assert set(post["raw"]) >= {"tools", "web_search", "is_continue"}
        assert set(post["data"]) == {"inputs", "id", "selectedMcpServers"}  # stripped, defaulted
        status, body = await _post(
            server, session, conv, {"inputs": "hi", "id": root, "is_retry": "yes"}
        )
        assert status == 500 and body[0]["message"] == "An error occurred"


async def test_other_users_conversations_are_403_to_read_and_404_to_post(
    server: ChatUIServer,
) -> None:
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as alice:
        conv, root = await _create(server, alice)
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as bob:
        status, body = await _json(bob, "get", f"{server.base}/api/v2/conversations/{conv}")
        assert status == 403 and "don't have access" in body["message"]
        status, body = await _post(server, bob, conv, {"inputs": "hi", "id": root})
        assert (status, body) == (404, [{"message": "Conversation not found"}])
        status, _ = await _json(bob, "get", f"{server.base}/api/v2/conversations/{'0' * 24}")
        assert status == 404


async def test_an_untyped_text_document_is_dropped_like_prepare_files_does(
    server: ChatUIServer,
) -> None:
    # uploadFile.ts keeps the sent type when file-type finds none; prepareFiles.ts drops it.
    text = base64.b64encode(b"plain notes").decode()
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as session:
        conv, root = await _create(server, session)
        octet = FormFile("files", text, "base64;notes.txt", "application/octet-stream")
        await _post(server, session, conv, {"inputs": "read", "id": root}, [octet])
        assert server.state.posts[-1]["view"]["dropped"] == ["application/octet-stream"]
        assert server.state.posts[-1]["view"]["documents"] == []


async def test_tool_updates_have_the_shape_tool_invocation_emits(server: ChatUIServer) -> None:
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as session:
        conv, root = await _create(server, session)
        data = {"inputs": "draw an image", "id": root, "selectedMcpServerNames": ["Hugging Face"]}
        status, updates = await _post(server, session, conv, data)
    assert status == 200
    tools = [u for u in updates if u["type"] == "tool"]
    assert [u["subtype"] for u in tools] == ["call", "eta", "progress", "result"]
    assert len({u["uuid"] for u in tools}) == 1
    output = tools[-1]["result"]["outputs"][0]
    assert [b["type"] for b in output["content"]] == ["image", "text"]
    assert output["text"].startswith("Image URL: ")
    final = next(u for u in updates if u["type"] == "finalAnswer")
    assert final["interrupted"] is False
    streamed = [u["token"] for u in updates if u["type"] == "stream"]
    assert all(len(t) >= 16 for t in streamed)  # NUL padding against length side channels


async def test_stop_generating_interrupts_and_clamps(server: ChatUIServer) -> None:
    server.state.extra_tokens, server.state.token_gap = 100, 0.02
    generation = str(uuid.uuid4())
    async with StreamSession(cookies=server.state.new_session(), impersonate="chrome") as session:
        conv, root = await _create(server, session)
        form = [
            FormFile(
                "data", json.dumps({"inputs": "story", "id": root, "generationId": generation})
            )
        ]
        async with session.post(
            f"{server.base}/conversation/{conv}", form=form, headers={"origin": server.url}
        ) as response:
            updates: list[dict[str, Any]] = []
            async for update in _lines(response.iter_lines()):
                updates.append(update)
                if sum(1 for u in updates if u["type"] == "stream") == 3:
                    status, _ = await _json(
                        session,
                        "post",
                        f"{server.base}/conversation/{conv}/stop-generating",
                        json={"generationId": generation, "seenContentLength": 5},
                    )
                    assert status == 200
                if update["type"] == "finalAnswer":
                    break
    assert updates[-1] == {"type": "finalAnswer", "text": "Hello"[:5], "interrupted": True}
