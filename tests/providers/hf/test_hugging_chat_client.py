"""HuggingChat through the public client (acceptance of issue 4) against the fake chat-ui."""

from __future__ import annotations

import json
import logging
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import g4f.debug
from g4f.client import AsyncClient, Client
from g4f.cookies import get_cookies_dir
from g4f.errors import MissingAuthError
from g4f.Provider import HuggingChat
from g4f.providers.any_provider import AnyProvider, get_model_map
from tests.fakes.chatui import ChatUIServer, extension_export, har_for
from tests.fakes.router import png_bytes

MODEL = "openai/gpt-oss-120b"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
        yield fake


@pytest.fixture
def cookies_dir() -> Path:
    path = Path(get_cookies_dir())
    path.mkdir(parents=True, exist_ok=True)
    return path


def client() -> AsyncClient:
    return AsyncClient(provider=HuggingChat)


async def test_two_turns_reuse_the_conversation_and_send_only_the_new_message(
    server: ChatUIServer,
) -> None:
    creds = server.state.new_session()
    messages = [{"role": "user", "content": "What is a llama?"}]
    first = await client().chat.completions.create(messages, model=MODEL, cookies=creds)
    assert first.choices[0].message.content == server.state.answers[-1]
    assert first.provider == "HuggingChat" and first.choices[0].finish_reason == "stop"
    conv_id = first.conversation.models[MODEL]["conversationId"]

    messages += [
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": "And an alpaca?"},
    ]
    second = await client().chat.completions.create(
        messages, model=MODEL, cookies=creds, conversation=first.conversation
    )
    assert second.choices[0].message.content == server.state.answers[-1]
    assert [p["conversation"] for p in server.state.posts] == [conv_id, conv_id]
    assert [p["data"]["inputs"] for p in server.state.posts] == [
        "What is a llama?",
        "And an alpaca?",
    ]
    assert len(server.state.creates) == 1
    assert second.conversation.models[MODEL]["conversationId"] == conv_id


async def test_switching_models_keeps_two_conversations(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    other = "meta-llama/Llama-3.3-70B-Instruct"
    a = await client().chat.completions.create("hi A", model=MODEL, cookies=creds)
    b = await client().chat.completions.create(
        "hi B", model="llama-3.3-70b", cookies=creds, conversation=a.conversation
    )
    assert set(b.conversation.models) == {MODEL, other}
    chunks = client().chat.completions.create(
        [
            {"role": "user", "content": "hi A"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": "again A"},
        ],
        model=MODEL,
        cookies=creds,
        conversation=b.conversation,
        stream=True,
    )
    text, state = "", None
    async for chunk in chunks:
        text += chunk.choices[0].delta.content or ""
        if chunk.extra and "conversation" in chunk.extra:
            state = chunk.extra["conversation"]
    assert text == server.state.answers[-1]
    assert state is not None and set(state.models) == {MODEL, other}
    last = server.state.posts[-1]
    assert last["conversation"] == a.conversation.models[MODEL]["conversationId"]
    assert last["data"]["inputs"] == "again A"
    assert len(server.state.creates) == 2


async def test_images_upload_as_files(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    image = png_bytes(4, 4)
    response = await client().chat.completions.create(
        "Describe the picture",
        model="Qwen/Qwen2.5-VL-32B-Instruct",
        cookies=creds,
        media=[(image, "photo.png")],
    )
    assert response.choices[0].message.content == server.state.answers[-1]
    files = server.state.posts[-1]["files"]
    assert [(f["kind"], f["name"], f["bytes"]) for f in files] == [("base64", "photo.png", image)]


@pytest.mark.parametrize("kind", ["har", "json"])
async def test_cookie_files_in_the_cookies_dir_are_picked_up(
    server: ChatUIServer, cookies_dir: Path, kind: str
) -> None:
    creds = server.state.new_session()
    if kind == "har":
        (cookies_dir / "huggingface.co.har").write_text(json.dumps(har_for(creds)))
    else:
        (cookies_dir / "cookies.json").write_text(json.dumps(extension_export(creds)))
    response = await client().chat.completions.create("hello", model=MODEL)
    assert response.choices[0].message.content == server.state.answers[-1]
    assert server.state.creates[-1]["session"] == creds["hf-chat"]


async def test_auth_cache_file_is_0600_and_reused(server: ChatUIServer, cookies_dir: Path) -> None:
    creds = server.state.new_session()
    await client().chat.completions.create("hello", model=MODEL, cookies=creds)
    cache = cookies_dir / "auth_HuggingChat.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert json.loads(cache.read_text())["cookies"] == creds
    await client().chat.completions.create("again", model=MODEL)
    assert [c["session"] for c in server.state.creates] == [creds["hf-chat"]] * 2


def _creates(server: ChatUIServer) -> int:
    return len(
        [r for r in server.requests if r["method"] == "POST" and r["path"] == "/chat/conversation"]
    )


async def test_expired_session_triggers_exactly_one_reauth(
    server: ChatUIServer, cookies_dir: Path
) -> None:
    expired = server.state.new_session()
    server.state.sessions.pop(expired["hf-chat"])  # the session expired on the server
    fresh = server.state.new_session()
    (cookies_dir / "fresh.json").write_text(json.dumps(extension_export(fresh)))
    response = await client().chat.completions.create("hello", model=MODEL, cookies=expired)
    assert response.choices[0].message.content == server.state.answers[-1]
    assert _creates(server) == 2
    assert [c["session"] for c in server.state.creates] == [fresh["hf-chat"]]
    assert json.loads((cookies_dir / "auth_HuggingChat.json").read_text())["cookies"] == fresh


async def test_a_second_rejection_ends_with_how_to_log_in(
    server: ChatUIServer, cookies_dir: Path
) -> None:
    expired = server.state.new_session()
    HuggingChat.write_auth_cache(_auth(expired))
    also_expired = server.state.new_session()
    (cookies_dir / "old.har").write_text(json.dumps(har_for(also_expired)))
    server.state.sessions.clear()
    with pytest.raises(MissingAuthError, match="g4f login huggingchat"):
        await client().chat.completions.create("hello", model=MODEL)
    assert _creates(server) == 2
    # The rejected cache is not overwritten with other rejected cookies.
    assert json.loads((cookies_dir / "auth_HuggingChat.json").read_text())["cookies"] == expired


async def test_no_cookie_value_in_errors_or_debug_logs(
    server: ChatUIServer, cookies_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = server.state.new_session()
    bad = {"hf-chat": "rejected-session-value-42", "token": "rejected-token-value-42"}
    (cookies_dir / "broken.json").write_text(
        '[{"domain": ".huggingface.co", "name": "token", "value": "' + bad["token"]
    )
    g4f.debug.enable_logging(logging.DEBUG)
    errors: list[BaseException] = []
    try:
        with caplog.at_level(logging.DEBUG):
            await client().chat.completions.create("hi", model=MODEL, cookies=good)
            await client().chat.completions.create("draw", model="flux", cookies=good)
            (cookies_dir / "auth_HuggingChat.json").unlink()
            try:
                await client().chat.completions.create("hi", model=MODEL, cookies=bad)
            except MissingAuthError as exc:
                errors.append(exc)
            server.state.mode = "cloudflare"
            try:
                await client().chat.completions.create("hi", model=MODEL, cookies=good)
            except MissingAuthError as exc:
                errors.append(exc)
    finally:
        g4f.debug.logger.setLevel(logging.NOTSET)
    assert len(errors) == 2
    shown = caplog.text + "".join(
        f"{e}{e!r}{e.__cause__}{e.__cause__!r}{getattr(e, 'body', '')}" for e in errors
    )
    assert "broken.json" in caplog.text  # the corrupt file was reported by name
    for value in (*good.values(), *bad.values()):
        assert value not in shown


def test_sync_client_streams(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    sync = Client(provider="HuggingChat")
    chunks = list(
        sync.chat.completions.create("sync please", model=MODEL, cookies=creds, stream=True)
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == server.state.answers[-1]
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_huggingchat_is_in_anyproviders_map_after_no_auth_providers(server: ChatUIServer) -> None:
    entries = get_model_map()
    assert "HuggingChat" in entries[MODEL] and "HuggingChat" in entries["llama-3.3-70b"]
    ordered = [p.__name__ for p, _ in AnyProvider.get_providers(MODEL)]
    assert "HuggingChat" in ordered
    no_auth = [p.__name__ for p, _ in AnyProvider.get_providers(MODEL) if not p.needs_auth]
    assert ordered.index("HuggingChat") > max((ordered.index(n) for n in no_auth), default=-1)


async def test_anyprovider_reaches_huggingchat_with_cookies(server: ChatUIServer) -> None:
    creds = server.state.new_session()
    start = time.monotonic()
    response = await AsyncClient().chat.completions.create("via any", model=MODEL, cookies=creds)
    assert response.provider == "HuggingChat"
    assert response.choices[0].message.content == server.state.answers[-1]
    assert time.monotonic() - start < 20


def _auth(cookies: dict[str, str]) -> Any:
    from g4f.providers.response import AuthResult

    return AuthResult(cookies=cookies, headers={}, impersonate="chrome")


async def test_images_generate_returns_the_mcp_tool_image(server: ChatUIServer) -> None:
    import base64

    creds = server.state.new_session()
    result = await client().images.generate(
        "a red square",
        model="flux",
        provider=HuggingChat,
        cookies=creds,
        response_format="b64_json",
    )
    assert result.provider == "HuggingChat"
    assert base64.b64decode(result.data[0].b64_json) == png_bytes(8, 8)
    post = server.state.posts[-1]
    assert post["data"]["selectedMcpServerNames"] == ["Hugging Face"]
    assert post["tool_calls"] == ["gr1_flux1_schnell_infer"]
    assert "tools" not in post["raw"]
    # A Space tool result without an image block: the "Image URL:" line is the image.
    server.state.tools.image_blocks = False
    server.state.tools.image_url = f"{server.url}/gradio_api/file=/tmp/gradio/out.png"
    urls = await client().images.generate(
        "a red square", model="flux", provider="HuggingChat", cookies=creds
    )
    assert urls.data[0].url == server.state.tools.image_url
    fetched = await client().images.generate(
        "a red square",
        model="flux",
        provider="HuggingChat",
        cookies=creds,
        response_format="b64_json",
    )
    assert base64.b64decode(fetched.data[0].b64_json) == png_bytes(8, 8)


async def test_cookies_set_with_g4f_set_cookies_are_used(server: ChatUIServer) -> None:
    import g4f

    creds = server.state.new_session()
    g4f.set_cookies(".huggingface.co", creds)
    response = await client().chat.completions.create("hello", model=MODEL)
    assert response.choices[0].message.content == server.state.answers[-1]
    assert server.state.creates[-1]["session"] == creds["hf-chat"]


def test_anyprovider_ranks_huggingchat_by_cookies_not_tokens(monkeypatch) -> None:
    from g4f.Provider import HuggingChat
    from g4f.providers.any_provider import AnyProvider

    monkeypatch.setenv("HF_TOKEN", "hf_rankingtoken_abcdefgh")
    order = [p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b")]
    assert "HuggingChat" in order and order[-1] == "HuggingChat"
    assert HuggingChat.has_credentials(cookies={"hf-chat": "c", "token": "t"})
    assert not HuggingChat.has_credentials(api_key="hf_rankingtoken_abcdefgh")
