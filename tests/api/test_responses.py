"""``/v1/responses`` driven by the real ``openai`` SDK against the server on a loopback port."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import openai
import pydantic
import pytest

from tests.api import protocol_mocks as extra
from tests.api import providers as mocks

KEY = "server-key-0123456789"
WEATHER = [
    {
        "type": "function",
        "name": "get_weather",
        "description": "Weather of a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    }
]
CHAT_WEATHER = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather of a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
]


@pytest.fixture(autouse=True)
def _reset_extra() -> Iterator[None]:
    extra.reset()
    yield


def sdk(url: str, key: str = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=10)


async def test_string_input_with_instructions(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        response = await client.responses.create(
            model="echo", input="hello there", instructions="be brief", temperature=0.5
        )
    assert response.status == "completed" and response.object == "response"
    assert response.id.startswith("resp_")
    assert response.output_text == "echo(org/Echo-7B): hello there"
    assert [item.type for item in response.output] == ["message"]
    assert response.output[0].status == "completed" and response.output[0].role == "assistant"
    assert response.instructions == "be brief" and response.temperature == 0.5
    assert (response.usage.input_tokens, response.usage.output_tokens) == (2, 3)
    assert response.usage.total_tokens == 5
    assert response.model_extra["provider"] == "EchoProvider"
    assert mocks.EchoProvider.calls == 1
    assert mocks.EchoProvider.last["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hello there"},
    ]
    assert mocks.EchoProvider.last["temperature"] == 0.5


async def test_item_input_with_developer_message_and_image(start) -> None:
    pixel = "data:image/png;base64," + base64.b64encode(mocks.png(1, 1)).decode()
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        response = await client.responses.create(
            model="echo",
            input=[
                {"role": "developer", "content": "answer in French"},
                {"role": "user", "content": "earlier question"},
                {
                    "type": "message",
                    "role": "assistant",
                    "content": [
                        {"type": "output_text", "text": "earlier answer", "annotations": []}
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "what is this?"},
                        {"type": "input_image", "image_url": pixel, "detail": "low"},
                    ],
                },
            ],
        )
    assert response.status == "completed"
    sent = mocks.EchoProvider.last["messages"]
    assert sent[:3] == [
        {"role": "system", "content": "answer in French"},
        {"role": "user", "content": "earlier question"},
        {"role": "assistant", "content": "earlier answer"},
    ]
    assert sent[3] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "what is this?"},
            {"type": "image_url", "image_url": {"url": pixel, "detail": "low"}},
        ],
    }


async def test_stream_sends_typed_events_in_order_with_reasoning_summary(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        async with client.responses.stream(
            model="thinker", input="why", reasoning={"summary": "auto"}
        ) as stream:
            events = [event async for event in stream]
            final = await stream.get_final_response()
    kinds = [event.type for event in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
    ]
    assert kinds[-7:] == [
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")
    assert summary == "Let me think about why"
    assert events[0].response.status == "in_progress" and events[0].response.output == []
    assert len({event.response.id for event in events if hasattr(event, "response")}) == 1
    assert final.output_text == "WHY"
    assert final.output[0].type == "reasoning"
    assert final.output[0].summary[0].text == "Let me think about why"
    assert final.reasoning.summary == "auto"


async def test_tool_round_trip_through_previous_response_id(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        first = await client.responses.create(
            model="tooler",
            input="What is the weather in Lyon?",
            tools=WEATHER,
            tool_choice="auto",
        )
        call = first.output[0]
        assert call.type == "function_call" and call.status == "completed"
        assert (call.name, json.loads(call.arguments), call.call_id) == (
            "get_weather",
            {"city": "Lyon"},
            "call_lyon",
        )
        assert mocks.ToolProvider.last["tools"] == CHAT_WEATHER
        assert mocks.ToolProvider.last["tool_choice"] == "auto"
        second = await client.responses.create(
            model="tooler",
            previous_response_id=first.id,
            input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny"}],
            tools=WEATHER,
        )
    assert second.output_text == "Tool said: Sunny"
    assert second.previous_response_id == first.id
    assert mocks.ToolProvider.last["messages"] == [
        {"role": "user", "content": "What is the weather in Lyon?"},
        *extra.LYON_TOOL_TURN,
    ]
    assert mocks.ToolProvider.calls == 2


async def test_streamed_tool_call_and_stateless_round_trip(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        async with client.responses.stream(
            model="tooler", input="Weather in Oslo?", tools=WEATHER, store=False
        ) as stream:
            events = [event async for event in stream]
            first = await stream.get_final_response()
        deltas = [e for e in events if e.type == "response.function_call_arguments.delta"]
        done = [e for e in events if e.type == "response.function_call_arguments.done"]
        assert json.loads(deltas[0].delta) == {"city": "Oslo"} == json.loads(done[0].arguments)
        call = first.output[0]
        second = await client.responses.create(
            model="tooler",
            input=[
                {"role": "user", "content": "Weather in Oslo?"},
                call.model_dump(exclude_none=True),
                {"type": "function_call_output", "call_id": call.call_id, "output": "Snow"},
            ],
            tools=WEATHER,
        )
        with pytest.raises(openai.NotFoundError):
            await client.responses.retrieve(first.id)  # store=False kept nothing
    assert second.output_text == "Tool said: Snow"
    assert mocks.ToolProvider.last["messages"][1]["tool_calls"][0]["id"] == "call_oslo"


async def test_continuation_get_and_delete(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        first = await client.responses.create(
            model="echo-1", input="first question", instructions="old rules"
        )
        second = await client.responses.create(
            model="echo-1",
            input="second",
            previous_response_id=first.id,
            instructions="new rules",
        )
        assert mocks.EchoProvider.last["messages"] == [
            {"role": "system", "content": "new rules"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": first.output_text},
            {"role": "user", "content": "second"},
        ]
        fetched = await client.responses.retrieve(first.id)
        assert fetched.id == first.id and fetched.output_text == first.output_text
        assert (
            fetched.status == "completed" and fetched.usage.total_tokens == first.usage.total_tokens
        )
        await client.responses.delete(first.id)
        with pytest.raises(openai.NotFoundError):
            await client.responses.retrieve(first.id)
        with pytest.raises(openai.NotFoundError):
            await client.responses.delete(first.id)
        with pytest.raises(openai.NotFoundError) as info:
            await client.responses.create(
                model="echo-1", input="third", previous_response_id=first.id
            )
        # The second response carried the whole conversation: it still continues.
        third = await client.responses.create(
            model="echo-1", input="third", previous_response_id=second.id
        )
    assert info.value.body["param"] == "previous_response_id"
    assert third.output_text == "echo(echo-1): third"
    assert len(mocks.EchoProvider.last["messages"]) == 5
    assert mocks.EchoProvider.calls == 3


@pytest.mark.parametrize("stream", [False, True])
async def test_max_output_tokens_makes_the_response_incomplete(start, stream: bool) -> None:
    words = "one two three four five six"
    async with start(api_key=KEY, provider=extra.BudgetProvider) as (url, _), sdk(url) as client:
        if stream:
            events = [
                event
                async for event in await client.responses.create(
                    model="budget", input=words, max_output_tokens=3, stream=True
                )
            ]
            assert events[-1].type == "response.incomplete"
            response = events[-1].response
        else:
            response = await client.responses.create(
                model="budget", input=words, max_output_tokens=3
            )
        full = await client.responses.create(model="budget", input=words, max_output_tokens=30)
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "one two three"
    assert response.output[0].status == "incomplete"
    assert response.max_output_tokens == 3 and response.usage.output_tokens == 3
    assert full.status == "completed" and full.incomplete_details is None
    assert full.output_text == words
    assert extra.BudgetProvider.last["max_tokens"] == 30 and extra.BudgetProvider.calls == 2


class Answer(pydantic.BaseModel):
    topic: str
    words: int
    question: bool


async def test_json_schema_text_format_parses_into_the_model(start) -> None:
    async with start(api_key=KEY, provider=extra.SchemaProvider) as (url, _), sdk(url) as client:
        parsed = await client.responses.parse(
            model="schema", input="is water wet?", text_format=Answer
        )
    assert parsed.output_parsed == Answer(topic="is water wet?", words=3, question=True)
    sent = extra.SchemaProvider.last["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["name"] == "Answer"
    assert sent["json_schema"]["strict"] is True
    assert set(sent["json_schema"]["schema"]["properties"]) == {"topic", "words", "question"}
    assert parsed.text.format.type == "json_schema"


async def test_bad_requests_are_400_naming_the_field(start) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        cases = [
            ({"model": "echo"}, "input"),
            ({"model": "echo", "input": []}, "input"),
            ({"model": "echo", "input": [{"type": "file_search_call"}]}, "input[0].type"),
            ({"model": "echo", "input": "x", "tools": [{"type": "web_search"}]}, "tools[0].type"),
            ({"model": "echo", "input": "x", "max_output_tokens": 0}, "max_output_tokens"),
            ({"model": "echo", "input": "x", "background": True}, "background"),
            (
                {
                    "model": "echo",
                    "input": [
                        {"role": "user", "content": [{"type": "input_image", "file_id": "file-1"}]}
                    ],
                },
                "input[0].content[0].image_url",
            ),
            (
                {"model": "echo", "input": "x", "text": {"format": {"type": "json_schema"}}},
                "text.format.schema",
            ),
        ]
        for body, param in cases:
            with pytest.raises(openai.BadRequestError) as info:
                await client.post("/responses", body=body, cast_to=object)
            assert info.value.body["param"] == param, body
            assert info.value.body["type"] == "invalid_request_error"
    assert mocks.EchoProvider.calls == 0


async def test_auth_not_found_rate_limit_and_upstream_errors(start, monkeypatch) -> None:
    from tests.mocks import RaisingProvider

    # RaisingProvider asks for Retry-After: 60; a short deadline answers 429 at once.
    monkeypatch.setenv("G4F_TIMEOUT", "3")

    async with start(api_key=KEY) as (url, _):
        async with sdk(url, "wrong-key") as client:
            with pytest.raises(openai.AuthenticationError):
                await client.responses.create(model="echo", input="x")
        async with sdk(url) as client:
            with pytest.raises(openai.NotFoundError) as missing:
                await client.responses.create(model="no-such-model", input="x")
            began = time.monotonic()
            with pytest.raises(openai.InternalServerError) as upstream:
                await client.responses.create(model="shared-model", input="x", stream=True)
            took = time.monotonic() - began
    assert missing.value.body["code"] == "model_not_found"
    assert upstream.value.status_code == 502
    assert mocks.BrokenAuth.calls == 1 and mocks.BrokenAnswer.calls == 1
    assert mocks.SECRET not in json.dumps(upstream.value.body)
    assert took < 5
    async with start(api_key=KEY, provider=RaisingProvider) as (url, _), sdk(url) as client:
        with pytest.raises(openai.RateLimitError) as limited:
            await client.responses.create(model="mock-model", input="x")
    assert limited.value.response.headers["retry-after"] == "60"
    assert mocks.EchoProvider.calls == 0


async def test_failure_after_the_stream_started_is_response_failed(start) -> None:
    from tests.mocks import RaisesAfterTwoChunks

    async with start(provider=RaisesAfterTwoChunks) as (url, _), sdk(url) as client:
        events = [
            event
            async for event in await client.responses.create(
                model="mock-model", input="x", stream=True
            )
        ]
    failed = events[-1]
    assert failed.type == "response.failed"
    assert failed.response.status == "failed"
    assert failed.response.error.code == "server_error"
    assert "connection cut" in failed.response.error.message
    assert failed.response.output[0].status == "incomplete"
    assert failed.response.output[0].content[0].text == "ab"
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "ab"
    assert RaisesAfterTwoChunks.calls == 1


async def test_keepalive_comments_while_the_upstream_is_silent(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "first_delay", 1.0)
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 2)
    body = {"model": "slow", "input": "x", "stream": True}
    async with start(provider=mocks.SlowProvider, keepalive=0.1) as (url, _):
        status, waited, text = await extra.read_sse(f"{url}/v1/responses", body)
        async with sdk(url) as client:
            events = [e async for e in await client.responses.create(**body)]
    assert status == 200
    # The stream opened (response.created) long before the provider's first chunk.
    assert text.startswith("event: response.created") and waited < 0.9
    silence = text[: text.index("response.output_text.delta")]
    assert silence.count(": keep-alive\n\n") >= 3
    assert text.rstrip().splitlines()[0] == "event: response.created"
    assert "event: response.completed" in text
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == "tick0 tick1 "
    assert mocks.SlowProvider.calls == 2


async def test_no_keepalive_when_the_answer_comes_at_once(start) -> None:
    async with start(keepalive=5.0) as (url, _):
        status, _, text = await extra.read_sse(
            f"{url}/v1/responses", {"model": "echo", "input": "hi", "stream": True}
        )
    assert status == 200 and ": keep-alive" not in text
    assert text.count("event: response.output_text.delta") > 1


async def test_failure_after_a_silent_start_is_response_failed(start, monkeypatch) -> None:
    monkeypatch.setattr(extra.SilentThenFails, "delay", 0.5)
    # Retry-After 60 on the only provider: a short deadline makes it fail at once.
    monkeypatch.setenv("G4F_TIMEOUT", "3")
    async with start(provider=extra.SilentThenFails, keepalive=0.1) as (url, _):
        status, _, text = await extra.read_sse(
            f"{url}/v1/responses", {"model": "silent", "input": "x", "stream": True}
        )
    assert status == 200
    events = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: ")]
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.failed",
    ]
    assert events[-1]["response"]["error"] == {
        "code": "rate_limit_exceeded",
        "message": "slow down",
    }
    assert ": keep-alive" in text
    assert extra.SilentThenFails.calls == 1


async def test_client_disconnect_closes_the_provider_stream(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 200)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.05)
    body = {"model": "slow", "input": "x", "stream": True}
    async with start(provider=mocks.SlowProvider, disconnect_poll=0.05) as (url, _):
        await extra.abandon_stream(f"{url}/v1/responses", body, b"response.output_text.delta")
    assert mocks.SlowProvider.closed
    assert mocks.SlowProvider.sent < 200
    assert mocks.SlowProvider.calls == 1
