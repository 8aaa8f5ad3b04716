"""End to end: openai SDK → g4f api → AnyProvider → HuggingFaceAPI → the fake router."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.fakes.router import TOKEN, ChatScript, ToolCallScript


def sdk(url: str, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=20)


HELLO = [{"role": "user", "content": "What is the capital of France?"}]


async def test_stream_and_non_stream_through_the_router_with_the_callers_token(
    start, router
) -> None:
    router.chat = ChatScript(
        content="Paris is the capital of France.", reasoning="Recall geography."
    )
    async with start() as (url, _), sdk(url, TOKEN) as client:
        completion = await client.chat.completions.create(model="llama-3.3-70b", messages=HELLO)
        stream = await client.chat.completions.create(
            model="llama-3.3-70b",
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [c async for c in stream]
    assert completion.choices[0].message.content == "Paris is the capital of France."
    assert completion.choices[0].message.model_extra["reasoning"] == "Recall geography."
    assert completion.model_extra["provider"] == "HuggingFaceAPI"
    assert completion.usage.total_tokens == 19
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == completion.choices[0].message.content
    assert chunks[-1].usage.total_tokens == 19
    assert [body["model"] for body in router.chat_bodies] == [
        "meta-llama/Llama-3.3-70B-Instruct"
    ] * 2
    assert [body.get("stream", False) for body in router.chat_bodies] == [False, True]


async def test_tool_round_trip_through_the_router(start, router, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)

    def responder(body: dict[str, Any]) -> ChatScript:
        last = body["messages"][-1]
        if last["role"] == "tool":
            return ChatScript(content=f"It is {last['content']} in Paris.")
        return ChatScript(
            content="", tool_calls=[ToolCallScript("get_weather", json.dumps({"city": "Paris"}))]
        )

    router.chat_responder = responder
    tools = [
        {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    ]
    async with start(api_key="gateway-key-123") as (url, _), sdk(url, "gateway-key-123") as client:
        first = await client.chat.completions.create(
            model="llama-3.3-70b", messages=HELLO, tools=tools
        )
        call = first.choices[0].message.tool_calls[0]
        assert (call.function.name, json.loads(call.function.arguments)) == (
            "get_weather",
            {"city": "Paris"},
        )
        assert first.choices[0].finish_reason == "tool_calls"
        messages = HELLO + [
            {"role": "assistant", "content": None, "tool_calls": [call.model_dump()]},
            {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
        ]
        second = await client.chat.completions.create(
            model="llama-3.3-70b", messages=messages, tools=tools
        )
    assert second.choices[0].message.content == "It is sunny in Paris."
    assert router.chat_bodies[0]["tools"] == tools
    assert router.chat_bodies[1]["messages"][-1]["tool_call_id"] == call.id


async def test_router_errors_keep_their_meaning(start, router, monkeypatch) -> None:
    # HuggingFaceAPI is the only candidate: a 30 s Retry-After would be waited for in place
    # within the deadline; with a 10 s deadline it cannot be, so the 429 is reported at once.
    monkeypatch.setenv("G4F_TIMEOUT", "10")
    router.faults.add(
        status=429, message="Too many requests", headers={"Retry-After": "30"}, path="/v1/chat"
    )
    async with start() as (url, _), sdk(url, TOKEN) as client:
        with pytest.raises(openai.RateLimitError) as limited:
            await client.chat.completions.create(model="llama-3.3-70b", messages=HELLO)
        with pytest.raises(openai.NotFoundError):
            await client.chat.completions.create(
                model="nobody/unknown-model",
                messages=HELLO,
                extra_body={"provider": "HuggingFaceAPI"},
            )
        async with sdk(url, "hf_wrongToken0123456789") as wrong:
            with pytest.raises(openai.APIStatusError) as denied:
                await wrong.chat.completions.create(model="llama-3.3-70b", messages=HELLO)
    assert limited.value.response.headers["retry-after"] == "30"
    assert denied.value.status_code == 502
    assert denied.value.body["code"] == "provider_auth_required"
    assert "hf_wrongToken0123456789" not in json.dumps(denied.value.body)


def _established_to(port: int) -> int:
    """Open client-side TCP connections to 127.0.0.1:``port`` (from /proc/net/tcp)."""
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as table:
        for row in table.read().splitlines()[1:]:
            fields = row.split()
            remote_port = int(fields[2].split(":")[1], 16)
            if remote_port == port and fields[3] == "01":
                count += 1
    return count


async def test_client_disconnect_closes_the_router_connection(start, router, monkeypatch) -> None:
    import asyncio
    import os

    import aiohttp

    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("needs /proc/net/tcp (Linux) to count open connections")
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    # The "tgi" layout carries content in its first event; the fake then stalls for 30 s.
    router.chat = ChatScript(content="a long answer " * 20, chunk_size=3, variant="tgi")
    router.faults.add(stall=30, path="/v1/chat")
    port = int(router.url.rsplit(":", 1)[1])
    payload = {"model": "llama-3.3-70b", "messages": HELLO, "stream": True}
    async with start(disconnect_poll=0.05) as (url, _):
        async with aiohttp.ClientSession() as session:
            resp = await session.post(f"{url}/v1/chat/completions", json=payload)
            assert (await resp.content.readline()).startswith(b"data: {")
            assert _established_to(port) == 1
            resp.close()
        for _ in range(40):
            if _established_to(port) == 0:
                break
            await asyncio.sleep(0.05)
        assert _established_to(port) == 0
