"""HuggingChat against the fake chat-ui as the service is now (issue 14, items 1–6).

Every test goes through the public client (``Client(...).chat.completions.create``
or ``client.images``) and asserts what the fake received and how many requests
reached it.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from g4f.client import Client
from g4f.errors import InvalidRequestError, MissingCapabilityError, ModelNotFoundError
from g4f.Provider import HuggingChat
from tests.fakes.chatui import ChatUIServer
from tests.fakes.chatui_gen import chatui_sha
from tests.fakes.router import png_bytes

MODEL = "openai/gpt-oss-120b"
VISION = "Qwen/Qwen2.5-VL-32B-Instruct"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 16
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
NOTES = b"# Notes\nLlamas hum.\n"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
        yield fake


def chat(**kwargs: Any) -> Any:
    return Client().chat.completions.create(provider=HuggingChat, **kwargs)


def hits(server: ChatUIServer, method: str, path: str) -> int:
    return sum(1 for r in server.requests if r["method"] == method and r["path"] == path)


def wait_for(condition: Any, deadline: float = 5.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.01)


# --- 1. uploads carry their real type ----------------------------------------------


def test_uploads_are_sent_with_their_sniffed_type_and_all_reach_the_model(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    media = [
        (png_bytes(2, 2), "a.png"),
        (JPEG, "photo"),
        (GIF, None),
        (WEBP, "w.bin"),
        (SVG, "logo.svg"),
        (NOTES, "notes.md"),
        (b'{"k": 1}', "data.json"),
    ]
    chat(messages="Compare these", model="omni", cookies=creds, media=media)
    post = server.state.posts[-1]
    assert [(f["kind"], f["mime"]) for f in post["files"]] == [
        ("base64", "image/png"),
        ("base64", "image/jpeg"),
        ("base64", "image/gif"),
        ("base64", "image/webp"),
        ("base64", "image/svg+xml"),
        ("base64", "text/markdown"),
        ("base64", "application/json"),
    ]
    view = post["view"]
    assert view["dropped"] == []  # prepareFiles.ts used every part
    assert view["images"] == ["image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"]
    assert [(d["mime"], d["text"]) for d in view["documents"]] == [
        ("text/markdown", NOTES.decode()),
        ("application/json", '{"k": 1}'),
    ]
    assert view["text"].endswith("Compare these") and "<document name=" in view["text"]


def test_openai_file_parts_are_text_documents(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    csv = b"name,legs\nllama,4\n"
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Sum the legs"},
                {
                    "type": "file",
                    "file": {
                        "filename": "animals.csv",
                        "file_data": "data:text/csv;base64," + base64.b64encode(csv).decode(),
                    },
                },
            ],
        }
    ]
    chat(messages=messages, model=MODEL, cookies=creds)
    post = server.state.posts[-1]
    assert [(f["name"], f["mime"], f["bytes"]) for f in post["files"]] == [
        ("animals.csv", "text/csv", csv)
    ]
    assert post["view"]["documents"][0]["text"] == csv.decode()
    assert post["data"]["inputs"] == "Sum the legs"


@pytest.mark.parametrize(
    ("item", "match"),
    [
        ((b"%PDF-1.7\n%\xe2\xe3", "paper.pdf"), "application/pdf"),
        ((b"\x00\x01\x02\xff" * 10, "blob"), "application/octet-stream"),
        ((b"x" * (10 * 1024 * 1024 + 1), "big.txt"), "larger than 10 MiB"),
        (("https://example.org/cat.png", None), "uploaded, not linked"),
    ],
)
def test_files_the_service_would_drop_or_refuse_fail_before_any_request(
    server: ChatUIServer, item: tuple[Any, Any], match: str
) -> None:
    creds = server.state.new_session()
    start = time.monotonic()
    with pytest.raises(InvalidRequestError, match=match):
        chat(messages="read this", model=MODEL, cookies=creds, media=[item])
    assert [r["path"] for r in server.requests if r["method"] == "POST"] == []
    assert time.monotonic() - start < 5


def test_images_for_a_text_only_model_are_refused(server: ChatUIServer) -> None:
    from g4f._loop import run_sync

    run_sync(HuggingChat.refresh_models())  # the model list says which models read images
    creds = server.state.new_session()
    with pytest.raises(InvalidRequestError, match="does not read images"):
        chat(messages="what is it", model=MODEL, cookies=creds, media=[(png_bytes(2, 2), "a.png")])
    assert hits(server, "POST", "/chat/conversation") == 0


# --- 2. tools are MCP servers chosen per request -----------------------------------


def test_plain_chat_leaves_the_servers_to_the_service(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    chat(messages="hello", model=MODEL, cookies=creds)
    post = server.state.posts[-1]
    assert "selectedMcpServerNames" not in post["raw"]
    assert not {"tools", "web_search", "is_continue"} & set(post["raw"])
    assert post["servers"] == ["Web Search (Exa)", "Hugging Face"]  # all configured servers


def test_mcp_servers_kwarg_chooses_configured_and_custom_servers(
    server: ChatUIServer, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    import logging

    import g4f.debug

    g4f.debug.enable_logging(logging.DEBUG)
    request.addfinalizer(lambda: g4f.debug.logger.setLevel(logging.NOTSET))
    creds = server.state.new_session()
    custom = {
        "name": "My tools",
        "url": "https://mcp.example.org/mcp",
        "headers": {"Authorization": "Bearer mcp-secret-4242"},
    }
    chat(messages="hello", model=MODEL, cookies=creds, mcp_servers=["Web Search (Exa)", custom])
    post = server.state.posts[-1]
    assert post["data"]["selectedMcpServerNames"] == ["Web Search (Exa)", "My tools"]
    assert post["data"]["selectedMcpServers"] == [
        {
            "name": "My tools",
            "url": "https://mcp.example.org/mcp",
            "headers": [{"key": "Authorization", "value": "Bearer mcp-secret-4242"}],
        }
    ]
    assert post["servers"] == ["Web Search (Exa)", "My tools"]
    chat(messages="search llamas", model=MODEL, cookies=creds, mcp_servers=[])
    assert server.state.posts[-1]["data"]["selectedMcpServerNames"] == []
    assert server.state.posts[-1]["servers"] == [] and "tool_calls" not in server.state.posts[-1]
    assert "mcp-secret-4242" not in caplog.text  # a custom server's header is a secret
    from g4f.errors import G4FError

    assert "mcp-secret-4242" not in str(G4FError("header Bearer mcp-secret-4242"))


@pytest.mark.parametrize(
    "servers",
    ["Web Search (Exa)", [{"url": "https://x.org/mcp"}], [{"name": "a", "url": "ftp://x"}], [3]],
)
def test_bad_mcp_servers_are_refused_before_any_request(server: ChatUIServer, servers: Any) -> None:
    creds = server.state.new_session()
    with pytest.raises(InvalidRequestError, match="MCP server|mcp_servers"):
        chat(messages="hi", model=MODEL, cookies=creds, mcp_servers=servers)
    assert server.requests == []


def test_web_search_returns_sources_and_streams_tool_progress(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    response = chat(messages="search llamas", model=MODEL, cookies=creds, web_search=True)
    assert response.choices[0].message.content == server.state.answers[-1]
    assert [s["url"] for s in response.sources] == [
        "https://example.org/llamas",
        "https://example.com/alpaca?ref=1",
    ]
    assert server.state.posts[-1]["data"]["selectedMcpServerNames"] == ["Web Search (Exa)"]
    chunks = list(
        chat(messages="search alpacas", model=MODEL, cookies=creds, web_search=True, stream=True)
    )
    progress = [c.extra["progress"] for c in chunks if c.extra and "progress" in c.extra]
    assert "Tool: Calling web_search_exa" in progress
    assert "Tool: web_search_exa finished" in progress
    assert any(c.extra and "sources" in c.extra for c in chunks)


def test_web_search_without_results_is_a_typed_error_not_plain_text(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.state.tools.uses_tools = False  # the model answers without searching
    start = time.monotonic()
    with pytest.raises(MissingCapabilityError, match=r"without web sources \(no tool was used\)"):
        chat(messages="search llamas", model=MODEL, cookies=creds, web_search=True)
    assert hits(server, "POST", f"/chat/conversation/{server.state.posts[-1]['conversation']}") == 1
    assert len(server.state.posts) == 1 and time.monotonic() - start < 5


def test_image_request_whose_tool_fails_is_a_typed_error(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.state.tools.fail = True
    with pytest.raises(MissingCapabilityError, match="Space is sleeping"):
        Client().images.generate("a red square", model="flux", provider=HuggingChat, cookies=creds)
    assert len(server.state.posts) == 1


# --- 4. a retired model -------------------------------------------------------------


def test_retired_model_refreshes_the_list_once_and_is_model_not_found(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    retired = "meta-llama/Llama-3.3-70B-Instruct"
    assert retired in HuggingChat.get_models()
    server.state.models = [m for m in server.state.models if m["id"] != retired]
    before = hits(server, "GET", "/chat/api/v2/models")
    start = time.monotonic()
    with pytest.raises(ModelNotFoundError, match="not served by HuggingChat"):
        chat(messages="hi", model=retired, cookies=creds)
    assert time.monotonic() - start < 5
    assert hits(server, "POST", "/chat/conversation") == 1
    assert hits(server, "GET", "/chat/api/v2/models") == before + 1
    assert retired not in HuggingChat.get_models()
    assert server.state.posts == []


# --- 5. a conversation of another session -----------------------------------------


def test_someone_elses_conversation_starts_a_new_one(server: ChatUIServer) -> None:
    alice, bob = server.state.new_session(), server.state.new_session()
    first = chat(messages="hi", model=MODEL, cookies=alice)
    theirs = first.conversation.models[MODEL]["conversationId"]
    history = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "x"},
        {"role": "user", "content": "again"},
    ]
    second = chat(messages=history, model=MODEL, cookies=bob, conversation=first.conversation)
    reads = [r for r in server.requests if r["path"] == f"/chat/api/v2/conversations/{theirs}"]
    assert len(reads) == 1  # answered 403
    mine = second.conversation.models[MODEL]["conversationId"]
    assert mine != theirs and server.state.conversations[mine].session != alice["token"]
    assert (
        server.state.posts[-1]["data"]["inputs"]
        == "User: hi\nAssistant: x\nUser: again\nAssistant:"
    )
    assert hits(server, "POST", f"/chat/conversation/{theirs}") == 1  # only alice's


def test_a_post_answered_404_starts_over_once(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    first = chat(messages="hi", model=MODEL, cookies=creds)
    gone = first.conversation.models[MODEL]["conversationId"]
    server.faults.add(
        status=404, message="Conversation not found", path=f"/chat/conversation/{gone}"
    )
    second = chat(
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": "more"},
        ],
        model=MODEL,
        cookies=creds,
        conversation=first.conversation,
    )
    assert second.choices[0].message.content == server.state.answers[-1]
    assert second.conversation.models[MODEL]["conversationId"] != gone
    assert hits(server, "POST", f"/chat/conversation/{gone}") == 2
    assert hits(server, "POST", "/chat/conversation") == 2


# --- 6. stop, regenerate, file hashes, the omni router -----------------------------


def test_closing_a_stream_stops_the_generation(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.state.extra_tokens, server.state.token_gap = 200, 0.02
    stream = chat(messages="tell me a long story", model=MODEL, cookies=creds, stream=True)
    seen = ""
    start = time.monotonic()
    for chunk in stream:
        seen += chunk.choices[0].delta.content or ""
        if len(seen) > 10:
            break
    stream.close()
    wait_for(lambda: len(server.state.stops) == 1)
    post = server.state.posts[-1]
    stop = server.state.stops[0]
    assert stop["generationId"] == post["raw"]["generationId"]
    assert 0 < stop["seenContentLength"] <= len(seen) + 16
    conv = server.state.conversations[post["conversation"]]
    wait_for(lambda: conv.messages[-1].get("interrupted") is True)
    assert len(conv.messages[-1]["content"]) == stop["seenContentLength"]
    assert time.monotonic() - start < 3  # 200 tokens at 20 ms would take 4 s
    assert server.state.answers == []  # the answer never completed


def test_variant_regenerates_the_last_answer(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    first = chat(messages="name a llama", model=MODEL, cookies=creds)
    conv_id = first.conversation.models[MODEL]["conversationId"]
    answer_id = server.state.conversations[conv_id].messages[-1]["id"]
    again = chat(
        messages="name a llama",
        model=MODEL,
        cookies=creds,
        conversation=first.conversation,
        action="variant",
    )
    post = server.state.posts[-1]
    assert post["data"]["is_retry"] is True and post["data"]["id"] == answer_id
    assert "inputs" not in post["raw"]
    assert [r for r, _ in post["history"]] == ["system", "user"]  # the old answer is not in it
    assert again.choices[0].message.content.endswith("(variant 2)")
    assert hits(server, "POST", "/chat/conversation") == 1
    with pytest.raises(InvalidRequestError, match="conversation="):
        chat(messages="x", model=MODEL, cookies=creds, action="variant")


def test_a_file_sent_again_goes_by_its_hash(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    first = chat(messages="read", model=MODEL, cookies=creds, media=[(NOTES, "notes.md")])
    sha = server.state.posts[-1]["files"][0]["sha"]
    assert first.conversation.models[MODEL]["files"] == [sha] == [chatui_sha(NOTES)]
    chat(
        messages=[
            {"role": "user", "content": "read"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "again"},
        ],
        model=MODEL,
        cookies=creds,
        conversation=first.conversation,
        media=[(NOTES, "notes.md")],
    )
    post = server.state.posts[-1]
    assert [(f["kind"], f["value"], f["mime"]) for f in post["files"]] == [
        ("hash", sha, "text/markdown")
    ]
    assert post["view"]["documents"][0]["text"] == NOTES.decode()


def test_binary_files_hash_like_chat_ui(server: ChatUIServer) -> None:
    from g4f.Provider.hf.chat.files import chatui_sha as ours

    for blob in (png_bytes(3, 3), b"\xef\xbb\xbfBOM text", NOTES, bytes(range(256))):
        assert ours(blob) == chatui_sha(blob)


@pytest.mark.parametrize("servers", [None, []])
def test_omni_answers_name_the_routed_model(server: ChatUIServer, servers: Any) -> None:
    creds = server.state.new_session()
    response = chat(messages="route me", model="omni", cookies=creds, mcp_servers=servers)
    assert response.model == "moonshotai/Kimi-K2.6" and response.provider == "HuggingChat"
    chunks = list(
        chat(messages="route me", model="omni", cookies=creds, mcp_servers=servers, stream=True)
    )
    assert chunks[-1].model == "moonshotai/Kimi-K2.6"


def test_the_login_probe_asks_the_user_endpoint(server: ChatUIServer) -> None:
    from g4f._loop import run_sync
    from g4f.Provider.hf.chat.api import current_user
    from g4f.requests import StreamSession

    async def probe(cookies: dict[str, str] | None) -> str | None:
        async with StreamSession(cookies=cookies) as session:
            return await current_user(session, server.base)

    assert run_sync(probe(None)) is None  # anonymous: 200 with superjson null
    assert run_sync(probe(server.state.new_session())) == "alice"
    assert [r["path"] for r in server.requests] == ["/chat/api/v2/user", "/chat/api/v2/user"]


async def test_cancelling_the_task_stops_the_generation(server: ChatUIServer) -> None:
    import asyncio

    from g4f.client import AsyncClient

    creds = server.state.new_session()
    server.state.extra_tokens, server.state.token_gap = 200, 0.02

    first_text = asyncio.Event()

    async def consume() -> None:
        stream = AsyncClient().chat.completions.create(
            "a long story", model=MODEL, provider=HuggingChat, cookies=creds, stream=True
        )
        async for chunk in stream:
            if chunk.choices[0].delta.content:
                first_text.set()

    consumer = asyncio.create_task(consume())
    await asyncio.wait_for(first_text.wait(), 5)
    consumer.cancel()  # from outside, while tokens keep arriving
    (outcome,) = await asyncio.gather(consumer, return_exceptions=True)
    assert isinstance(outcome, asyncio.CancelledError)
    end = time.monotonic() + 5
    while not server.state.stops:
        assert time.monotonic() < end, "no stop request reached the fake"
        await asyncio.sleep(0.01)
    assert server.state.stops[0]["generationId"] == server.state.posts[-1]["raw"]["generationId"]
    assert len(server.state.stops) == 1
