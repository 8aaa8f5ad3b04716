"""Secrets never leak: every provider, success and every error path, logging at DEBUG.

The fakes sit behind the chaos proxy, which plays a hostile service: its error
bodies, in-band errors and malformed lines echo the credentials it was sent. The
token, the bill-to organisation, the chat-ui cookies and the ZeroGPU token must
not appear in any log record (g4f's and the root logger's), exception message,
repr, error body, or chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from g4f.cookies import set_cookies
from g4f.Provider.hf.HuggingChat import HuggingChat
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from g4f.Provider.hf_space.BlackForestLabs_Flux1Dev import BlackForestLabs_Flux1Dev
from g4f.providers.retry_provider import clear_cooldowns
from g4f.state import reset_state
from tests.chaos._harness import FALLBACK_TEXT, Result, drive
from tests.chaos._proxy import Chaos, ChaosProxy
from tests.fakes import media as media_fake
from tests.fakes.chatui import ChatUI, ChatUIServer
from tests.fakes.media import MediaState, media_server
from tests.fakes.router import FakeRouter
from tests.fakes.server import FakeServer, open_sse, write_sse
from tests.security._leaks import (
    BILL_TO,
    CHAT_TOKEN,
    HF_CHAT,
    SECRETS,
    TOKEN,
    ZEROGPU,
    LeakCheck,
)

ROUTER_SECRETS = (TOKEN, BILL_TO)
CHAT_SECRETS = (HF_CHAT, CHAT_TOKEN)


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def hostile(path: str, known: tuple[str, ...], sse: bool = True) -> list[tuple[str, list[Chaos]]]:
    """Error paths whose bodies echo ``known`` (status shapes, in-band, malformed, cut, stall)."""
    echo = " ".join(known)  # what the service was sent, echoed back
    html = f"<!DOCTYPE html><html><head><title>Forbidden {echo}</title></head><body>{echo}</body></html>"
    data = (lambda p: b"data: " + _json(p) + b"\n\n") if sse else (lambda p: _json(p) + b"\n")
    content = "text/event-stream" if sse else "application/jsonl"
    return [
        (
            "401 string",
            [Chaos(path=path, status=401, body=_json({"error": f"Invalid token {echo}"}), times=9)],
        ),
        (
            "403 openai",
            [
                Chaos(
                    path=path,
                    status=403,
                    body=_json({"error": {"message": echo, "type": "x"}}),
                    times=9,
                )
            ],
        ),
        ("402", [Chaos(path=path, status=402, body=_json({"error": f"credits {echo}"}), times=9)]),
        (
            "429",
            [
                Chaos(
                    path=path,
                    status=429,
                    body=_json({"error": echo}),
                    headers={"Retry-After": "300"},
                )
            ],
        ),
        (
            "500 html",
            [Chaos(path=path, status=500, body=html.encode(), content_type="text/html", times=9)],
        ),
        (
            "in-band",
            [
                Chaos(
                    path=path,
                    raw=data({"error": echo, "type": "status", "status": "error", "message": echo}),
                    content_type=content,
                    times=9,
                )
            ],
        ),
        (
            "malformed",
            [
                Chaos(
                    path=path,
                    raw=f"data: {{{echo}\n\n{{{echo}\n".encode(),
                    content_type=content,
                    times=9,
                )
            ],
        ),
        ("cut", [Chaos(path=path, cut_after=1, times=9)]),
        ("stall", [Chaos(path=path, stall_after=0, stall=1.5, times=9)]),
    ]


async def run_case(
    leaks: LeakCheck,
    proxy: ChaosProxy,
    chaos: list[Chaos],
    provider: Any,
    model: str,
    **kwargs: Any,
) -> Result:
    """Drive ``provider`` (then a fallback) through ``chaos``; collect everything it exposed."""
    proxy.clear()
    for entry in chaos:
        proxy.add(entry)
    failures: dict[str, BaseException] = {}
    messages = [{"role": "user", "content": "hello there friend"}]
    result = await drive(provider, model, messages, failures, max_retries=0, **kwargs)
    proxy.clear()
    clear_cooldowns()
    leaks.exception(result.error)
    for failure in failures.values():
        leaks.exception(failure)
    leaks.chunks(result.chunks)
    # The provider alone, too: its own exception, not only what the chain kept.
    try:
        async for chunk in provider.create_async_generator(model, messages, **kwargs):
            leaks.chunks([chunk])
    except Exception as exc:  # noqa: BLE001 - inspected for leaks
        leaks.exception(exc)
    proxy.clear()
    return result


@pytest.fixture
def leaks(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeakCheck]:
    """The leak checker, with an empty registry of secrets: each test's own use must register them."""
    from g4f import _secrets

    monkeypatch.setattr(_secrets, "_secrets", set())
    monkeypatch.setattr(_secrets, "_pattern", None)
    check = LeakCheck(caplog)
    yield check
    check.assert_clean()


CASES_SSE = hostile("/", ROUTER_SECRETS, sse=True)
#: The API server and the CLI are given the token only (no bill-to).
CASES_TOKEN = hostile("/", (TOKEN,), sse=True)
CASES_JSONL = hostile("/chat/conversation/", CHAT_SECRETS, sse=False)


@pytest.fixture(scope="module")
def router_proxy() -> Iterator[ChaosProxy]:
    with FakeRouter(token=TOKEN) as router, ChaosProxy(router.url) as proxy:
        yield proxy


@pytest.mark.parametrize(
    "provider", [HuggingFaceAPI, HuggingFaceInference], ids=lambda p: p.__name__
)
@pytest.mark.parametrize(
    ("name", "chaos"), [("success", []), *CASES_SSE], ids=lambda v: v if isinstance(v, str) else ""
)
async def test_router_providers_leak_nothing(
    provider: Any,
    name: str,
    chaos: list[Chaos],
    router_proxy: ChaosProxy,
    leaks: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router_proxy.url)
    model = (
        "meta-llama/Llama-3.3-70B-Instruct"
        if provider is HuggingFaceAPI
        else "HuggingFaceH4/zephyr-7b-beta"
    )
    for entry in chaos:
        entry.path = "/v1/chat/completions" if provider is HuggingFaceAPI else "/hf-inference/"
    await run_case(leaks, router_proxy, chaos, provider, model, api_key=TOKEN, bill_to=BILL_TO)


@pytest.fixture(scope="module")
def media_proxy() -> Iterator[ChaosProxy]:
    with media_server(MediaState()) as fake, ChaosProxy(fake.url) as proxy:
        yield proxy


@pytest.mark.parametrize(
    ("name", "chaos"),
    [("success", []), *hostile("/replicate/", (TOKEN,), sse=False)],
    ids=lambda v: v if isinstance(v, str) else "",
)
async def test_media_provider_leaks_nothing(
    name: str,
    chaos: list[Chaos],
    media_proxy: ChaosProxy,
    leaks: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(media_fake, "TOKEN", TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", media_proxy.url)
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", media_proxy.url)
    reset_state()
    await run_case(
        leaks,
        media_proxy,
        chaos,
        HuggingFaceMedia,
        "stabilityai/stable-diffusion-3.5-large",
        api_key=TOKEN,
        poll_interval=0.02,
    )


@pytest.fixture(scope="module")
def chat_proxy() -> Iterator[tuple[ChatUIServer, ChaosProxy]]:
    with ChatUIServer(ChatUI(linger_after_final=0.0)) as fake, ChaosProxy(fake.url) as proxy:
        fake.state.sessions[HF_CHAT] = CHAT_TOKEN
        yield fake, proxy


@pytest.mark.parametrize(
    ("name", "chaos"),
    [("success", []), *CASES_JSONL],
    ids=lambda v: v if isinstance(v, str) else "",
)
async def test_huggingchat_leaks_nothing(
    name: str,
    chaos: list[Chaos],
    chat_proxy: tuple[ChatUIServer, ChaosProxy],
    leaks: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _, proxy = chat_proxy
    monkeypatch.setenv("HF_ENDPOINT", proxy.url)
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
    cookies = {"hf-chat": HF_CHAT, "token": CHAT_TOKEN}
    await run_case(
        leaks, proxy, chaos, HuggingChat, "meta-llama/Llama-3.3-70B-Instruct", cookies=cookies
    )


def _space_app(mode: str) -> web.Application:
    """A Space (queue protocol) and a Hub issuing ZeroGPU tokens; errors echo what they were sent."""

    async def jwt(request: web.Request) -> web.Response:
        if f"token={CHAT_TOKEN}" not in request.headers.get("Cookie", ""):
            return web.json_response(
                {"error": f"Unauthorized {request.headers.get('Cookie')}"}, status=401
            )
        return web.json_response({"token": ZEROGPU})

    async def config(request: web.Request) -> web.Response:
        deps = [{"id": 0, "api_name": "infer", "targets": [[1, "click"]]}]
        return web.json_response(
            {"version": "5.9.1", "api_prefix": "/gradio_api", "dependencies": deps}
        )

    async def join(request: web.Request) -> web.Response:
        request.app["seen"].update(request.headers)
        return web.json_response({"event_id": "e1"})

    async def data(request: web.Request) -> web.StreamResponse:
        seen = request.app["seen"]
        echo = f"{seen.get('x-zerogpu-token')} {seen.get('Cookie')}"
        response = await open_sse(request)
        await write_sse(
            response, {"msg": "progress", "event_id": "e1", "progress_data": [{"desc": "step 1"}]}
        )
        if request.app["mode"] == "success":
            image = {"path": "/tmp/a.png", "url": None, "meta": {"_type": "gradio.FileData"}}
            done = {"msg": "process_completed", "event_id": "e1", "success": True}
            await write_sse(response, {**done, "output": {"data": [image, 7]}})
            return response
        output = {"error": f"You have exceeded your GPU quota. {echo}"}
        await write_sse(
            response,
            {"msg": "process_completed", "event_id": "e1", "success": False, "output": output},
        )
        return response

    app = web.Application()
    app["seen"] = {}
    app["mode"] = mode
    app.router.add_get("/api/spaces/{space:.+}/jwt", jwt)
    app.router.add_get("/config", config)
    app.router.add_post("/gradio_api/queue/join", join)
    app.router.add_get("/gradio_api/queue/data", data)
    return app


@pytest.mark.parametrize("mode", ["success", "error"])
async def test_space_provider_leaks_no_zerogpu_token_or_cookie(
    mode: str, leaks: LeakCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeServer(_space_app(mode)) as space:
        monkeypatch.setenv("HF_ENDPOINT", space.url)
        monkeypatch.setattr(BlackForestLabs_Flux1Dev, "url", space.url)
        reset_state()
        set_cookies("huggingface.co", {"token": CHAT_TOKEN})
        with ChaosProxy(space.url) as proxy:
            result = await run_case(leaks, proxy, [], BlackForestLabs_Flux1Dev, "flux-dev")
        if mode == "success":
            assert result.error is None and [m.urls for m in result.media]
        else:
            assert result.text == FALLBACK_TEXT  # the quota error made the chain fail over
        assert space.app["seen"].get("x-zerogpu-token") == ZEROGPU  # the token was really used


async def test_api_server_error_bodies_leak_nothing(
    router_proxy: ChaosProxy, leaks: LeakCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiohttp

    from g4f.api import create_app
    from tests.api.conftest import serve

    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router_proxy.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    body = {
        "model": "meta-llama/Llama-3.3-70B-Instruct",
        "messages": [{"role": "user", "content": "hi"}],
    }
    async with (
        serve(create_app(provider="HuggingFaceAPI")) as (url, _),
        aiohttp.ClientSession() as client,
    ):
        for name, chaos in [("success", []), *CASES_TOKEN]:
            for stream in (False, True):
                router_proxy.clear()
                for entry in chaos:
                    router_proxy.add(
                        Chaos(**{**entry.__dict__, "path": "/v1/chat/completions", "times": 9})
                    )
                async with client.post(
                    f"{url}/v1/chat/completions", json={**body, "stream": stream}
                ) as resp:
                    leaks.text(f"API {name} stream={stream} [{resp.status}]", await resp.text())
                    leaks.text("API headers", repr(dict(resp.headers)))
                clear_cooldowns()
    router_proxy.clear()


def test_the_secrets_are_registered_only_by_use() -> None:
    """The harness is meaningful: none of its values is hidden by shape alone."""
    from g4f._secrets import _SHAPES

    assert all(_SHAPES.search(secret) is None for secret in SECRETS)


@pytest.mark.parametrize(
    ("name", "chaos"),
    [("success", []), *CASES_TOKEN],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_cli_output_leaks_nothing(
    name: str,
    chaos: list[Chaos],
    router_proxy: ChaosProxy,
    leaks: LeakCheck,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io
    import sys

    from g4f.cli import main

    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router_proxy.url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    router_proxy.clear()
    for entry in chaos:
        router_proxy.add(Chaos(**{**entry.__dict__, "path": "/v1/chat/completions", "times": 9}))
    argv = ["chat", "-p", "HuggingFaceAPI", "-m", "meta-llama/Llama-3.3-70B-Instruct"]
    code = main([*argv, "--api-key", TOKEN, "hello"])
    router_proxy.clear()
    clear_cooldowns()
    out, err = capsys.readouterr()
    # The CLI keeps the default stream_timeout (60 s): a 1.5 s stall only slows the answer.
    assert code == (0 if name in ("success", "stall") else 1), err
    leaks.text(f"CLI stdout ({name})", out)
    leaks.text(f"CLI stderr ({name})", err)


async def test_reprs_of_objects_holding_credentials_show_none(leaks: LeakCheck) -> None:
    from g4f.api._config import ApiConfig
    from g4f.client import AsyncClient, Client
    from g4f.providers.response import AuthResult
    from g4f.requests import StreamSession

    cookies = {"hf-chat": HF_CHAT, "token": CHAT_TOKEN}
    session = StreamSession(
        headers={"Authorization": f"Bearer {TOKEN}", "X-HF-Bill-To": BILL_TO},
        cookies=cookies,
        proxy=f"http://user:{TOKEN}@127.0.0.1:9",
    )
    async with session:
        objects: list[Any] = [
            session,
            AsyncClient(api_key=TOKEN, proxies=f"http://user:{TOKEN}@127.0.0.1:9"),
            Client(api_key=TOKEN),
            ApiConfig(api_key=TOKEN),
            AuthResult(cookies=cookies, api_key=TOKEN, headers={"x-zerogpu-token": ZEROGPU}),
        ]
        for item in objects:
            leaks.text(f"repr of {type(item).__name__}", repr(item))
            leaks.text(f"str of {type(item).__name__}", str(item))
