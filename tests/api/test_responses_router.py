"""End to end: openai SDK → ``/v1/responses`` → AnyProvider → HuggingFaceAPI → the fake router."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest

from tests.fakes.router import TOKEN, ChatScript, FakeRouter, ToolCallScript

MODEL = "llama-3.3-70b"
UPSTREAM = "meta-llama/Llama-3.3-70B-Instruct"


def sdk(url: str, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=20)


def chat_requests(router: FakeRouter) -> int:
    return sum(1 for r in router.requests if r["path"] == "/v1/chat/completions")


async def test_stream_and_non_stream_with_reasoning_and_usage(start, router) -> None:
    router.chat = ChatScript(content="Paris is the capital.", reasoning="Recall geography.")
    async with start() as (url, _), sdk(url, TOKEN) as client:
        response = await client.responses.create(
            model=MODEL, input="Capital of France?", max_output_tokens=64
        )
        async with client.responses.stream(model=MODEL, input="Capital of France?") as stream:
            deltas = [e.delta async for e in stream if e.type == "response.output_text.delta"]
            final = await stream.get_final_response()
    assert response.output_text == "Paris is the capital." == "".join(deltas)
    assert [item.type for item in response.output] == ["reasoning", "message"]
    assert response.output[0].summary[0].text == "Recall geography."
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 7)
    assert response.model_extra["provider"] == "HuggingFaceAPI"
    assert final.output_text == response.output_text and final.usage.total_tokens == 19
    assert [body["model"] for body in router.chat_bodies] == [UPSTREAM] * 2
    assert router.chat_bodies[0]["max_tokens"] == 64
    assert chat_requests(router) == 2


async def test_tool_round_trip_with_previous_response_id(start, router, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)

    def responder(body: dict[str, Any]) -> ChatScript:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return ChatScript(content=f"It is {last['content']} in Paris.")
        return ChatScript(
            content="", tool_calls=[ToolCallScript("get_weather", json.dumps({"city": "Paris"}))]
        )

    router.chat_responder = responder
    tools = [{"type": "function", "name": "get_weather", "parameters": {"type": "object"}}]
    async with start(api_key="gateway-key-123") as (url, _), sdk(url, "gateway-key-123") as client:
        first = await client.responses.create(model=MODEL, input="Weather in Paris?", tools=tools)
        call = first.output[0]
        second = await client.responses.create(
            model=MODEL,
            previous_response_id=first.id,
            tools=tools,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        )
    assert (call.type, call.name, json.loads(call.arguments)) == (
        "function_call",
        "get_weather",
        {"city": "Paris"},
    )
    assert second.output_text == "It is sunny in Paris."
    assert router.chat_bodies[0]["tools"] == [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    sent = router.chat_bodies[1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[1]["tool_calls"][0]["id"] == call.call_id == sent[2]["tool_call_id"]
    assert chat_requests(router) == 2


async def test_router_rate_limit_is_a_rate_limit_error(start, router, monkeypatch) -> None:
    # Retry-After 30 s is beyond the 10 s deadline: reported at once (no wait in place).
    monkeypatch.setenv("G4F_TIMEOUT", "10")
    router.faults.add(
        status=429, message="Too many requests", headers={"Retry-After": "30"}, path="/v1/chat"
    )
    async with start() as (url, _), sdk(url, TOKEN) as client:
        began = time.monotonic()
        with pytest.raises(openai.RateLimitError) as limited:
            await client.responses.create(model=MODEL, input="x", stream=True)
        took = time.monotonic() - began
    assert limited.value.response.headers["retry-after"] == "30"
    assert chat_requests(router) == 1
    assert took < 5
