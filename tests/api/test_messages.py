"""``/v1/messages`` driven by the real ``anthropic`` SDK against the server on a loopback port."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import anthropic
import pytest

from tests.api import protocol_mocks as extra
from tests.api import providers as mocks

KEY = "server-key-0123456789"
WEATHER = [
    {
        "name": "get_weather",
        "description": "Weather of a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]
HELLO = [{"role": "user", "content": "hello there"}]


@pytest.fixture(autouse=True)
def _reset_extra() -> Iterator[None]:
    extra.reset()
    yield


def sdk(url: str, key: str = KEY, **kwargs) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(base_url=url, api_key=key, max_retries=0, timeout=10, **kwargs)


async def test_create_with_system_and_x_api_key(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        message = await client.messages.create(
            model="echo",
            max_tokens=100,
            system="be brief",
            messages=HELLO,
            # This SDK version has no temperature argument; older clients send it.
            extra_body={"temperature": 0.3},
        )
    assert message.type == "message" and message.role == "assistant"
    assert message.id.startswith("msg_")
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "echo(org/Echo-7B): hello there"
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    assert (message.usage.input_tokens, message.usage.output_tokens) == (2, 3)
    assert mocks.EchoProvider.calls == 1
    assert mocks.EchoProvider.last["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello there"},
    ]
    assert mocks.EchoProvider.last["max_tokens"] == 100
    assert mocks.EchoProvider.last["temperature"] == 0.3


async def test_bearer_token_works_as_well(start) -> None:
    async with start(api_key=KEY) as (url, _):
        async with anthropic.AsyncAnthropic(
            base_url=url, auth_token=KEY, max_retries=0, timeout=10
        ) as client:
            message = await client.messages.create(model="echo", max_tokens=5, messages=HELLO)
    assert message.content[0].text.endswith("hello there")


async def test_beta_client_header_and_beta_query(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        message = await client.beta.messages.create(
            model="echo", max_tokens=5, messages=HELLO, betas=["some-feature-2025-01-01"]
        )
        # Claude tooling posts to /v1/messages?beta=true.
        raw = await client.post(
            "/v1/messages?beta=true",
            body={"model": "echo", "max_tokens": 5, "messages": HELLO},
            cast_to=object,
        )
    assert message.content[0].text == "echo(org/Echo-7B): hello there"
    assert raw["content"] == [{"type": "text", "text": "echo(org/Echo-7B): hello there"}]
    assert mocks.EchoProvider.calls == 2


async def test_content_blocks_images_and_system_blocks(start) -> None:
    data = base64.b64encode(mocks.png(1, 1)).decode()
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        await client.messages.create(
            model="echo",
            max_tokens=50,
            system=[{"type": "text", "text": "rule one"}, {"type": "text", "text": "rule two"}],
            messages=[
                {"role": "user", "content": [{"type": "text", "text": "first"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "compare"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": data},
                        },
                        {
                            "type": "image",
                            "source": {"type": "url", "url": "https://example.org/cat.png"},
                        },
                    ],
                },
            ],
        )
    assert mocks.EchoProvider.last["messages"] == [
        {"role": "system", "content": "rule one\n\nrule two"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "compare"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
                {"type": "image_url", "image_url": {"url": "https://example.org/cat.png"}},
            ],
        },
    ]


async def test_stream_text_and_final_message(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        async with client.messages.stream(
            model="echo-1", max_tokens=100, messages=[{"role": "user", "content": "stream me"}]
        ) as stream:
            pieces = [text async for text in stream.text_stream]
            final = await stream.get_final_message()
    assert "".join(pieces) == "echo(echo-1): stream me" == final.content[0].text
    assert len(pieces) > 3
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 3 and final.usage.input_tokens == 2


@pytest.mark.parametrize("stream", [False, True])
async def test_thinking_blocks_only_when_enabled(start, stream: bool) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        if stream:
            async with client.messages.stream(
                model="thinker",
                max_tokens=100,
                messages=[{"role": "user", "content": "why"}],
                thinking=thinking,
            ) as events:
                kinds = [e.delta.type async for e in events if e.type == "content_block_delta"]
                message = await events.get_final_message()
            assert set(kinds) == {"thinking_delta", "text_delta"}
        else:
            message = await client.messages.create(
                model="thinker",
                max_tokens=100,
                messages=[{"role": "user", "content": "why"}],
                thinking=thinking,
            )
        plain = await client.messages.create(
            model="thinker", max_tokens=100, messages=[{"role": "user", "content": "why"}]
        )
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert message.content[0].thinking == "Let me think about why"
    assert message.content[1].text == "WHY"
    assert [block.type for block in plain.content] == ["text"]


@pytest.mark.parametrize("stream", [False, True])
async def test_tool_round_trip(start, stream: bool) -> None:
    question = [{"role": "user", "content": "What is the weather in Lyon?"}]
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        if stream:
            async with client.messages.stream(
                model="tooler", max_tokens=100, messages=question, tools=WEATHER
            ) as events:
                deltas = [
                    e.delta.partial_json
                    async for e in events
                    if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
                ]
                first = await events.get_final_message()
            assert json.loads("".join(deltas)) == {"city": "Lyon"}
        else:
            first = await client.messages.create(
                model="tooler",
                max_tokens=100,
                messages=question,
                tools=WEATHER,
                tool_choice={"type": "any"},
            )
            assert mocks.ToolProvider.last["tool_choice"] == "required"
        assert first.stop_reason == "tool_use"
        use = first.content[0]
        assert (use.type, use.id, use.name, use.input) == (
            "tool_use",
            "call_lyon",
            "get_weather",
            {"city": "Lyon"},
        )
        assert mocks.ToolProvider.last["tools"] == [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": WEATHER[0]["input_schema"],
                    "description": "Weather of a city",
                },
            }
        ]
        second = await client.messages.create(
            model="tooler",
            max_tokens=100,
            tools=WEATHER,
            messages=question
            + [
                {"role": "assistant", "content": first.content},
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Sunny"}],
                },
            ],
        )
    assert second.content[0].text == "Tool said: Sunny"
    assert second.stop_reason == "end_turn"
    assert mocks.ToolProvider.last["messages"][1:] == extra.LYON_TOOL_TURN
    assert mocks.ToolProvider.calls == 2


async def test_stop_sequences_end_the_answer_and_name_the_sequence(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        message = await client.messages.create(
            model="echo-1",
            max_tokens=100,
            stop_sequences=["zzz", "two"],
            messages=[{"role": "user", "content": "one two three"}],
        )
        async with client.messages.stream(
            model="echo-1",
            max_tokens=100,
            stop_sequences=["thr"],
            messages=[{"role": "user", "content": "one two three"}],
        ) as stream:
            streamed = "".join([t async for t in stream.text_stream])
            final = await stream.get_final_message()
    assert message.content[0].text == "echo(echo-1): one "
    assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "two")
    assert streamed == "echo(echo-1): one two "
    assert (final.stop_reason, final.stop_sequence) == ("stop_sequence", "thr")
    assert "stop" not in mocks.EchoProvider.last
    assert mocks.EchoProvider.closed


async def test_max_tokens_cut_is_stop_reason_max_tokens(start) -> None:
    async with start(api_key=KEY, provider=extra.BudgetProvider) as (url, _), sdk(url) as client:
        message = await client.messages.create(
            model="budget", max_tokens=2, messages=[{"role": "user", "content": "a b c d"}]
        )
    assert message.content[0].text == "a b"
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 2 and message.usage.input_tokens == 4


async def test_output_config_json_schema_parses_into_the_model(start) -> None:
    import pydantic

    class Answer(pydantic.BaseModel):
        topic: str
        words: int

    async with start(api_key=KEY, provider=extra.SchemaProvider) as (url, _), sdk(url) as client:
        parsed = await client.messages.parse(
            model="schema",
            max_tokens=100,
            messages=[{"role": "user", "content": "tell me more"}],
            output_format=Answer,
        )
    assert parsed.parsed_output == Answer(topic="tell me more", words=3)
    sent = extra.SchemaProvider.last["response_format"]
    assert sent["type"] == "json_schema" and set(sent["json_schema"]["schema"]["properties"]) == {
        "topic",
        "words",
    }


async def test_count_tokens_follows_the_documented_estimate(start) -> None:
    data = base64.b64encode(mocks.png(1, 1)).decode()
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        plain = await client.messages.count_tokens(
            model="echo", messages=[{"role": "user", "content": "Hello, world"}]
        )
        with_system = await client.messages.count_tokens(
            model="echo",
            system="Be brief.",
            messages=[{"role": "user", "content": "Hello, world"}],
        )
        with_image = await client.messages.count_tokens(
            model="echo",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Hello, world"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": data},
                        },
                    ],
                }
            ],
        )
        with_tools = await client.messages.count_tokens(
            model="echo", tools=WEATHER, messages=[{"role": "user", "content": "Hello, world"}]
        )
    # "Hello" 2 + "," 1 + "world" 2, one message 4, priming 3.
    assert plain.input_tokens == 12
    # "Be" 1 + "brief" 2 + "." 1 and a system message 4.
    assert with_system.input_tokens == 12 + 8
    assert with_image.input_tokens == 12 + 1600
    assert with_tools.input_tokens > 12 + 20
    assert mocks.EchoProvider.calls == 0


async def test_missing_max_tokens_and_bad_fields_are_invalid_request_errors(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        cases = [
            ({"model": "echo", "messages": HELLO}, "max_tokens"),
            ({"model": "echo", "max_tokens": 5}, "messages"),
            ({"max_tokens": 5, "messages": HELLO}, "model"),
            (
                {
                    "model": "echo",
                    "max_tokens": 5,
                    "messages": [{"role": "system", "content": "x"}],
                },
                "role",
            ),
            (
                {
                    "model": "echo",
                    "max_tokens": 5,
                    "messages": HELLO,
                    "tools": [{"type": "web_search_20250305", "name": "web_search"}],
                },
                "tools.0.type",
            ),
            (
                {
                    "model": "echo",
                    "max_tokens": 5,
                    "messages": [{"role": "user", "content": [{"type": "document", "source": {}}]}],
                },
                "document",
            ),
        ]
        for body, word in cases:
            with pytest.raises(anthropic.BadRequestError) as info:
                await client.post("/v1/messages", body=body, cast_to=object)
            assert info.value.body["type"] == "error"
            assert info.value.body["error"]["type"] == "invalid_request_error"
            assert word in info.value.body["error"]["message"], body
        with pytest.raises(anthropic.BadRequestError) as info:
            await client.post(
                "/v1/messages",
                body=None,
                cast_to=object,
                options={"headers": {"Content-Type": "application/json"}},
            )
    assert mocks.EchoProvider.calls == 0


async def test_errors_map_to_the_sdk_exception_classes(start, monkeypatch) -> None:
    from tests.mocks import RaisingProvider

    # One provider asking for Retry-After: 60 is waited for when the wait fits the
    # deadline (the engine's rule); a short deadline makes it answer 429 at once.
    monkeypatch.setenv("G4F_TIMEOUT", "3")

    async with start(api_key=KEY, max_body=4096) as (url, _):
        async with sdk(url, "wrong-key") as client:
            with pytest.raises(anthropic.AuthenticationError) as denied:
                await client.messages.create(model="echo", max_tokens=5, messages=HELLO)
            with pytest.raises(anthropic.AuthenticationError):
                await client.messages.count_tokens(model="echo", messages=HELLO)
        async with sdk(url) as client:
            with pytest.raises(anthropic.NotFoundError) as missing:
                await client.messages.create(model="no-such-model", max_tokens=5, messages=HELLO)
            with pytest.raises(anthropic.NotFoundError):
                await client.post("/v1/messages/nope", body={}, cast_to=object)
            with pytest.raises(anthropic.ContentTooLargeError) as large:
                await client.messages.create(
                    model="echo",
                    max_tokens=5,
                    messages=[{"role": "user", "content": "x" * 10_000}],
                )
            began = time.monotonic()
            with pytest.raises(anthropic.OverloadedError) as overloaded:
                await client.messages.create(model="shared-model", max_tokens=5, messages=HELLO)
            took = time.monotonic() - began
    assert denied.value.body == {
        "type": "error",
        "error": {"type": "authentication_error", "message": "Invalid API key"},
    }
    assert missing.value.body["error"]["type"] == "not_found_error"
    assert large.value.body["error"]["type"] == "request_too_large"
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"]["type"] == "overloaded_error"
    assert "BrokenAuth: MissingAuthError" in overloaded.value.body["error"]["message"]
    assert mocks.SECRET not in json.dumps(overloaded.value.body)
    assert mocks.BrokenAuth.calls == 1 and mocks.BrokenAnswer.calls == 1
    assert mocks.EchoProvider.calls == 0
    assert took < 5
    async with start(api_key=KEY, provider=RaisingProvider) as (url, _), sdk(url) as client:
        with pytest.raises(anthropic.RateLimitError) as limited:
            await client.messages.create(model="mock-model", max_tokens=5, messages=HELLO)
    assert limited.value.body["error"]["type"] == "rate_limit_error"
    assert limited.value.response.headers["retry-after"] == "60"
    assert RaisingProvider.calls == 1


async def test_failure_mid_stream_is_an_error_event(start) -> None:
    from tests.mocks import RaisesAfterTwoChunks

    async with start(provider=RaisesAfterTwoChunks) as (url, _), sdk(url) as client:
        received: list[str] = []
        with pytest.raises(anthropic.APIStatusError) as info:
            async with client.messages.stream(
                model="mock-model", max_tokens=5, messages=HELLO
            ) as stream:
                async for text in stream.text_stream:
                    received.append(text)
    assert "".join(received) == "ab"
    assert info.value.body["error"]["type"] == "overloaded_error"
    assert "connection cut" in info.value.body["error"]["message"]
    assert RaisesAfterTwoChunks.calls == 1


async def test_tool_arguments_that_are_not_json_are_an_upstream_error(start) -> None:
    async with start(provider=extra.BadToolArguments) as (url, _), sdk(url) as client:
        with pytest.raises(anthropic.OverloadedError) as info:
            await client.messages.create(
                model="bad-tool", max_tokens=5, messages=HELLO, tools=WEATHER
            )
    assert "not a JSON object" in info.value.body["error"]["message"]
    assert extra.BadToolArguments.calls == 1


async def test_ping_events_while_the_upstream_is_silent(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "first_delay", 1.0)
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 2)
    body = {"model": "slow", "max_tokens": 9, "messages": HELLO, "stream": True}
    async with start(api_key=KEY, provider=mocks.SlowProvider, keepalive=0.1) as (url, _):
        status, _, text = await extra.read_sse(f"{url}/v1/messages", body, {"x-api-key": KEY})
        async with sdk(url) as client:
            async with client.messages.stream(model="slow", max_tokens=9, messages=HELLO) as stream:
                streamed = "".join([t async for t in stream.text_stream])
    assert status == 200
    names = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start"
    assert names[1 : names.index("content_block_start")].count("ping") >= 3
    assert names[-2:] == ["message_delta", "message_stop"]
    assert streamed == "tick0 tick1 "
    assert mocks.SlowProvider.calls == 2


async def test_error_after_a_silent_start_is_an_error_event(start, monkeypatch) -> None:
    monkeypatch.setattr(extra.SilentThenFails, "delay", 0.5)
    # Retry-After 60 on the only provider: a short deadline makes it fail at once.
    monkeypatch.setenv("G4F_TIMEOUT", "3")
    body = {"model": "silent", "max_tokens": 9, "messages": HELLO, "stream": True}
    async with start(api_key=KEY, provider=extra.SilentThenFails, keepalive=0.1) as (url, _):
        status, _, text = await extra.read_sse(f"{url}/v1/messages", body, {"x-api-key": KEY})
    assert status == 200
    names = [line[7:] for line in text.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start" and names[-1] == "error"
    assert set(names[1:-1]) == {"ping"}
    error = json.loads(text.rstrip().splitlines()[-1][6:])
    assert error == {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}
    assert extra.SilentThenFails.calls == 1


async def test_client_disconnect_closes_the_provider_stream(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 200)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.05)
    body = {"model": "slow", "max_tokens": 9, "messages": HELLO, "stream": True}
    async with start(provider=mocks.SlowProvider, disconnect_poll=0.05) as (url, _):
        await extra.abandon_stream(f"{url}/v1/messages", body, b"text_delta")
    assert mocks.SlowProvider.closed
    assert mocks.SlowProvider.sent < 200
    assert mocks.SlowProvider.calls == 1
