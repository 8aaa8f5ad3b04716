"""The server over the failover engine: one deadline, counted attempts, the in-band code."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import aiohttp
import pytest

from tests.fakes.router import TOKEN, FakeRouter

CHAT = "/v1/chat/completions"
HELLO = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch, mock_registry: dict[str, str]) -> Iterator[FakeRouter]:
    mock_registry["HuggingFaceAPI"] = "g4f.Provider.hf.HuggingFaceAPI"
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        yield fake


async def _events(url: str, payload: dict) -> tuple[int, list[dict]]:
    """Status and the JSON events of a streamed answer (``[DONE]`` left out)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url + CHAT, json=payload, headers=headers) as resp:
            body = await resp.text()
    if not body.startswith("data:"):
        return resp.status, [json.loads(body)]
    events = [line[5:].strip() for line in body.splitlines() if line.startswith("data:")]
    return resp.status, [json.loads(e) for e in events if e != "[DONE]"]


@pytest.mark.parametrize("provider", ["HuggingFaceAPI", None], ids=["named", "AnyProvider"])
async def test_a_cut_after_the_answer_started_is_stream_interrupted_in_band(
    start, router: FakeRouter, provider: str | None
) -> None:
    # Before: "provider_error" / "upstream_timeout" in-band, never "stream_interrupted".
    router.faults.add(cut_after=3, path=CHAT)
    payload = {"model": "llama-3.3-70b", "messages": HELLO, "stream": True}
    if provider:
        payload["provider"] = provider
    async with start() as (url, _):
        status, events = await _events(url, payload)
    assert status == 200
    assert events[-1]["error"]["code"] == "stream_interrupted"
    text = "".join(
        (e["choices"][0]["delta"].get("content") or "") for e in events if e.get("choices")
    )
    assert text and router.chat.content.startswith(text) and text != router.chat.content
    assert sum(1 for r in router.requests if r["path"] == CHAT) == 1


async def test_the_server_deadline_covers_the_503_waits(
    start, router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: G4F_TIMEOUT=20 took 59 s and 60 upstream requests (the wait restarted on
    # every retry). Now the whole request ends within the deadline, 3 attempts at most.
    monkeypatch.setenv("G4F_TIMEOUT", "3")
    router.faults.add(
        status=503, message="Model is currently loading", extra={"estimated_time": 1}, times=99
    )
    payload = {"model": "llama-3.3-70b", "messages": HELLO, "provider": "HuggingFaceAPI"}
    began = time.monotonic()
    async with start() as (url, _):
        status, events = await _events(url, payload)
    took = time.monotonic() - began
    assert status == 502 and events[0]["error"]["code"] == "provider_error"
    assert sum(1 for r in router.requests if r["path"] == CHAT) == 3
    assert took < 3.5, took
