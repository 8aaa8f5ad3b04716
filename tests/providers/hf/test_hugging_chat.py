"""HuggingChat against the fake chat-ui: protocol, stream parsing, errors, auth order."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from g4f.cookies import get_cookies_dir
from g4f.errors import (
    BadRequestError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    RateLimitError,
    ResponseStatusError,
)
from g4f.Provider.hf.HuggingChat import Conversation, HuggingChat
from g4f.providers.response import (
    FinishReason,
    ImageResponse,
    ProviderInfo,
    Reasoning,
    Sources,
    TitleGeneration,
)
from g4f.requests import StreamSession
from tests.fakes.chatui import IMAGE_TOOL_ID, ChatUIServer, extension_export, har_for
from tests.fakes.router import png_bytes

MODEL = "openai/gpt-oss-120b"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        # No browser login in these tests: credentials come from cookies, files or the cache.
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
        yield fake


@pytest.fixture
def cookies_dir() -> Path:
    path = Path(get_cookies_dir())
    path.mkdir(parents=True, exist_ok=True)
    return path


async def run(model: str, messages: Any, **kwargs: Any) -> list[Any]:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    return [chunk async for chunk in HuggingChat.create_async_generator(model, messages, **kwargs)]


async def run_engine(model: str, messages: Any, **kwargs: Any) -> list[Any]:
    """Through the failover engine, which owns re-authentication (one more attempt)."""
    from g4f.providers.engine import failover

    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    return [chunk async for chunk in failover(HuggingChat, model, messages, **kwargs)]


def text_of(chunks: list[Any]) -> str:
    return "".join(c for c in chunks if isinstance(c, str))


def conversation_of(chunks: list[Any]) -> Conversation:
    found = [c for c in chunks if isinstance(c, Conversation)]
    assert found, "no conversation state was yielded"
    return found[-1]


async def test_answer_stream_is_parsed_and_reading_stops_at_final_answer(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    start = time.monotonic()
    chunks = await run(MODEL, "hello there friend", cookies=creds)
    assert time.monotonic() - start < server.state.linger_after_final / 2
    text = text_of(chunks)
    assert text == server.state.answers[-1]
    assert "\0" not in text and "AFTER-FINAL" not in text
    assert chunks[-1] == FinishReason("stop")
    assert isinstance(chunks[0], Conversation)
    titles = [c for c in chunks if isinstance(c, TitleGeneration)]
    assert [t.title for t in titles] == [
        server.state.conversations[conversation_of(chunks).models[MODEL]["conversationId"]].title
    ]
    assert Reasoning(status="Thinking") in chunks and Reasoning("User greets.") in chunks
    # The title arrives between tokens, as chat-ui interleaves it.
    index = chunks.index(titles[0])
    assert isinstance(chunks[index - 1], str) and isinstance(chunks[index + 1], str)


async def test_first_turn_sends_history_later_turns_only_the_new_message(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    history = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Tell me a joke"},
    ]
    first = await run(MODEL, history, cookies=creds)
    state = conversation_of(first)
    sent = server.state.posts[-1]["data"]
    assert (
        sent["inputs"]
        == "System: Be brief.\nUser: Hi\nAssistant: Hello!\nUser: Tell me a joke\nAssistant:"
    )
    conv_id = state.models[MODEL]["conversationId"]
    assistant_id = server.state.conversations[conv_id].messages[-1]["id"]

    history += [
        {"role": "assistant", "content": text_of(first)},
        {"role": "user", "content": "Another one"},
    ]
    second = await run(MODEL, history, cookies=creds, conversation=state)
    post = server.state.posts[-1]
    assert post["conversation"] == conv_id
    assert post["data"]["inputs"] == "Another one"
    assert post["data"]["id"] == assistant_id
    assert post["turn"] == 2
    assert len(server.state.creates) == 1
    assert conversation_of(second).models[MODEL] == {
        "conversationId": conv_id,
        "messageId": assistant_id,
    }


async def test_switching_models_keeps_one_conversation_per_model(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    other = "meta-llama/Llama-3.3-70B-Instruct"
    state = conversation_of(await run(MODEL, "one", cookies=creds))
    state = conversation_of(await run("llama-3.3-70b", "two", cookies=creds, conversation=state))
    assert set(state.models) == {MODEL, other}
    assert state.models[MODEL]["conversationId"] != state.models[other]["conversationId"]
    messages = [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "x"},
        {"role": "user", "content": "three"},
    ]
    state = conversation_of(
        await run(MODEL, messages, cookies=creds, conversation=state.get_dict())
    )
    post = server.state.posts[-1]
    assert (post["conversation"], post["model"], post["data"]["inputs"]) == (
        state.models[MODEL]["conversationId"],
        MODEL,
        "three",
    )
    assert [c["model"] for c in server.state.creates] == [MODEL, other]


async def test_a_gone_conversation_starts_over_with_the_history(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    stale = Conversation(models={MODEL: {"conversationId": "0" * 24, "messageId": "m"}})
    messages = [
        {"role": "user", "content": "a"},
        {"role": "assistant", "content": "b"},
        {"role": "user", "content": "c"},
    ]
    state = conversation_of(await run(MODEL, messages, cookies=creds, conversation=stale))
    assert state.models[MODEL]["conversationId"] != "0" * 24
    assert server.state.posts[-1]["data"]["inputs"] == "User: a\nAssistant: b\nUser: c\nAssistant:"


async def test_images_upload_as_base64_files_parts(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    first, second = png_bytes(2, 2), png_bytes(3, 3, (1, 2, 3))
    import base64

    data_uri = "data:image/png;base64," + base64.b64encode(second).decode()
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": data_uri}},
            ],
        }
    ]
    await run("Qwen/Qwen2.5-VL-32B-Instruct", messages, cookies=creds, media=[(first, "cat.png")])
    post = server.state.posts[-1]
    assert post["data"]["inputs"] == "What is this?"
    assert [(f["kind"], f["name"], f["bytes"]) for f in post["files"]] == [
        ("base64", "image", second),
        ("base64", "cat.png", first),
    ]


async def test_links_are_rejected_before_any_request(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    with pytest.raises(BadRequestError, match="uploaded, not linked"):
        await run(MODEL, "x", cookies=creds, media=[("https://example.org/cat.png", None)])
    assert server.state.creates == []


async def test_image_generation_returns_a_file_fetchable_with_the_session(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    chunks = await run("flux", "draw a red square", cookies=creds)
    post = server.state.posts[-1]
    assert post["data"]["tools"] == [IMAGE_TOOL_ID]
    assert post["data"]["inputs"] == "draw a red square"
    assert post["model"] == HuggingChat.default_model
    images = [c for c in chunks if isinstance(c, ImageResponse)]
    assert len(images) == 1 and images[0].alt == "draw a red square"
    url = images[0].urls[0]
    assert url.startswith(f"{server.url}/chat/conversation/{post['conversation']}/output/")
    async with StreamSession(cookies=images[0].options["cookies"]) as session:
        async with session.get(url) as response:
            assert response.status == 200
            assert await response.read() == png_bytes(8, 8)
    async with StreamSession() as session:
        async with session.get(url) as response:
            assert response.status == 401


async def test_web_search_sources_and_router_metadata(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    chunks = await run(MODEL, "search this", cookies=creds, web_search=True)
    assert server.state.posts[-1]["data"]["web_search"] is True
    sources = [c for c in chunks if isinstance(c, Sources)]
    assert sources and sources[0].list == [{"title": "Example", "url": "https://example.org/a"}]
    assert chunks.index(sources[0]) == len(chunks) - 2
    chunks = await run("omni", "route me", cookies=creds)
    info = [c for c in chunks if isinstance(c, ProviderInfo)]
    assert info and info[0].model == "moonshotai/Kimi-K2.6"


async def test_multipart_posts_carry_origin_and_referer(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    await run(MODEL, "hi", cookies=creds)
    post = [
        r
        for r in server.requests
        if r["method"] == "POST" and r["path"].startswith("/chat/conversation/")
    ][-1]
    assert post["headers"]["Origin"] == server.url
    assert post["headers"]["Referer"] == f"{server.url}{post['path']}"
    # The fake enforces chat-ui's CSRF rule for clients that forget it.
    async with StreamSession(cookies=creds) as session:
        from g4f.requests import FormFile

        async with session.post(
            f"{server.url}{post['path']}", form=[FormFile("data", "{}")]
        ) as response:
            assert response.status == 403


async def test_rate_limit_is_typed(server: ChatUIServer) -> None:
    server.state.messages_per_minute = 1
    creds = server.state.new_session()
    await run(MODEL, "one", cookies=creds)
    with pytest.raises(RateLimitError, match="too many messages"):
        await run(MODEL, "two", cookies=creds)


async def test_cut_stream_is_a_network_error(server: ChatUIServer) -> None:
    server.state.mode = "cut"
    creds = server.state.new_session()
    seen: list[Any] = []
    with pytest.raises(NetworkError):
        async for chunk in HuggingChat.create_async_generator(
            MODEL, [{"role": "user", "content": "x"}], cookies=creds
        ):
            seen.append(chunk)
    assert text_of(seen) == "Hello"


async def test_missing_final_answer_is_an_error(server: ChatUIServer) -> None:
    server.state.mode = "no_final"
    creds = server.state.new_session()
    with pytest.raises(NetworkError, match="without a final answer"):
        await run(MODEL, "x", cookies=creds)


async def test_in_band_error_status(server: ChatUIServer) -> None:
    server.state.mode = "error"
    creds = server.state.new_session()
    with pytest.raises(ResponseStatusError) as info:
        await run(MODEL, "x", cookies=creds)
    assert info.value.status_code == 503 and "overloaded" in str(info.value)


async def test_model_rejected_by_the_service_is_not_a_login_problem(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    with pytest.raises(ModelNotFoundError, match="Invalid model"):
        await run("microsoft/Phi-3.5-mini-instruct", "x", cookies=creds)
    assert len(server.state.creates) == 1


async def test_unknown_model_is_looked_up_once_and_typos_need_no_login(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    await run("Qwen/Qwen2.5-VL-32B-Instruct", "x", cookies=creds)
    assert server.state.posts[-1]["model"] == "Qwen/Qwen2.5-VL-32B-Instruct"
    before = len(server.requests)
    with pytest.raises(ModelNotFoundError):
        await run("nobody/no-such-model", "x")
    assert {r["path"] for r in server.requests[before:]} <= {"/chat/api/v2/models"}


async def test_model_discovery(server: ChatUIServer) -> None:
    models = await HuggingChat.refresh_models()
    assert models[:4] == [
        "openai/gpt-oss-120b",
        "meta-llama/Llama-3.3-70B-Instruct",
        "Qwen/Qwen2.5-VL-32B-Instruct",
        "omni",
    ]
    assert "hidden/model" not in models
    assert set(HuggingChat.image_models) <= set(models)
    assert HuggingChat.model_info["Qwen/Qwen2.5-VL-32B-Instruct"]["multimodal"] is True
    assert HuggingChat.model_info[MODEL]["reasoning"] is True
    assert HuggingChat.get_models() == models
    HuggingChat.clear_models_cache()
    server.faults.add(status=500, message="down", path="/api/v2/models")
    assert await HuggingChat.refresh_models() == HuggingChat.static_models()
    keys = HuggingChat.any_model_keys()
    assert (
        keys["llama-3.3-70b"] == "meta-llama/Llama-3.3-70B-Instruct"
        and keys["flux"] == "black-forest-labs/FLUX.1-dev"
    )


# --- credentials ---------------------------------------------------------------------


async def test_no_credentials_anywhere(server: ChatUIServer) -> None:
    with pytest.raises(MissingAuthError, match="g4f login huggingchat") as info:
        await run(MODEL, "x")
    assert "cookies dir" in str(info.value)
    assert server.requests == []


async def test_cookie_dir_files_are_used_and_cached_0600(
    server: ChatUIServer, cookies_dir: Path
) -> None:
    creds = server.state.new_session()
    (cookies_dir / "huggingface.co.har").write_text(json.dumps(har_for(creds)))
    await run(MODEL, "x")
    assert server.state.creates[-1]["session"] == creds["hf-chat"]
    cache = cookies_dir / "auth_HuggingChat.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert json.loads(cache.read_text())["cookies"] == creds


async def test_order_passed_cookies_then_files_then_cache(
    server: ChatUIServer, cookies_dir: Path
) -> None:
    passed, files, cached = (server.state.new_session() for _ in range(3))
    HuggingChat.write_auth_cache(_auth(cached))
    (cookies_dir / "export.json").write_text(json.dumps(extension_export(files)))
    await run(MODEL, "x", cookies=passed)
    await run(MODEL, "x")
    (cookies_dir / "export.json").unlink()
    HuggingChat.write_auth_cache(_auth(cached))
    await run(MODEL, "x")
    assert [c["session"] for c in server.state.creates] == [
        passed["hf-chat"],
        files["hf-chat"],
        cached["hf-chat"],
    ]


def _auth(cookies: dict[str, str]) -> Any:
    from g4f.providers.response import AuthResult

    return AuthResult(cookies=cookies, headers={}, impersonate="chrome")


async def test_incomplete_cookie_pairs_are_skipped(server: ChatUIServer, cookies_dir: Path) -> None:
    creds = server.state.new_session()
    (cookies_dir / "half.json").write_text(json.dumps(extension_export({"token": creds["token"]})))
    with pytest.raises(MissingAuthError):
        await run(MODEL, "x", cookies={"hf-chat": creds["hf-chat"]})
    assert server.requests == []


async def test_expired_session_triggers_exactly_one_reauth(
    server: ChatUIServer, cookies_dir: Path
) -> None:
    fresh = server.state.new_session()
    (cookies_dir / "fresh.har").write_text(json.dumps(har_for(fresh)))
    stale = {"hf-chat": "expired-session-0000", "token": "expired-token-0000"}
    chunks = await run_engine(MODEL, "x", cookies=stale)
    assert text_of(chunks) == server.state.answers[-1]
    assert len(server.state.creates) == 1
    creates = [r for r in server.requests if r["path"] == "/chat/conversation"]
    assert len(creates) == 2
    assert json.loads((cookies_dir / "auth_HuggingChat.json").read_text())["cookies"] == fresh


@pytest.mark.parametrize("mode", ["html", "cloudflare", "logged_out"])
async def test_rejected_twice_is_missing_auth_with_hint(
    server: ChatUIServer, cookies_dir: Path, mode: str
) -> None:
    if mode != "logged_out":
        server.state.mode = mode
    first = server.state.new_session()
    second = server.state.new_session()
    if mode == "logged_out":
        server.state.sessions.clear()
    (cookies_dir / "second.har").write_text(json.dumps(har_for(second)))
    with pytest.raises(MissingAuthError) as info:
        await run_engine(MODEL, "x", cookies=first)
    message = str(info.value)
    assert "g4f login huggingchat" in message
    for value in (*first.values(), *second.values()):
        assert value not in message and value not in repr(info.value)
    assert len([r for r in server.requests if r["path"] == "/chat/conversation"]) == 2
    assert not (cookies_dir / "auth_HuggingChat.json").exists()


# --- stream faults and the MessageUpdate parser ---------------------------------------


async def test_silence_longer_than_stream_timeout(server: ChatUIServer) -> None:
    from g4f.errors import TimeoutError

    creds = server.state.new_session()
    server.faults.add(stall=5, path="/chat/conversation/")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        await run(MODEL, "x", cookies=creds, stream_timeout=0.5)
    assert time.monotonic() - start < 3


async def test_keepalives_keep_a_slow_answer_alive(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.state.keepalive_every, server.state.token_gap = 0.1, 0.8
    chunks = await run(MODEL, "slow", cookies=creds, stream_timeout=0.5)
    assert text_of(chunks) == server.state.answers[-1]


async def test_a_malformed_line_is_skipped(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.faults.add(malformed=True, path="/chat/conversation/")
    chunks = await run(MODEL, "x", cookies=creds)
    assert text_of(chunks) == server.state.answers[-1]


async def test_status_fault_on_any_route(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    server.faults.add(
        status=503, message="Service Unavailable", shape="html", path="/chat/conversation"
    )
    with pytest.raises(ResponseStatusError) as info:
        await run(MODEL, "x", cookies=creds)
    assert info.value.status_code == 503


async def _lines(*updates: Any) -> Any:
    for update in updates:
        yield update if isinstance(update, str) else json.dumps(update)


async def parse(*updates: Any) -> list[Any]:
    from g4f.Provider.hf._chat_stream import iter_message_updates

    return [
        c
        async for c in iter_message_updates(
            _lines(*updates), file_url=lambda sha: f"https://x/{sha}"
        )
    ]


async def test_parser_final_answer_text_when_nothing_streamed() -> None:
    chunks = await parse(
        {"type": "status", "status": "started"},
        {"type": "finalAnswer", "text": "Whole.", "interrupted": False},
    )
    assert chunks == ["Whole.", FinishReason("stop")]


async def test_parser_line_without_type_is_an_error() -> None:
    from g4f.errors import ResponseError

    with pytest.raises(ResponseError, match="unexpected stream line"):
        await parse({"token": "x"})


async def test_parser_tool_updates_are_progress_and_files_by_mime() -> None:
    from g4f.providers.response import VideoResponse

    chunks = await parse(
        {"type": "tool", "subtype": "call", "uuid": "1", "call": {"name": "search"}},
        {"type": "tool", "subtype": "result", "uuid": "1"},
        {"type": "file", "name": "a.mp4", "sha": "abc", "mime": "video/mp4"},
        {"type": "file", "name": "a.txt", "sha": "def", "mime": "text/plain"},
        {"type": "stream", "token": "ok\0\0\0"},
        {"type": "finalAnswer", "text": "ok"},
        {"type": "stream", "token": "never read"},
    )
    assert chunks[:2] == [
        Reasoning(status="Calling search", label="Tool"),
        Reasoning(status="Tool finished", label="Tool"),
    ]
    assert isinstance(chunks[2], VideoResponse) and chunks[2].urls == ["https://x/abc"]
    assert chunks[3:] == ["ok", FinishReason("stop")]


async def test_a_rejected_pair_is_not_retried_from_another_source(server: ChatUIServer) -> None:
    stale = {"hf-chat": "stale-session-9876", "token": "stale-token-9876"}
    HuggingChat.write_auth_cache(_auth({**stale, "aws-waf-token": "extra-cookie-value"}))
    with pytest.raises(MissingAuthError):
        await run(MODEL, "x", cookies=stale)
    assert len([r for r in server.requests if r["path"] == "/chat/conversation"]) == 1


async def test_automatic_browser_login_can_be_turned_off(
    server: ChatUIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from g4f.providers.response import RequestLogin

    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", sys.executable)  # "a browser is installed"
    monkeypatch.setenv("G4F_BROWSER_LOGIN", "0")
    seen: list[Any] = []
    with pytest.raises(MissingAuthError, match="g4f login huggingchat"):
        async for chunk in HuggingChat.create_async_generator(
            MODEL, [{"role": "user", "content": "x"}]
        ):
            seen.append(chunk)
    assert not any(isinstance(c, RequestLogin) for c in seen)
    assert server.requests == []


async def test_an_unwritable_cache_never_breaks_the_answer(
    server: ChatUIServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cookies dir should be")
    monkeypatch.setenv("G4F_COOKIES_DIR", str(blocker / "cookies"))
    creds = server.state.new_session()
    chunks = await run(MODEL, "x", cookies=creds)
    assert text_of(chunks) == server.state.answers[-1]
    assert "cannot write the auth cache" in caplog.text
    assert creds["token"] not in caplog.text
