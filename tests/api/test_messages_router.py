"""End to end: anthropic SDK → ``/v1/messages`` → AnyProvider → HuggingFaceAPI → the fake router."""

from __future__ import annotations

import json
import time

import anthropic
import pytest

from tests.fakes.router import TOKEN, ChatScript, FakeRouter

MODEL = "llama-3.3-70b"
HELLO = [{"role": "user", "content": "Capital of France?"}]


def sdk(url: str, key: str) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=url, api_key=key, max_retries=0, timeout=20)


def chat_requests(router: FakeRouter) -> int:
    return sum(1 for r in router.requests if r["path"] == "/v1/chat/completions")


async def test_callers_hf_token_in_x_api_key_reaches_the_router(start, router) -> None:
    router.chat = ChatScript(content="Paris.", reasoning="Recall geography.")
    async with start() as (url, _), sdk(url, TOKEN) as client:
        message = await client.messages.create(
            model=MODEL,
            max_tokens=50,
            messages=HELLO,
            thinking={"type": "enabled", "budget_tokens": 1024},
        )
        async with client.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
            streamed = "".join([t async for t in stream.text_stream])
            final = await stream.get_final_message()
    assert [b.type for b in message.content] == ["thinking", "text"]
    assert message.content[0].thinking == "Recall geography."
    assert message.content[1].text == "Paris." == streamed
    assert [b.type for b in final.content] == ["text"]
    assert (message.usage.input_tokens, message.usage.output_tokens) == (12, 7)
    assert router.chat_bodies[0]["max_tokens"] == 50
    assert chat_requests(router) == 2


async def test_router_errors_keep_anthropic_types(start, router, monkeypatch) -> None:
    # Retry-After 30 s is beyond the 10 s deadline: reported at once (no wait in place).
    monkeypatch.setenv("G4F_TIMEOUT", "10")
    router.faults.add(
        status=429, message="Too many requests", headers={"Retry-After": "30"}, path="/v1/chat"
    )
    async with start() as (url, _), sdk(url, TOKEN) as client:
        with pytest.raises(anthropic.RateLimitError) as limited:
            await client.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
        assert chat_requests(router) == 1
        async with sdk(url, "hf_wrongToken0123456789") as wrong:
            began = time.monotonic()
            with pytest.raises(anthropic.InternalServerError) as denied:
                await wrong.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
            took = time.monotonic() - began
    assert limited.value.response.headers["retry-after"] == "30"
    assert limited.value.body["error"]["type"] == "rate_limit_error"
    # The upstream refused the credentials: not a "retry later" condition.
    assert denied.value.status_code == 500
    assert denied.value.body["error"]["type"] == "api_error"
    assert "hf_wrongToken0123456789" not in json.dumps(denied.value.body)
    assert chat_requests(router) == 2
    assert took < 5


async def test_pings_while_the_router_is_silent(start, router) -> None:
    from tests.api.protocol_mocks import read_sse

    # The "novita" layout opens with a role-only chunk; the fake then says nothing for 1 s.
    router.chat = ChatScript(content="Paris is the capital.", variant="novita")
    router.faults.add(stall=1.0, path="/v1/chat")
    body = {"model": MODEL, "max_tokens": 20, "messages": HELLO, "stream": True}
    async with start(keepalive=0.1) as (url, _):
        status, waited, text = await read_sse(f"{url}/v1/messages", body, {"x-api-key": TOKEN})
    assert status == 200 and waited < 0.9
    names = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start"
    assert names[1 : names.index("content_block_start")].count("ping") >= 3
    data = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    streamed = "".join(e["delta"]["text"] for e in data if e["type"] == "content_block_delta")
    assert streamed == "Paris is the capital."
    assert data[-2]["delta"]["stop_reason"] == "end_turn"
    assert chat_requests(router) == 1
