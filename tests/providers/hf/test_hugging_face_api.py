"""HuggingFaceAPI against the fake router: chat wire format, stream variants, tools, errors, discovery."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from g4f.errors import (
    BadRequestError,
    InvalidRequestError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    PaymentRequiredError,
    RateLimitError,
    ResponseError,
    ResponseStatusError,
    StreamParseError,
    TimeoutError,
)
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.providers.response import FinishReason, ProviderInfo, Reasoning, ToolCalls, Usage
from tests.fakes.router import LEGACY_HOST, TOKEN, ChatScript, FakeRouter, ToolCallScript, png_bytes

HELLO = [{"role": "user", "content": "What is the capital of France?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield fake


async def collect(stream: AsyncIterator[Any]) -> list[Any]:
    return [chunk async for chunk in stream]


async def run(model: str = "llama-3.3-70b", messages: Any = HELLO, **kwargs: Any) -> list[Any]:
    return await collect(HuggingFaceAPI.create_async_generator(model, messages, **kwargs))


async def run_engine(model: str = "llama-3.3-70b", **kwargs: Any) -> list[Any]:
    """Through the failover engine, which owns the 503 ``estimated_time`` wait."""
    from g4f.providers.engine import failover

    return await collect(failover(HuggingFaceAPI, model, HELLO, **kwargs))


def summary(chunks: list[Any]) -> dict[str, Any]:
    """What a caller sees, independent of how the text was cut into chunks."""
    return {
        "text": "".join(c for c in chunks if isinstance(c, str)),
        "reasoning": "".join(c.token for c in chunks if isinstance(c, Reasoning) and c.token),
        "tool_calls": [c.get_list() for c in chunks if isinstance(c, ToolCalls)],
        "finish": [c.reason for c in chunks if isinstance(c, FinishReason)],
        "usage": [c.get_dict() for c in chunks if isinstance(c, Usage)],
    }


# --- the request -------------------------------------------------------------------------


async def test_stream_request_and_answer(router: FakeRouter) -> None:
    chunks = await run()
    body = router.chat_bodies[-1]
    assert body["model"] == "meta-llama/Llama-3.3-70B-Instruct"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == HELLO
    request = router.requests[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Accept"] == "text/event-stream"
    result = summary(chunks)
    assert result["text"] == router.chat.content
    assert result["finish"] == ["stop"]
    assert result["usage"] == [router.chat.usage]
    assert sum(isinstance(c, str) for c in chunks) > 1, "a stream arrives in pieces"
    info = next(c for c in chunks if isinstance(c, ProviderInfo))
    assert info.label == "HuggingFace (together)"


async def test_non_stream_request(router: FakeRouter) -> None:
    chunks = await run(stream=False)
    body = router.chat_bodies[-1]
    assert body["stream"] is False and "stream_options" not in body
    assert router.requests[-1]["headers"]["Accept"] == "application/json"
    assert [c for c in chunks if isinstance(c, str)] == [router.chat.content]


async def test_sampling_fields_and_extra_body(router: FakeRouter) -> None:
    await run(
        temperature=0.3,
        max_tokens=64,
        top_p=0.9,
        seed=7,
        stop="END",
        frequency_penalty=0.5,
        presence_penalty=0.25,
        response_format={"type": "json_object"},
        reasoning_effort="low",
        extra_body={"top_k": 20, "custom_flag": True},
        proxy=None,
    )
    body = router.chat_bodies[-1]
    expected = {
        "temperature": 0.3,
        "max_tokens": 64,
        "top_p": 0.9,
        "seed": 7,
        "stop": ["END"],
        "frequency_penalty": 0.5,
        "presence_penalty": 0.25,
        "response_format": {"type": "json_object"},
        "reasoning_effort": "low",
        "top_k": 20,
        "custom_flag": True,
    }
    assert {k: body[k] for k in expected} == expected
    assert "proxy" not in body


async def test_json_schema_response_format_passes_through(router: FakeRouter) -> None:
    schema = {
        "type": "json_schema",
        "json_schema": {"name": "city", "schema": {"type": "object"}, "strict": True},
    }
    await run(response_format=schema, stream=False)
    assert router.chat_bodies[-1]["response_format"] == schema


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
    ],
)
async def test_tool_choice(router: FakeRouter, choice: Any, sent: Any) -> None:
    await run(tools=[WEATHER_TOOL], tool_choice=choice, stream=False)
    body = router.chat_bodies[-1]
    assert body["tools"] == [WEATHER_TOOL]
    assert body["tool_choice"] == sent


async def test_bad_tool_choice_is_a_typed_error(router: FakeRouter) -> None:
    with pytest.raises(BadRequestError):
        await run(tools=[WEATHER_TOOL], tool_choice=42)
    assert router.chat_bodies == []


async def test_image_parts_url_data_uri_and_bytes(router: FakeRouter, tmp_path: Any) -> None:
    png = png_bytes(2, 2)
    path = tmp_path / "pic.png"
    path.write_bytes(png)
    media = [
        ("https://example.org/cat.jpg", None),
        ("data:image/jpeg;base64,/9j/AAAA", None),
        (png, "x.bin"),
        (path, None),  # a local file is a pathlib.Path, never a string
    ]
    await run(model="llama-3.2-11b", media=media)
    message = router.chat_bodies[-1]["messages"][-1]
    urls = [p["image_url"]["url"] for p in message["content"] if p["type"] == "image_url"]
    data_uri = "data:image/png;base64," + base64.b64encode(png).decode()
    assert urls == [
        "https://example.org/cat.jpg",
        "data:image/jpeg;base64,/9j/AAAA",
        data_uri,
        data_uri,
    ]
    assert message["content"][-1] == {"type": "text", "text": HELLO[0]["content"]}


async def test_openai_image_parts_in_messages_pass_through(router: FakeRouter) -> None:
    content = [
        {"type": "text", "text": "Describe"},
        {"type": "image_url", "image_url": {"url": "https://example.org/a.png"}},
    ]
    await run(messages=[{"role": "user", "content": content}])
    assert router.chat_bodies[-1]["messages"] == [{"role": "user", "content": content}]


async def test_missing_media_file_is_a_typed_error(router: FakeRouter) -> None:
    with pytest.raises(InvalidRequestError):
        await run(media=[("/nonexistent/file.png", None)])
    assert router.chat_bodies == []


# --- model ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "sent", "backend"),
    [
        ("openai/gpt-oss-120b:groq", "openai/gpt-oss-120b:groq", "groq"),
        ("openai/gpt-oss-120b:cerebras", "openai/gpt-oss-120b:cerebras", "cerebras"),
        ("deepseek-r1:fastest", "deepseek-ai/DeepSeek-R1:fastest", "together"),
        ("llama-3.3-70b:cheapest", "meta-llama/Llama-3.3-70B-Instruct:cheapest", "together"),
        (
            "Qwen/Qwen2.5-Coder-32B-Instruct:preferred",
            "Qwen/Qwen2.5-Coder-32B-Instruct:preferred",
            "nebius",
        ),
    ],
)
async def test_model_suffixes_pass_through(
    router: FakeRouter, model: str, sent: str, backend: str
) -> None:
    chunks = await run(model=model)
    assert router.chat_bodies[-1]["model"] == sent
    info = next(c for c in chunks if isinstance(c, ProviderInfo))
    assert info.model == sent and info.label == f"HuggingFace ({backend})"


async def test_empty_model_uses_the_default(router: FakeRouter) -> None:
    await run(model="")
    assert router.chat_bodies[-1]["model"] == "openai/gpt-oss-120b"


async def test_pinned_backend_without_the_model(router: FakeRouter) -> None:
    with pytest.raises(ModelNotFoundError, match="not supported by provider fireworks-ai"):
        await run(model="openai/gpt-oss-120b:fireworks-ai")


async def test_unknown_model_is_model_not_found(router: FakeRouter) -> None:
    with pytest.raises(ModelNotFoundError, match="not supported by any provider") as info:
        await run(model="nobody/nothing-7b")
    assert info.value.status_code == 400


# --- stream variants: stream and non-stream give the same result ---------------------------

VARIANTS = {
    "novita": ChatScript(),
    "a-tgi": ChatScript(variant="tgi", finish_reason="length"),
    "b-reasoning": ChatScript(reasoning="Paris is well known.", reasoning_field="reasoning"),
    "b-reasoning_content": ChatScript(
        reasoning="Think first.", reasoning_field="reasoning_content"
    ),
    "b-reasoning_text": ChatScript(reasoning="Let me recall.", reasoning_field="reasoning_text"),
    "b-think-tags": ChatScript(reasoning="Hmm, France.", reasoning_field="think"),
    "c-tools": ChatScript(
        content="", tool_calls=[ToolCallScript("get_weather", '{"city": "Paris", "unit": "C"}')]
    ),
    "e-done-no-space": ChatScript(done_no_space=True),
    "f-keepalive": ChatScript(keepalive=True),
    "g-always-usage": ChatScript(
        always_usage=True, usage={"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    ),
    "eos-token": ChatScript(finish_reason="eos_token"),
    "duplicate-done": ChatScript(duplicate_done=True),
    "stop-sequence": ChatScript(finish_reason="stop_sequence", variant="tgi"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
async def test_stream_and_non_stream_agree(router: FakeRouter, name: str) -> None:
    router.chat = VARIANTS[name]
    streamed = summary(await run())
    whole = summary(await run(stream=False))
    assert streamed == whole
    assert streamed["text"] == (
        f"<think>{router.chat.reasoning}</think>{router.chat.content}"
        if router.chat.reasoning_field == "think" and router.chat.reasoning
        else router.chat.content
    )
    if router.chat.reasoning and router.chat.reasoning_field != "think":
        assert streamed["reasoning"] == router.chat.reasoning
    expected_finish = {"eos_token": "stop", "stop_sequence": "stop"}.get(
        router.chat.finish_reason or "", router.chat.finish_reason
    )
    assert streamed["finish"] == [
        expected_finish or ("tool_calls" if router.chat.tool_calls else "stop")
    ]
    assert streamed["usage"] == [router.chat.usage]


async def test_tgi_variant_repeats_role_and_null_usage(router: FakeRouter) -> None:
    router.chat = ChatScript(variant="tgi")
    chunks = await run()
    assert summary(chunks)["usage"] == [router.chat.usage], "usage from the choices: [] chunk"


async def test_usage_chunk_without_include_usage(router: FakeRouter) -> None:
    router.chat = ChatScript(always_usage=True)
    chunks = await run(extra_body={"stream_options": {"include_usage": False}})
    assert router.chat_bodies[-1]["stream_options"] == {"include_usage": False}
    assert summary(chunks)["usage"] == [router.chat.usage]


# --- tool calls ----------------------------------------------------------------------------


async def test_streamed_tool_call_comes_out_whole(router: FakeRouter) -> None:
    arguments = json.dumps({"city": "Paris", "days": 3, "units": "metric"})
    router.chat = ChatScript(
        content="", tool_calls=[ToolCallScript("get_weather", arguments, id="call_abc", pieces=5)]
    )
    chunks = await run(tools=[WEATHER_TOOL], tool_choice="required")
    calls = [c for c in chunks if isinstance(c, ToolCalls)]
    assert len(calls) == 1
    assert calls[0].get_list() == [
        {
            "id": "call_abc",
            "type": "function",
            "function": {"name": "get_weather", "arguments": arguments},
        }
    ]
    assert json.loads(calls[0].get_list()[0]["function"]["arguments"]) == {
        "city": "Paris",
        "days": 3,
        "units": "metric",
    }
    assert chunks.index(calls[0]) < chunks.index(FinishReason("tool_calls"))


async def test_two_tool_calls_merge_by_index(router: FakeRouter) -> None:
    router.chat = ChatScript(
        content="",
        tool_calls=[
            ToolCallScript("get_weather", '{"city": "Paris"}', id="call_1"),
            ToolCallScript("get_weather", '{"city": "Rome"}', id="call_2", pieces=4),
        ],
    )
    streamed = summary(await run(tools=[WEATHER_TOOL]))
    whole = summary(await run(tools=[WEATHER_TOOL], stream=False))
    assert streamed == whole
    [calls] = streamed["tool_calls"]
    assert [(c["id"], json.loads(c["function"]["arguments"])["city"]) for c in calls] == [
        ("call_1", "Paris"),
        ("call_2", "Rome"),
    ]


async def test_tool_result_round_trip_messages(router: FakeRouter) -> None:
    router.chat = ChatScript(
        content="", tool_calls=[ToolCallScript("get_weather", '{"city": "Paris"}', id="call_9")]
    )
    first = await run(tools=[WEATHER_TOOL])
    [calls] = [c.get_list() for c in first if isinstance(c, ToolCalls)]
    router.chat = ChatScript(content="It is 21 °C in Paris.")
    follow_up = HELLO + [
        {"role": "assistant", "content": None, "tool_calls": calls},
        {"role": "tool", "tool_call_id": calls[0]["id"], "content": '{"temp": 21}'},
    ]
    second = await run(messages=follow_up, tools=[WEATHER_TOOL])
    assert summary(second)["text"] == "It is 21 °C in Paris."
    sent = router.chat_bodies[-1]["messages"]
    assert sent[1] == {"role": "assistant", "tool_calls": calls}
    assert sent[2] == {"role": "tool", "tool_call_id": "call_9", "content": '{"temp": 21}'}


# --- auth and secrets ----------------------------------------------------------------------


async def test_missing_token_is_a_helpful_auth_error(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(MissingAuthError, match="HF_TOKEN") as info:
        await run()
    assert "settings/tokens" in str(info.value)
    assert router.requests == []


@pytest.mark.parametrize("source", ["argument", "HUGGINGFACE_API_KEY", "token file"])
async def test_token_sources(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, source: str
) -> None:
    monkeypatch.delenv("HF_TOKEN")
    kwargs: dict[str, Any] = {}
    if source == "argument":
        kwargs["api_key"] = TOKEN
    elif source == "HUGGINGFACE_API_KEY":
        monkeypatch.setenv(source, TOKEN)
    else:
        home = tmp_path / "hfhome"
        home.mkdir()
        (home / "token").write_text(TOKEN + "\n")
        monkeypatch.setenv("HF_HOME", str(home))
    await run(**kwargs)
    assert router.requests[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_bill_to_header_is_sent_and_never_shown(
    router: FakeRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="g4f")
    bill_to = "acme-research-org"
    await run(bill_to=bill_to)
    assert router.requests[-1]["headers"]["X-HF-Bill-To"] == bill_to
    router.faults.add(status=401, message=f"Invalid credentials for {TOKEN} billed to {bill_to}")
    with pytest.raises(MissingAuthError) as info:
        await run(bill_to=bill_to)
    shown = str(info.value) + repr(info.value) + (info.value.body or "") + caplog.text
    assert TOKEN not in shown and bill_to not in shown


async def test_bad_token_is_missing_auth(router: FakeRouter) -> None:
    with pytest.raises(MissingAuthError, match="Invalid credentials") as info:
        await run(api_key="hf_wrongwrongwrongwrong")
    assert info.value.status_code == 401 and "hf_wrong" not in str(info.value)


# --- errors --------------------------------------------------------------------------------

CREDITS = "You have depleted your monthly included credits. Purchase pre-paid credits to continue."


@pytest.mark.parametrize(
    ("fault", "error", "text"),
    [
        (
            dict(status=401, message="Invalid credentials in Authorization header"),
            MissingAuthError,
            "Invalid credentials",
        ),
        (dict(status=402, message=CREDITS), PaymentRequiredError, "depleted"),
        (dict(status=402, message=CREDITS, shape="openai"), PaymentRequiredError, "depleted"),
        (
            dict(
                status=403,
                message="This authentication method does not have sufficient permissions",
            ),
            MissingAuthError,
            "sufficient permissions",
        ),
        (dict(status=404, message="Not Found", shape="text"), ModelNotFoundError, "404"),
        (
            dict(
                status=422,
                message="Input validation error: `top_p` must be > 0.0 and < 1.0",
                extra={"error_type": "validation"},
            ),
            BadRequestError,
            "top_p",
        ),
        (dict(status=413, message="Payload Too Large", shape="openai"), BadRequestError, "Payload"),
        (
            dict(status=500, message="Internal error", shape="openai"),
            ResponseStatusError,
            "Internal",
        ),
        (
            dict(status=504, message="Gateway Time-out", shape="html"),
            ResponseStatusError,
            "504 Gateway Time-out",
        ),
    ],
)
async def test_error_statuses(
    router: FakeRouter, fault: dict[str, Any], error: type, text: str
) -> None:
    router.faults.add(**fault)
    with pytest.raises(error, match=text.replace("(", r"\(")) as info:
        await run(stream=False)
    assert info.value.status_code == fault["status"]
    assert "<html" not in str(info.value).lower()


async def test_429_carries_retry_after(router: FakeRouter) -> None:
    router.faults.add(
        status=429, message="Rate limit", shape="openai", code=429, headers={"Retry-After": "7"}
    )
    with pytest.raises(RateLimitError) as info:
        await run()
    assert info.value.retry_after == 7.0


async def test_429_ratelimit_header(router: FakeRouter) -> None:
    headers = {
        "RateLimit": '"api";r=0;t=55',
        "RateLimit-Policy": '"fixed window";"api";q=1000;w=300',
    }
    router.faults.add(status=429, message="Too many requests", headers=headers)
    with pytest.raises(RateLimitError) as info:
        await run()
    assert info.value.retry_after == 55.0


async def test_503_estimated_time_waits_and_retries(router: FakeRouter) -> None:
    router.faults.add(
        status=503, message="Model X is currently loading", extra={"estimated_time": 0.2}, times=2
    )
    chunks = await run_engine()
    assert summary(chunks)["text"] == router.chat.content
    assert [r["path"] for r in router.requests].count("/v1/chat/completions") == 3


async def test_503_longer_than_the_timeout_raises(router: FakeRouter) -> None:
    router.faults.add(
        status=503, message="Model X is currently loading", extra={"estimated_time": 500}
    )
    with pytest.raises(ResponseStatusError) as info:
        await run_engine(timeout=2)
    assert info.value.status_code == 503 and info.value.retry_after == 500
    assert len(router.requests) == 1


async def test_legacy_host_410_says_use_the_router(router: FakeRouter) -> None:
    router.faults.add(
        status=410,
        message="https://api-inference.huggingface.co is no longer supported. Please use https://router.huggingface.co instead.",
    )
    with pytest.raises(ResponseStatusError, match="router") as info:
        await run()
    assert info.value.status_code == 410


@pytest.mark.parametrize("shape", ["string", "openai"])
async def test_in_band_error_after_200(router: FakeRouter, shape: str) -> None:
    router.faults.add(inband_error="Model too busy, unable to get response", shape=shape)
    with pytest.raises(ResponseError, match="too busy"):
        await run()


async def test_in_band_validation_error_is_bad_request(router: FakeRouter) -> None:
    router.faults.add(
        inband_error="Input validation error: inputs too long", extra={"error_type": "validation"}
    )
    with pytest.raises(BadRequestError, match="inputs too long"):
        await run()


async def test_in_band_error_in_non_stream_json(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tests.fakes.router as fake_module

    monkeypatch.setattr(
        fake_module,
        "chat_completion",
        lambda script, model: {"error": "generation failed", "error_type": "generation"},
    )
    with pytest.raises(ResponseError, match="generation failed"):
        await run(stream=False)


async def test_cut_connection_mid_stream(router: FakeRouter) -> None:
    router.faults.add(cut_after=3)
    received: list[Any] = []
    with pytest.raises(NetworkError):
        async for chunk in HuggingFaceAPI.create_async_generator("llama-3.3-70b", HELLO):
            received.append(chunk)
    assert summary(received)["text"] == router.chat.content[: 2 * router.chat.chunk_size]


async def test_cut_connection_in_non_stream_body(router: FakeRouter) -> None:
    router.faults.add(cut_after=0)
    with pytest.raises((NetworkError, StreamParseError)):
        await run(stream=False)


async def test_stall_hits_the_stream_timeout(router: FakeRouter) -> None:
    router.faults.add(stall=3)
    with pytest.raises(TimeoutError):
        await run(stream_timeout=0.5)


async def test_malformed_line_is_a_typed_parse_error(router: FakeRouter) -> None:
    router.faults.add(malformed=True)
    with pytest.raises(StreamParseError):
        await run()


# --- discovery -----------------------------------------------------------------------------


async def test_discovery_from_v1_models(router: FakeRouter) -> None:
    assert HuggingFaceAPI.get_models() == HuggingFaceAPI.static_models()
    models = await HuggingFaceAPI.refresh_models()
    assert models == [entry["id"] for entry in router.catalogue]
    assert HuggingFaceAPI.get_models() == models
    info = HuggingFaceAPI.get_model_info("meta-llama/Llama-3.3-70B-Instruct:together")
    assert info is not None
    assert info.providers == ("together", "novita") and info.live_providers == ("together",)
    assert info.context_length == 131072 and info.supports_tools and info.supports_structured_output
    vision = HuggingFaceAPI.get_model_info("meta-llama/Llama-3.2-11B-Vision-Instruct")
    assert vision is not None and vision.vision and not vision.supports_tools
    plain = HuggingFaceAPI.get_model_info("Qwen/Qwen2.5-Coder-32B-Instruct")
    assert plain is not None and plain.context_length is None
    assert router.requests[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"


async def test_discovery_failure_falls_back_to_static(router: FakeRouter) -> None:
    router.faults.add(status=500, message="boom", path="/v1/models")
    assert await HuggingFaceAPI.refresh_models() == HuggingFaceAPI.static_models()
    assert HuggingFaceAPI.get_models() == HuggingFaceAPI.static_models()


async def test_discovery_without_token(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN")
    assert "deepseek-ai/DeepSeek-R1" in await HuggingFaceAPI.refresh_models()
    assert "Authorization" not in router.requests[-1]["headers"]


def test_no_request_at_import_or_get_models(router: FakeRouter) -> None:
    import importlib

    import g4f.Provider.hf.HuggingFaceAPI as module

    importlib.reload(module)
    module.HuggingFaceAPI.get_models()
    module.HuggingFaceAPI.any_model_keys()
    assert router.requests == []


async def test_nothing_goes_to_the_legacy_host(router: FakeRouter) -> None:
    await run()
    await run(stream=False)
    await HuggingFaceAPI.refresh_models()
    router.faults.add(status=503, message="loading", extra={"estimated_time": 0.05})
    await run_engine()
    assert router.hosts() == {"127.0.0.1"}
    assert LEGACY_HOST not in router.hosts()
    assert {r["path"] for r in router.requests} == {"/v1/chat/completions", "/v1/models"}


async def test_fake_answers_the_legacy_host_with_410(router: FakeRouter) -> None:
    from g4f.requests import StreamSession

    async with StreamSession(provider="probe") as session:
        async with session.post(
            f"{router.url}/models/x", json={}, headers={"Host": LEGACY_HOST}
        ) as response:
            with pytest.raises(ResponseStatusError, match="use the router"):
                await response.raise_for_status()
    assert LEGACY_HOST in router.hosts()


def test_declared_models_reach_any_provider() -> None:
    keys = HuggingFaceAPI.any_model_keys()
    for alias in ("llama-3.3-70b", "deepseek-r1", "qwen-2.5-coder-32b"):
        assert keys[alias] == HuggingFaceAPI.model_aliases[alias]
    assert HuggingFaceAPI.needs_auth and HuggingFaceAPI.accepts_any_model
    assert "meta-llama/Llama-3.2-11B-Vision-Instruct" in HuggingFaceAPI.vision_models


# --- through the public client ---------------------------------------------------------------

CLIENT_VARIANTS = [
    "novita",
    "a-tgi",
    "b-reasoning_text",
    "b-think-tags",
    "e-done-no-space",
    "f-keepalive",
    "eos-token",
]


def _client_stream(client: Any, **kwargs: Any) -> dict[str, Any]:
    content, reasoning, finish, usage = [], [], [], None
    for chunk in client.chat.completions.create(stream=True, **kwargs):
        choice = chunk.choices[0]
        content.append(choice.delta.content or "")
        reasoning.append(choice.delta.reasoning or "")
        if choice.finish_reason:
            finish.append(choice.finish_reason)
        usage = chunk.usage or usage
    return {
        "content": "".join(content),
        "reasoning": "".join(reasoning),
        "finish": finish,
        "usage": usage,
    }


@pytest.mark.parametrize("name", CLIENT_VARIANTS)
def test_client_stream_and_non_stream_agree(router: FakeRouter, name: str) -> None:
    from g4f.client import Client

    router.chat = VARIANTS[name]
    client = Client()
    request = {"model": "llama-3.3-70b", "provider": HuggingFaceAPI, "messages": HELLO}
    completion = client.chat.completions.create(**request)
    streamed = _client_stream(client, **request)
    message = completion.choices[0].message
    assert message.content == streamed["content"] == router.chat.content
    assert (message.reasoning or "") == streamed["reasoning"] == router.chat.reasoning
    finish = "length" if router.chat.finish_reason == "length" else "stop"
    assert completion.choices[0].finish_reason == finish and streamed["finish"] == [finish]
    assert (
        completion.usage.total_tokens
        == streamed["usage"].total_tokens
        == router.chat.usage["total_tokens"]
    )
    assert completion.provider == "HuggingFaceAPI"
    assert completion.model == "meta-llama/Llama-3.3-70B-Instruct"
    assert router.chat_bodies[-1]["model"] == "meta-llama/Llama-3.3-70B-Instruct"


def test_client_tool_call_round_trip(router: FakeRouter) -> None:
    from g4f.client import Client

    arguments = '{"city": "Paris", "when": "tomorrow"}'
    router.chat = ChatScript(
        content="", tool_calls=[ToolCallScript("get_weather", arguments, id="call_7", pieces=6)]
    )
    client = Client()
    request = {
        "model": "llama-3.3-70b",
        "provider": HuggingFaceAPI,
        "messages": HELLO,
        "tools": [WEATHER_TOOL],
    }
    streamed_calls = [
        call
        for chunk in client.chat.completions.create(stream=True, tool_choice="auto", **request)
        for call in chunk.choices[0].delta.tool_calls or []
    ]
    assert [(c.id, c.function.name, c.function.arguments) for c in streamed_calls] == [
        ("call_7", "get_weather", arguments)
    ]
    completion = client.chat.completions.create(tool_choice="auto", **request)
    message = completion.choices[0].message
    assert completion.choices[0].finish_reason == "tool_calls"
    assert [(c.id, c.function.arguments) for c in message.tool_calls] == [("call_7", arguments)]
    router.chat = ChatScript(content="Tomorrow: sunny, 24 °C.")
    calls = [
        {
            "id": c.id,
            "type": c.type,
            "function": {"name": c.function.name, "arguments": c.function.arguments},
        }
        for c in message.tool_calls
    ]
    answer = client.chat.completions.create(
        model="llama-3.3-70b",
        provider=HuggingFaceAPI,
        tools=[WEATHER_TOOL],
        messages=HELLO
        + [
            {"role": "assistant", "content": None, "tool_calls": calls},
            {"role": "tool", "tool_call_id": "call_7", "content": "sunny, 24"},
        ],
    )
    assert answer.choices[0].message.content == "Tomorrow: sunny, 24 °C."
    sent = router.chat_bodies[-1]
    assert sent["messages"][1:] == [
        {"role": "assistant", "tool_calls": calls},
        {"role": "tool", "tool_call_id": "call_7", "content": "sunny, 24"},
    ]
    assert sent["tools"] == [WEATHER_TOOL]


def test_client_request_fields(router: FakeRouter) -> None:
    from g4f.client import Client

    Client(api_key=TOKEN).chat.completions.create(
        "Hello there",
        model="openai/gpt-oss-120b:groq",
        provider=HuggingFaceAPI,
        temperature=0.2,
        top_p=0.5,
        seed=3,
        max_tokens=10,
        response_format={"type": "json_object"},
        bill_to="acme-billing",
    )
    body = router.chat_bodies[-1]
    assert body["model"] == "openai/gpt-oss-120b:groq"
    assert body["messages"] == [{"role": "user", "content": "Hello there"}]
    assert (body["temperature"], body["top_p"], body["seed"], body["max_tokens"]) == (
        0.2,
        0.5,
        3,
        10,
    )
    assert body["response_format"] == {"type": "json_object"}
    assert router.requests[-1]["headers"]["X-HF-Bill-To"] == "acme-billing"


def test_client_stop_sequence_cuts_the_text(router: FakeRouter) -> None:
    from g4f.client import Client

    completion = Client().chat.completions.create(
        model="llama-3.3-70b", provider=HuggingFaceAPI, messages=HELLO, stop=["capital"]
    )
    assert router.chat_bodies[-1]["stop"] == ["capital"]
    assert completion.choices[0].message.content == "Paris is the "


def test_client_retries_a_429_before_content(router: FakeRouter) -> None:
    from g4f.client import Client

    router.faults.add(status=429, message="Rate limit", headers={"Retry-After": "0"})
    completion = Client().chat.completions.create(
        model="llama-3.3-70b", provider=HuggingFaceAPI, messages=HELLO
    )
    assert completion.choices[0].message.content == router.chat.content
    assert len(router.requests) == 2 and len(router.chat_bodies) == 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (dict(status=402, message=CREDITS), PaymentRequiredError),
        (dict(status=401, message="Invalid credentials in Authorization header"), MissingAuthError),
        (
            dict(
                status=400,
                message="The requested model is not supported",
                shape="openai",
                code="model_not_supported",
            ),
            ModelNotFoundError,
        ),
    ],
)
def test_client_typed_errors_are_not_retried(
    router: FakeRouter, fault: dict[str, Any], error: type
) -> None:
    from g4f.client import Client

    router.faults.add(**fault)
    with pytest.raises(error):
        Client().chat.completions.create(
            model="llama-3.3-70b", provider=HuggingFaceAPI, messages=HELLO
        )
    assert len(router.requests) == 1


def test_client_missing_token(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    from g4f.client import Client

    monkeypatch.delenv("HF_TOKEN")
    with pytest.raises(MissingAuthError, match="HF_TOKEN"):
        Client().chat.completions.create(
            model="llama-3.3-70b", provider="HuggingFaceAPI", messages=HELLO
        )
    assert router.requests == []


async def test_async_client_stream_interrupted_after_content(router: FakeRouter) -> None:
    from g4f.client import AsyncClient
    from g4f.errors import StreamInterruptedError

    router.faults.add(cut_after=4)
    received: list[str] = []
    # A named provider cut mid-answer is a StreamInterruptedError, as through AnyProvider.
    with pytest.raises(StreamInterruptedError) as info:
        async for chunk in AsyncClient().chat.completions.create(
            model="llama-3.3-70b", provider=HuggingFaceAPI, messages=HELLO, stream=True
        ):
            received.append(chunk.choices[0].delta.content or "")
    assert isinstance(info.value.cause, NetworkError) and info.value.provider == "HuggingFaceAPI"
    assert "".join(received) == info.value.partial
    assert "".join(received) == router.chat.content[: 3 * router.chat.chunk_size]
    assert len(router.chat_bodies) == 1, "no retry once content has been streamed"


# --- the chunk parser on its own (shapes the fake does not produce) ---------------------------


def test_parser_merges_interleaved_tool_deltas_and_flushes_at_the_end() -> None:
    from g4f.Provider.hf._api_parser import ChatChunkParser

    parser = ChatChunkParser()
    deltas = [
        {"index": 1, "id": "b", "function": {"name": "lookup", "arguments": '{"q": '}},
        {"index": 0, "id": "a", "function": {"name": "get_weather", "arguments": ""}},
        {"index": 0, "function": {"arguments": '{"city": "Oslo"}'}},
        {"index": 1, "function": {"arguments": '"fjords"}'}},
    ]
    out = [
        item for d in deltas for item in parser.feed({"choices": [{"delta": {"tool_calls": [d]}}]})
    ]
    assert out == [], "nothing is emitted before the tool calls are finished"
    [calls] = list(parser.close())
    assert [
        (c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for c in calls.get_list()
    ] == [
        ("a", "get_weather", {"city": "Oslo"}),
        ("b", "lookup", {"q": "fjords"}),
    ]
    assert list(parser.close()) == []


def test_parser_accepts_object_arguments_and_missing_ids() -> None:
    from g4f.Provider.hf._api_parser import ChatChunkParser, completion_as_chunk

    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}],
    }
    parser = ChatChunkParser()
    out = list(
        parser.feed(
            completion_as_chunk({"choices": [{"message": message, "finish_reason": "tool_calls"}]})
        )
    )
    assert out[0].get_list() == [
        {"id": "call_0", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
    ]
    assert out[1] == FinishReason("tool_calls")


def test_parser_ignores_empty_and_odd_chunks() -> None:
    from g4f.Provider.hf._api_parser import ChatChunkParser

    parser = ChatChunkParser()
    odd = [
        {},
        {"choices": None},
        {"choices": ["x"]},
        {"choices": [{"delta": None}]},
        {"usage": None},
    ]
    assert [item for chunk in odd for item in parser.feed(chunk)] == []
    usage = {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
        "prompt_tokens_details": {"cached": 0},
    }
    [item] = list(parser.feed({"choices": [], "usage": usage}))
    assert isinstance(item, Usage) and item.total_tokens == 3
    assert list(parser.feed({"choices": [], "usage": usage})) == [], "usage is reported once"


async def test_breaking_out_of_the_stream_closes_it(router: FakeRouter) -> None:
    router.chat = ChatScript(content="word " * 200, chunk_size=5)
    stream = HuggingFaceAPI.create_async_generator("llama-3.3-70b", HELLO)
    texts = []
    async for chunk in stream:
        if isinstance(chunk, str):
            texts.append(chunk)
            if len(texts) == 2:
                break
    await stream.aclose()
    assert texts == ["word ", "word "]
    chunks = await run()
    assert summary(chunks)["text"] == "word " * 200


async def test_json_answer_to_a_stream_request(router: FakeRouter) -> None:
    router.chat = ChatScript(reasoning="Quick.", ignore_stream=True)
    chunks = await run(stream=True)
    assert router.chat_bodies[-1]["stream"] is True
    assert summary(chunks) == summary(await run(stream=False))
    assert summary(chunks)["text"] == router.chat.content


async def test_503_without_estimated_time_is_not_waited_for(router: FakeRouter) -> None:
    router.faults.add(status=503, message="Service Unavailable", shape="openai")
    with pytest.raises(ResponseStatusError) as info:
        await run()
    assert info.value.status_code == 503 and len(router.requests) == 1


async def test_media_without_a_model_uses_the_vision_default(router: FakeRouter) -> None:
    await run(model="", media=[("https://example.org/cat.jpg", None)])
    assert router.chat_bodies[-1]["model"] == HuggingFaceAPI.default_vision_model


def test_client_long_retry_after_is_not_waited_out(router: FakeRouter) -> None:
    from g4f.client import Client

    router.faults.add(status=429, message="Rate limit", headers={"Retry-After": "300"})
    with pytest.raises(RateLimitError) as info:
        Client().chat.completions.create(
            model="llama-3.3-70b", provider=HuggingFaceAPI, messages=HELLO
        )
    assert info.value.retry_after == 300.0 and len(router.requests) == 1
