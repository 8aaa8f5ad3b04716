"""Chaos against the fake router: HuggingFaceAPI (OpenAI SSE) and HuggingFaceInference (TGI SSE)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from g4f.client import AsyncClient
from g4f.errors import NetworkError, ResponseError, StreamInterruptedError, TimeoutError
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.providers.retry_provider import IterListProvider
from tests.chaos._harness import (
    FALLBACK_TEXT,
    SCENARIOS,
    Fallback,
    Family,
    Outcome,
    Result,
    Scenario,
    drive,
    run_scenario,
)
from tests.chaos._proxy import Chaos, ChaosProxy
from tests.chaos._sockets import connections_to
from tests.fakes.router import TOKEN, FakeRouter, png_bytes

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
ANSWER = "Paris is the capital of France."


def _sse(*payloads: object) -> bytes:
    return b"".join(
        f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n".encode() for p in payloads
    )


def _openai_body(text: str) -> bytes:
    chunk = {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": text}}],
    }
    done = {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
    }
    return _sse(chunk, done, "[DONE]")


def _tgi_body(text: str) -> bytes:
    token = {"index": 1, "token": {"id": 1, "text": text, "special": False}, "details": None}
    last = {
        "index": 2,
        "token": {"id": 2, "text": "</s>", "special": True},
        "generated_text": text,
        "details": {"finish_reason": "eos_token", "generated_tokens": 2},
    }
    return _sse(token, last)


API = Family(
    name="HuggingFaceAPI",
    provider=HuggingFaceAPI,
    model="meta-llama/Llama-3.3-70B-Instruct",
    messages=MESSAGES,
    expected=ANSWER,
    path="/v1/chat/completions",
    first_path="/v1/chat/completions",
    content_type="text/event-stream",
    inband=_sse({"error": {"message": "Internal error in the backend", "type": "server_error"}}),
    malformed=b'data: {"choices": [ {"delta": \n\n',
    body=_openai_body,
    started_after=1,
)

INFERENCE = Family(
    name="HuggingFaceInference",
    provider=HuggingFaceInference,
    model="HuggingFaceH4/zephyr-7b-beta",
    messages=MESSAGES,
    expected=ANSWER,
    path="/hf-inference/models/",
    first_path="/hf-inference/models/",
    content_type="text/event-stream",
    inband=_sse(
        {
            "error": "Request failed during generation: CUDA out of memory",
            "error_type": "generation",
        }
    ),
    malformed=b"data:{not json\n\n",
    body=_tgi_body,
    started_after=0,
)


@pytest.fixture(scope="module")
def router_proxy() -> Iterator[tuple[FakeRouter, ChaosProxy]]:
    router = FakeRouter()
    router.tgi.text = ANSWER
    with router, ChaosProxy(router.url) as proxy:
        yield router, proxy


@pytest.fixture
def proxy(
    router_proxy: tuple[FakeRouter, ChaosProxy], monkeypatch: pytest.MonkeyPatch
) -> ChaosProxy:
    _, chaos = router_proxy
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", chaos.url)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    return chaos


@pytest.mark.parametrize("family", [API, INFERENCE], ids=lambda f: f.name)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_router_chaos(
    family: Family, scenario: Scenario, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(family, scenario, proxy, failures)


@pytest.mark.parametrize("family", [API, INFERENCE], ids=lambda f: f.name)
async def test_connection_refused_fails_over(
    family: Family, monkeypatch: pytest.MonkeyPatch, failures: dict[str, BaseException]
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)  # HF_ROUTER_ENDPOINT stays on the dead port
    result = await drive(family.provider, family.model, family.messages, failures, max_retries=0)
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures[family.provider.__name__], NetworkError)


@pytest.mark.parametrize(
    "chaos",
    [Chaos(path=API.path, cut_after=3), Chaos(path=API.path, stall_after=3, stall=1.5)],
    ids=["cut", "stall"],
)
async def test_the_client_stream_keeps_the_partial_text(
    chaos: Chaos, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    """Through AsyncClient over real HTTP: what the caller read is exactly ``partial``."""
    proxy.add(chaos)
    chain = IterListProvider([HuggingFaceAPI, Fallback], shuffle=False)
    received: list[str] = []
    with pytest.raises(StreamInterruptedError) as info:
        stream = AsyncClient().chat.completions.create(
            model=API.model, messages=MESSAGES, provider=chain, stream=True, stream_timeout=0.5
        )
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or "")
    assert info.value.partial == "".join(received) and info.value.provider == "HuggingFaceAPI"
    assert (
        info.value.partial
        and ANSWER.startswith(info.value.partial)
        and info.value.partial != ANSWER
    )
    assert isinstance(info.value.cause, (NetworkError, TimeoutError))
    assert connections_to(proxy.port) == 0


def _image_count(result: Result) -> str:
    return f"{sum(len(media.urls) for media in result.media)} image"


IMAGE = Family(
    name="HuggingFaceInference images",
    provider=HuggingFaceInference,
    # No token: FLUX.1-schnell goes straight to hf-inference image bytes (not together).
    model="black-forest-labs/FLUX.1-schnell",
    messages=[{"role": "user", "content": "a red fox"}],
    expected="1 image",
    path="/hf-inference/models/",
    first_path="/hf-inference/models/",
    content_type="image/png",
    inband=json.dumps({"error": "CUDA out of memory", "error_type": "generation"}).encode(),
    inband_content_type="application/json",
    malformed=b"\x00not a png\n",
    body=lambda text: png_bytes(8, 8) + text.encode(),
    started_after=0,
    streams_text=False,
    read=_image_count,
    big_answer="1 image",
    kwargs={"width": 64, "height": 64},
    overrides={
        # Image bytes are handed on as a data: URI, not decoded: a damaged image is still one.
        "malformed line before content": Outcome("full"),
    },
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_router_image_chaos(
    scenario: Scenario,
    proxy: ChaosProxy,
    failures: dict[str, BaseException],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    await run_scenario(IMAGE, scenario, proxy, failures)


def _completion_body(text: str) -> bytes:
    message = {"role": "assistant", "content": text}
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return json.dumps({"object": "chat.completion", "choices": [choice]}).encode()


API_JSON = dataclasses.replace(
    API,
    name="HuggingFaceAPI non-stream",
    content_type="application/json",
    inband=json.dumps({"error": {"message": "Internal error", "type": "server_error"}}).encode(),
    malformed=b'{"choices": [ {"message": \n',
    body=_completion_body,
    started_after=0,
    streams_text=False,
    kwargs={"stream": False},
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_router_json_chaos(
    scenario: Scenario, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(API_JSON, scenario, proxy, failures)


@pytest.mark.parametrize("body", [b"{}", b"[]", b'{"choices": []}', b'"text"', b"null"])
async def test_a_json_answer_without_choices_fails_over(
    body: bytes, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    proxy.add(Chaos(path=API.path, raw=body, content_type="application/json", times=9))
    result = await drive(API.provider, API.model, MESSAGES, failures, stream=False, max_retries=0)
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures["HuggingFaceAPI"], ResponseError)


@pytest.mark.parametrize("family", [API, INFERENCE], ids=lambda f: f.name)
async def test_a_stream_of_foreign_objects_fails_over(
    family: Family, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    """Well-formed SSE whose objects are not this protocol's chunks is an error, not an empty answer."""
    body = _sse({"foo": 1}, {"object": "something.else"}, [1, 2], "[DONE]")
    proxy.add(Chaos(path=family.path, raw=body, content_type="text/event-stream", times=9))
    result = await drive(family.provider, family.model, MESSAGES, failures, max_retries=0)
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures[family.provider.__name__], ResponseError)
