"""Chaos against a real Gradio server: the Qwen2.5 chat Space (queue protocol, diff streaming)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import pytest

from g4f.errors import NetworkError
from g4f.Provider.hf_space.BlackForestLabs_Flux1Dev import BlackForestLabs_Flux1Dev
from g4f.Provider.hf_space.Qwen_Qwen_2_5 import Qwen_Qwen_2_5
from g4f.providers.response import ImagePreview
from tests.chaos._harness import (
    FALLBACK_TEXT,
    SCENARIOS,
    Family,
    Result,
    Scenario,
    drive,
    run_scenario,
)
from tests.chaos._proxy import ChaosProxy
from tests.fakes.gradio_app import CHAT, FLUX_DEV, GradioServer

MESSAGES = [{"role": "user", "content": "hello"}]


def _sse(*payloads: object) -> bytes:
    return b"".join(f"data: {json.dumps(p)}\n\n".encode() for p in payloads)


def _completed(text: str) -> bytes:
    history = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": text}]
    output = {"data": ["", history, "system"], "is_generating": False}
    return _sse(
        {"msg": "process_completed", "event_id": None, "success": True, "output": output},
        {"msg": "close_stream", "event_id": None},
    )


SPACE = Family(
    name="Qwen_Qwen_2_5",
    provider=Qwen_Qwen_2_5,
    model="qwen-2.5-72b",
    messages=MESSAGES,
    expected="",  # the clean answer, measured once per module
    path="/gradio_api/queue/data",
    first_path="/gradio_api/queue/join",  # /config is cached after the first call
    content_type="text/event-stream",
    inband=_sse(
        {"msg": "unexpected_error", "message": "Server stopped unexpectedly.", "event_id": None}
    ),
    malformed=b"data: {not json\n\n",
    body=_completed,
    # The first update may carry no text yet: cut or stall after the second one.
    count_only=b'"process_generating"',
    started_after=1,
)


@pytest.fixture(scope="module")
def space_proxy() -> Iterator[ChaosProxy]:
    with GradioServer() as gradio, ChaosProxy(gradio.url) as proxy:
        yield proxy


@pytest.fixture
def proxy(space_proxy: ChaosProxy, monkeypatch: pytest.MonkeyPatch) -> ChaosProxy:
    monkeypatch.setenv("HF_SPACES_ENDPOINT", f"{space_proxy.url}/{CHAT}")
    return space_proxy


@pytest.fixture
async def family(proxy: ChaosProxy, failures: dict[str, BaseException]) -> Family:
    clean = await drive(Qwen_Qwen_2_5, SPACE.model, MESSAGES, failures)
    assert clean.error is None and not failures and clean.text.endswith("hello")
    return dataclasses.replace(SPACE, expected=clean.text)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_space_chaos(
    family: Family, scenario: Scenario, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(family, scenario, proxy, failures)


async def test_connection_refused_fails_over(
    monkeypatch: pytest.MonkeyPatch, failures: dict[str, BaseException]
) -> None:
    monkeypatch.setenv("HF_SPACES_ENDPOINT", "http://127.0.0.1:9/qwen")
    result = await drive(Qwen_Qwen_2_5, SPACE.model, MESSAGES, failures, max_retries=0)
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures["Qwen_Qwen_2_5"], NetworkError)


def _image_count(result: Result) -> str:
    """How many final images came (previews are not results)."""
    final = [m for m in result.media if not isinstance(m, ImagePreview)]
    return str(sum(len(media.urls) for media in final))


def _image_completed(path: str) -> bytes:
    image = {"path": path, "url": None, "meta": {"_type": "gradio.FileData"}}
    output = {"data": [image, 42], "is_generating": False}
    return _sse(
        {"msg": "process_completed", "event_id": None, "success": True, "output": output},
        {"msg": "close_stream", "event_id": None},
    )


IMAGE_SPACE = Family(
    name="BlackForestLabs_Flux1Dev",
    provider=BlackForestLabs_Flux1Dev,
    model="flux-dev",
    messages=[{"role": "user", "content": "a red fox"}],
    expected="1",
    path="/gradio_api/queue/data",
    first_path="/gradio_api/queue/join",
    content_type="text/event-stream",
    inband=SPACE.inband,
    malformed=SPACE.malformed,
    body=_image_completed,
    started_after=0,
    streams_text=False,
    read=_image_count,
    big_answer="1",
    kwargs={"num_inference_steps": 2},
)


@pytest.fixture
def image_proxy(space_proxy: ChaosProxy, monkeypatch: pytest.MonkeyPatch) -> ChaosProxy:
    monkeypatch.setenv("HF_SPACES_ENDPOINT", f"{space_proxy.url}/{FLUX_DEV}")
    return space_proxy


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_image_space_chaos(
    scenario: Scenario, image_proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(IMAGE_SPACE, scenario, image_proxy, failures)
