"""The server driven by the real ``openai`` SDK, as an OpenAI-compatible client would use it."""

from __future__ import annotations

import base64
import json
import struct

import openai
import pytest

from tests.api import providers as mocks

KEY = "server-key-0123456789"


def sdk(url: str, key: str = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=10)


async def test_models_list_is_anyprovider_map(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        page = await client.models.list()
    by_id = {m.id: m for m in page.data}
    assert set(by_id["shared-model"].providers) == {"BrokenAuth", "BrokenAnswer"}
    assert by_id["echo"].providers == ["EchoProvider"]
    assert by_id["org/Echo-7B"].owned_by == "org"
    assert "mock-video" in by_id


async def test_retrieve_model_and_unknown_model(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        model = await client.models.retrieve("org/Echo-7B")
        assert model.id == "org/Echo-7B"
        with pytest.raises(openai.NotFoundError):
            await client.models.retrieve("nope/Nothing")


async def test_chat_non_stream(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        completion = await client.chat.completions.create(
            model="echo",
            messages=[
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "hello there"},
            ],
            temperature=0.25,
            max_tokens=33,
        )
    assert completion.choices[0].message.content == "echo(org/Echo-7B): hello there"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens == 2
    assert completion.model_extra["provider"] == "EchoProvider"
    assert mocks.EchoProvider.last["temperature"] == 0.25
    assert mocks.EchoProvider.last["max_tokens"] == 33
    assert mocks.EchoProvider.last["messages"][0] == {"role": "system", "content": "be brief"}


async def test_chat_stream_with_usage(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        stream = await client.chat.completions.create(
            model="echo-1",
            messages=[{"role": "user", "content": "stream me please"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo(echo-1): stream me please"
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens == 3
    assert len({c.id for c in chunks}) == 1


async def test_stream_reasoning_is_a_delta_field(start) -> None:
    async with start(provider="ThinkingProvider") as (url, _), sdk(url) as client:
        stream = await client.chat.completions.create(
            model="thinker", messages=[{"role": "user", "content": "why"}], stream=True
        )
        chunks = [chunk async for chunk in stream]
    reasoning = "".join(
        (c.choices[0].delta.model_extra or {}).get("reasoning") or "" for c in chunks
    )
    assert reasoning == "Let me think about why"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "WHY"


@pytest.mark.parametrize("stream", [False, True])
async def test_tool_call_round_trip(start, stream: bool) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    messages = [{"role": "user", "content": "What is the weather in Lyon?"}]
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        if stream:
            chunks = [
                c
                async for c in await client.chat.completions.create(
                    model="tooler", messages=messages, tools=tools, stream=True
                )
            ]
            calls = [tc for c in chunks for tc in (c.choices[0].delta.tool_calls or [])]
            finish = [c.choices[0].finish_reason for c in chunks if c.choices[0].finish_reason]
            assert finish == ["tool_calls"]
            call_id, name, arguments = (
                calls[0].id,
                calls[0].function.name,
                calls[0].function.arguments,
            )
            assert calls[0].index == 0
        else:
            first = await client.chat.completions.create(
                model="tooler", messages=messages, tools=tools
            )
            assert first.choices[0].finish_reason == "tool_calls"
            assert first.choices[0].message.content is None
            call = first.choices[0].message.tool_calls[0]
            call_id, name, arguments = call.id, call.function.name, call.function.arguments
        assert name == "get_weather" and json.loads(arguments) == {"city": "Lyon"}
        assert mocks.ToolProvider.last["tools"] == tools
        messages += [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": "Sunny, 21 C"},
        ]
        second = await client.chat.completions.create(
            model="tooler", messages=messages, tools=tools
        )
    assert second.choices[0].message.content == "Tool said: Sunny, 21 C"
    assert mocks.ToolProvider.last["messages"][-1]["tool_call_id"] == "call_lyon"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_images_generate_b64_and_url(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        b64 = await client.images.generate(
            model="mock-image", prompt="a red square", size="16x12", response_format="b64_json", n=2
        )
        as_url = await client.images.generate(model="mock-image", prompt="a blue square")
    assert len(b64.data) == 2
    assert _png_size(base64.b64decode(b64.data[0].b64_json)) == (16, 12)
    assert mocks.ImageProvider.last["prompt"] == "a blue square"
    assert as_url.data[0].url.startswith("data:image/png;base64,")
    assert _png_size(base64.b64decode(as_url.data[0].url.split(",", 1)[1])) == (8, 4)


async def test_video_generation_route(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        response = await client.post(
            "/media/generations",
            body={"model": "mock-video", "prompt": "a cat surfing"},
            cast_to=object,
        )
    uri = response["data"][0]["url"]
    assert base64.b64decode(uri.split(",", 1)[1]) == b"MP4:a cat surfing"
    assert response["provider"] == "VideoProvider"


async def test_wrong_or_missing_key_is_authentication_error(start) -> None:
    async with start(api_key=KEY) as (url, _):
        async with sdk(url, "wrong-key") as client:
            with pytest.raises(openai.AuthenticationError) as info:
                await client.models.list()
        assert info.value.status_code == 401
        assert info.value.body["code"] == "invalid_api_key"
        assert KEY not in json.dumps(info.value.body)
        async with sdk(url, KEY[:-1] + "X") as client:
            with pytest.raises(openai.AuthenticationError):
                await client.chat.completions.create(
                    model="echo", messages=[{"role": "user", "content": "x"}]
                )
    assert mocks.EchoProvider.calls == 0


async def test_unknown_model_is_not_found(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        with pytest.raises(openai.NotFoundError) as info:
            await client.chat.completions.create(
                model="no-such-model", messages=[{"role": "user", "content": "x"}]
            )
        assert info.value.body["code"] == "model_not_found"
        with pytest.raises(openai.NotFoundError) as info:
            await client.chat.completions.create(
                model="no-such-model", messages=[{"role": "user", "content": "x"}], stream=True
            )


async def test_bad_request_is_bad_request_error(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        with pytest.raises(openai.BadRequestError) as info:
            await client.chat.completions.create(model="echo", messages=[])
        assert info.value.body["param"] == "messages"
        with pytest.raises(openai.BadRequestError) as info:
            await client.chat.completions.create(
                model="echo", messages=[{"role": "wizard", "content": "x"}]
            )
        with pytest.raises(openai.BadRequestError) as info:
            await client.images.generate(model="mock-image", prompt="x", size="huge")
        assert info.value.body["param"] == "size"


async def test_rate_limit_passes_through_with_retry_after(start, monkeypatch) -> None:
    from tests.mocks import RaisingProvider

    # The only provider asks for 60 s, more than the 10 s deadline: reported at once.
    monkeypatch.setenv("G4F_TIMEOUT", "10")
    async with start(api_key=KEY, provider=RaisingProvider) as (url, _), sdk(url) as client:
        with pytest.raises(openai.RateLimitError) as info:
            await client.chat.completions.create(
                model="mock-model", messages=[{"role": "user", "content": "x"}]
            )
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "60"
    assert info.value.body["type"] == "rate_limit_error"


async def test_every_provider_failed_is_502_with_summary_and_no_secret(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        with pytest.raises(openai.APIStatusError) as info:
            await client.chat.completions.create(
                model="shared-model", messages=[{"role": "user", "content": "x"}]
            )
    assert info.value.status_code == 502
    message = info.value.body["message"]
    assert "BrokenAuth: MissingAuthError" in message and "BrokenAnswer: ResponseError" in message
    assert mocks.SECRET not in json.dumps(info.value.body)
    assert "Traceback" not in message
    assert mocks.BrokenAuth.calls == 1 and mocks.BrokenAnswer.calls == 1


async def test_failure_after_start_is_an_in_band_stream_error(start) -> None:
    from tests.mocks import RaisesAfterTwoChunks

    async with start(provider=RaisesAfterTwoChunks) as (url, _), sdk(url) as client:
        stream = await client.chat.completions.create(
            model="mock-model", messages=[{"role": "user", "content": "x"}], stream=True
        )
        received = []
        with pytest.raises(openai.APIError) as info:
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == "ab"
    assert "connection cut" in info.value.message


async def test_explicit_provider_field_and_unknown_provider(start) -> None:
    async with start() as (url, _), sdk(url) as client:
        completion = await client.chat.completions.create(
            model="anything",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"provider": "EchoProvider"},
        )
        assert completion.choices[0].message.content == "echo(anything): hi"
        with pytest.raises(openai.NotFoundError) as info:
            await client.chat.completions.create(
                model="echo",
                messages=[{"role": "user", "content": "hi"}],
                extra_body={"provider": "Nope"},
            )
    assert info.value.body["code"] == "provider_not_found"


async def test_providers_and_health_routes(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        providers = await client.get("/providers", cast_to=object)
        async with sdk(url, "wrong") as anonymous:
            health = await anonymous.get(f"{url}/health", cast_to=object)
    names = {p["id"]: p for p in providers["data"]}
    assert names["VideoProvider"]["video_models"] == ["mock-video"]
    assert names["EchoProvider"]["models"] == ["echo-1", "org/Echo-7B"]
    assert names["BrokenAuth"]["working"] is True
    assert health["status"] == "ok"


def test_sync_sdk_against_the_server_in_a_thread() -> None:
    """The blocking ``openai.OpenAI`` client, with the server on its own loop thread."""
    from g4f.api import create_app
    from tests.fakes.server import FakeServer

    with FakeServer(create_app(api_key=KEY)) as server:
        client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0, timeout=10)
        try:
            reply = client.chat.completions.create(
                model="echo", messages=[{"role": "user", "content": "sync"}]
            )
            pieces = [
                c.choices[0].delta.content or ""
                for c in client.chat.completions.create(
                    model="echo", messages=[{"role": "user", "content": "sync"}], stream=True
                )
            ]
            with pytest.raises(openai.NotFoundError):
                client.chat.completions.create(
                    model="missing", messages=[{"role": "user", "content": "x"}]
                )
        finally:
            client.close()
    assert reply.choices[0].message.content == "echo(org/Echo-7B): sync" == "".join(pieces)
    assert [r["path"] for r in server.requests] == ["/v1/chat/completions"] * 3


async def test_stop_sequence_and_single_provider_route(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        completion = await client.chat.completions.create(
            model="echo-1", messages=[{"role": "user", "content": "one two three"}], stop=["two"]
        )
        provider = await client.get("/providers/echoprovider", cast_to=object)
        with pytest.raises(openai.NotFoundError):
            await client.get("/providers/Nope", cast_to=object)
    assert completion.choices[0].message.content == "echo(echo-1): one "
    assert completion.choices[0].finish_reason == "stop"
    assert provider["id"] == provider["name"] == "EchoProvider" and provider["models"] == [
        "echo-1",
        "org/Echo-7B",
    ]
