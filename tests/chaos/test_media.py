"""Chaos against the fake media router: HuggingFaceMedia (Hub mapping, then a replicate prediction)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from g4f.errors import NetworkError, ResponseError
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from g4f.state import reset_state
from tests.chaos._harness import (
    FALLBACK_TEXT,
    SCENARIOS,
    Family,
    Result,
    Scenario,
    drive,
    run_scenario,
)
from tests.chaos._proxy import Chaos, ChaosProxy
from tests.fakes.media import TOKEN, MediaState, media_server

MODEL = "stabilityai/stable-diffusion-3.5-large"  # one backend (replicate): no in-provider failover


def _prediction(output: str, status: str = "succeeded", **extra: object) -> bytes:
    return json.dumps({"id": "p1", "status": status, "output": output, **extra}).encode()


def _file_name(result: Result) -> str:
    """The file name of the one media URL produced (``""`` when there is none)."""
    urls = [url for media in result.media for url in media.urls]
    return urls[0].rsplit("/", 1)[-1] if len(urls) == 1 else ""


MEDIA = Family(
    name="HuggingFaceMedia",
    provider=HuggingFaceMedia,
    model=MODEL,
    messages=[{"role": "user", "content": "a red fox"}],
    expected="v.mp4",
    path="/replicate/",
    first_path="/replicate/",
    content_type="application/json",
    inband=_prediction("", status="failed", error="NSFW content detected"),
    malformed=b"{not json\n",
    body=lambda name: _prediction(f"http://127.0.0.1:9/files/{name}"),
    started_after=0,
    streams_text=False,
    read=_file_name,
    kwargs={"api_key": TOKEN, "poll_interval": 0.02},
)


@pytest.fixture(scope="module")
def media_proxy() -> Iterator[ChaosProxy]:
    with media_server(MediaState()) as fake, ChaosProxy(fake.url) as proxy:
        yield proxy


@pytest.fixture
def proxy(media_proxy: ChaosProxy, monkeypatch: pytest.MonkeyPatch) -> ChaosProxy:
    monkeypatch.setenv("HF_ENDPOINT", media_proxy.url)
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", media_proxy.url)
    reset_state()
    return media_proxy


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_media_chaos(
    scenario: Scenario, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    await run_scenario(MEDIA, scenario, proxy, failures)


async def test_connection_refused_fails_over(
    monkeypatch: pytest.MonkeyPatch, failures: dict[str, BaseException]
) -> None:
    reset_state()
    result = await drive(
        HuggingFaceMedia, MODEL, MEDIA.messages, failures, max_retries=0, **MEDIA.kwargs
    )
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures["HuggingFaceMedia"], NetworkError)


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[]",
        b"null",
        b'{"id": "p1", "status": "succeeded"}',
        b'{"status": "succeeded", "output": [1]}',
    ],
)
async def test_a_prediction_without_media_fails_over(
    body: bytes, proxy: ChaosProxy, failures: dict[str, BaseException]
) -> None:
    proxy.add(Chaos(path=MEDIA.path, raw=body, content_type="application/json", times=9))
    result = await drive(
        HuggingFaceMedia, MODEL, MEDIA.messages, failures, max_retries=0, **MEDIA.kwargs
    )
    assert result.error is None and result.text == FALLBACK_TEXT
    assert isinstance(failures["HuggingFaceMedia"], ResponseError)
