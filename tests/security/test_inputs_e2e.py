"""Issue #12 holes 1 and 2 through the whole stack: the real server (``create_app`` on a
loopback port) and the ``Client``, against the fakes, counting what the fakes received.

1. A media URL in a message that is not http(s) or data: is a 400 / InvalidRequestError,
   the same whether or not the file exists, and no provider is called (no file content
   reaches any fake). A file enters only as bytes, a file object or a ``pathlib.Path``.
2. A model id that is not a Hub id (or alias) is refused before any request; the token
   is only ever sent under the routes it is meant for.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from g4f.api import create_app
from g4f.client import Client
from g4f.cookies import get_cookies_dir
from g4f.errors import InvalidRequestError
from g4f.Provider.hf.HuggingChat import HuggingChat
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from g4f.Provider.hf_space import HuggingSpace
from g4f.providers.retry_provider import clear_cooldowns
from tests.api.conftest import serve
from tests.fakes.chatui import ChatUIServer, extension_export
from tests.fakes.hub import FakeHub
from tests.fakes.router import TOKEN, FakeRouter
from tests.security._inputs_support import (  # noqa: F401 - fixtures
    assert_no_token_elsewhere,
    fake_chat,
    fake_hub,
    fake_router,
)

CHAT_MODEL = "meta-llama/Llama-3.3-70B-Instruct"
SECRET = b"TOP-SECRET-FILE-CONTENT-7c1e"
#: Every call below must fail (or answer) fast: a refusal costs no retry and no backoff.
FAST = 2.0
TRAVERSALS = [
    "../../api/whoami-v2",
    "../../api/whoami-v2?x=1",
    "org/model#/../../api/whoami-v2",
    "%2e%2e/%2e%2e/api/whoami-v2",
    "..\\..\\api\\whoami-v2",
    "fal-ai/../../api/whoami-v2:fal-ai",
]


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_bytes(SECRET)
    return path


@pytest.fixture
def logged_in(chat: ChatUIServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """HuggingChat cookies in the cookies dir (the server's and the Client's only credentials)."""
    monkeypatch.setenv("HF_ENDPOINT", chat.url)
    clear_cooldowns()
    creds = chat.state.new_session()
    cookies_dir = Path(get_cookies_dir())
    cookies_dir.mkdir(parents=True, exist_ok=True)
    (cookies_dir / "cookies.json").write_text(json.dumps(extension_export(creds)))
    return creds


@pytest.fixture
def hf(hub: FakeHub, router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Hub and the router fakes, and the server's own token."""
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    clear_cooldowns()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json(content_type=None)


def image_message(url: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": url}},
            ],
        }
    ]


def no_secret_in(fake: ChatUIServer) -> None:
    """No uploaded file and no request body of the fake holds the file's content."""
    for post_ in fake.state.posts:
        assert all(SECRET not in f["bytes"] for f in post_["files"])


# --- 1. local files -------------------------------------------------------------------------


@pytest.mark.parametrize("provider", [None, "HuggingChat"], ids=["any-provider", "huggingchat"])
async def test_server_never_reads_a_file_a_message_names(
    provider: str | None,
    chat: ChatUIServer,
    logged_in: dict[str, str],
    secret_file: Path,
    http: aiohttp.ClientSession,
) -> None:
    names = {
        "existing file": str(secret_file),
        "missing file": str(secret_file) + ".missing",
        "etc passwd": "/etc/passwd",
        "relative": "./secret.txt",
        "file url": secret_file.as_uri(),
    }
    answers = {}
    async with serve(create_app()) as (url, _):
        for label, name in names.items():
            before = len(chat.requests)
            started = time.monotonic()
            body = {"model": "llama-3.3-70b", "messages": image_message(name)}
            if provider:
                body["provider"] = provider
            status, answer = await post(http, url + "/v1/chat/completions", body)
            assert time.monotonic() - started < FAST
            assert status == 400, (label, answer)
            assert answer["error"]["type"] == "invalid_request_error"
            assert answer["error"]["param"] == "messages"
            assert len(chat.requests) == before, f"{label}: a request reached chat-ui"
            answers[label] = answer
    # The same answer whether or not the file exists: nothing tells a caller which files do.
    assert answers["existing file"] == answers["missing file"] == answers["relative"]
    assert str(secret_file) not in json.dumps(answers)
    no_secret_in(chat)


async def test_server_uploads_a_data_uri_image_to_huggingchat(
    chat: ChatUIServer, logged_in: dict[str, str], http: aiohttp.ClientSession
) -> None:
    """The route of the test above is live: the same request with a data: URI uploads it."""
    import base64

    data_uri = "data:image/png;base64," + base64.b64encode(b"PNG-BYTES").decode()
    body = {
        "model": "llama-3.3-70b",
        "provider": "HuggingChat",
        "messages": image_message(data_uri),
    }
    async with serve(create_app()) as (url, _):
        status, answer = await post(http, url + "/v1/chat/completions", body)
    assert status == 200, answer
    assert [f["bytes"] for f in chat.state.posts[-1]["files"]] == [b"PNG-BYTES"]


@pytest.mark.parametrize("stream", [False, True])
def test_client_refuses_a_local_path_in_a_message(
    stream: bool, chat: ChatUIServer, logged_in: dict[str, str], secret_file: Path
) -> None:
    client = Client(provider=HuggingChat)
    for name in (str(secret_file), secret_file.as_uri(), "secret.txt"):
        before = len(chat.requests)
        started = time.monotonic()
        with pytest.raises(InvalidRequestError, match="must be an http"):
            result = client.chat.completions.create(image_message(name), CHAT_MODEL, stream=stream)
            list(result) if stream else None
        assert time.monotonic() - started < FAST
        assert len(chat.requests) == before
    no_secret_in(chat)


def test_client_uploads_a_path_object_but_never_a_path_string(
    chat: ChatUIServer, logged_in: dict[str, str], secret_file: Path
) -> None:
    client = Client(provider=HuggingChat)
    before = len(chat.requests)
    with pytest.raises(InvalidRequestError):
        client.chat.completions.create("Describe it", CHAT_MODEL, media=[(str(secret_file), None)])
    assert len(chat.requests) == before
    # The explicit library argument: a pathlib.Path is read and uploaded.
    client.chat.completions.create("Describe it", CHAT_MODEL, media=[(secret_file, None)])
    [upload] = chat.state.posts[-1]["files"]
    assert (upload["name"], upload["bytes"]) == ("secret.txt", SECRET)


def test_client_refuses_a_local_path_for_the_router_too(
    hf: None, router: FakeRouter, secret_file: Path
) -> None:
    before = len(router.requests)
    with pytest.raises(InvalidRequestError):
        Client(provider=HuggingFaceAPI).chat.completions.create(
            image_message(str(secret_file)), CHAT_MODEL
        )
    assert len(router.requests) == before


# --- 2. model ids ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", TRAVERSALS)
@pytest.mark.parametrize(
    ("route", "provider"),
    [
        ("/v1/chat/completions", None),
        ("/v1/chat/completions", "HuggingFaceAPI"),
        ("/v1/chat/completions", "HuggingFaceInference"),
        ("/v1/images/generations", "HuggingFaceMedia"),
        ("/v1/images/generations", None),
        ("/v1/media/generations", "HuggingFaceMedia"),
    ],
)
async def test_server_refuses_path_model_ids_before_any_request(
    model: str,
    route: str,
    provider: str | None,
    hf: None,
    hub: FakeHub,
    router: FakeRouter,
    http: aiohttp.ClientSession,
) -> None:
    body: dict[str, Any] = {"model": model, "stream": False}
    if route == "/v1/chat/completions":
        body["messages"] = [{"role": "user", "content": "hi"}]
    else:
        body["prompt"] = "a cat"
    if provider:
        body["provider"] = provider
    seen = len(hub.requests) + len(router.requests)
    async with serve(create_app()) as (url, _):
        started = time.monotonic()
        status, answer = await post(http, url + route, body)
        elapsed = time.monotonic() - started
    assert status == 400 and answer["error"]["type"] == "invalid_request_error", answer
    assert "Invalid model id" in answer["error"]["message"]
    assert elapsed < FAST
    assert len(hub.requests) + len(router.requests) == seen, "a refused model id was sent"


async def test_server_sends_the_token_only_to_the_model_routes(
    hf: None, hub: FakeHub, router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    """A valid id reaches the Hub's model route with the token, and nothing else does."""
    body = {
        "model": "org/unknown-model",
        "provider": "HuggingFaceInference",
        "messages": [{"role": "user", "content": "hi"}],
    }
    seen = len(hub.requests)
    async with serve(create_app()) as (url, _):
        status, _ = await post(http, url + "/v1/chat/completions", body)
    assert status == 404
    sent = hub.requests[seen:]
    assert [r["raw_path"] for r in sent] == ["/api/models/org/unknown-model"]
    assert sent[0]["headers"].get("Authorization") == f"Bearer {TOKEN}"
    assert_no_token_elsewhere(
        hub.requests + router.requests,
        TOKEN,
        ("/api/models/", "/v1/", "/hf-inference/", "/together/"),
    )


@pytest.mark.parametrize("model", TRAVERSALS)
@pytest.mark.parametrize("provider", [None, HuggingFaceAPI, HuggingFaceInference, HuggingSpace])
def test_client_refuses_path_model_ids(
    model: str, provider: Any, hf: None, hub: FakeHub, router: FakeRouter
) -> None:
    seen = len(hub.requests) + len(router.requests)
    started = time.monotonic()
    with pytest.raises(InvalidRequestError, match="Invalid model id"):
        Client(provider=provider).chat.completions.create("hi", model)
    assert time.monotonic() - started < FAST
    assert len(hub.requests) + len(router.requests) == seen


@pytest.mark.parametrize("model", [*TRAVERSALS, "space:../../api/whoami-v2", "space:a/b/../c"])
def test_client_media_refuses_path_model_ids(
    model: str, hf: None, hub: FakeHub, router: FakeRouter
) -> None:
    seen = len(hub.requests) + len(router.requests)
    for provider in (HuggingFaceMedia, HuggingSpace):
        with pytest.raises(InvalidRequestError, match="Invalid model id"):
            Client().images.generate("a cat", model, provider)
    assert len(hub.requests) + len(router.requests) == seen


@pytest.mark.parametrize("conversation_id", ["../../api/whoami-v2", "..", "a/../../b", ""])
def test_client_refuses_a_path_as_conversation_id(
    conversation_id: str, chat: ChatUIServer, logged_in: dict[str, str]
) -> None:
    state = {"models": {CHAT_MODEL: {"conversationId": conversation_id or "/", "messageId": "m"}}}
    before = len(chat.requests)
    with pytest.raises(InvalidRequestError):
        Client(provider=HuggingChat).chat.completions.create("hi", CHAT_MODEL, conversation=state)
    assert len(chat.requests) == before
