"""Request bodies OpenAI refuses are refused by ``g4f api`` before any provider is called
(#12 items 6 and 7): a 400 naming the field in ``param``, and nothing reaches the fake.
Bodies are sent as raw JSON text, so ``NaN``, ``Infinity`` and ``\\udfff`` arrive as an
attacker writes them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from g4f.client import Client
from g4f.errors import G4FError, InvalidRequestError
from tests.fakes.router import FakeRouter
from tests.security._served import served

MODEL = "meta-llama/Llama-3.3-70B-Instruct"
HI = [{"role": "user", "content": "hi"}]
FN = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@pytest.fixture
async def server(upstream: FakeRouter) -> AsyncIterator[str]:
    async with served(provider="HuggingFaceAPI") as port:
        yield f"http://127.0.0.1:{port}"


async def _post(url: str, text: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=text.encode("utf-8"), headers={"Content-Type": "application/json"}
        ) as response:
            return response.status, await response.json(content_type=None)


def _chat(**fields: Any) -> str:
    return json.dumps({"model": MODEL, "messages": HI, **fields})


def _raw_chat(extra: str) -> str:
    """A chat body with ``extra`` pasted in as JSON text (for NaN, Infinity, 1e999)."""
    return _chat()[:-1] + ", " + extra + "}"


def _msgs(*messages: Any) -> str:
    return json.dumps({"model": MODEL, "messages": list(messages)})


SURROGATE = "\udfff"  # json.dumps writes it as the escape \udfff, as an attacker would

CHAT_CASES: list[tuple[str, str, str]] = [
    # (id, body, param)
    ("temperature NaN", _raw_chat('"temperature": NaN'), "temperature"),
    ("temperature Infinity", _raw_chat('"temperature": Infinity'), "temperature"),
    ("temperature -Infinity", _raw_chat('"temperature": -Infinity'), "temperature"),
    ("temperature 1e999", _raw_chat('"temperature": 1e999'), "temperature"),
    ("temperature above 2", _chat(temperature=2.0001), "temperature"),
    ("temperature below 0", _chat(temperature=-0.1), "temperature"),
    ("temperature a string", _chat(temperature="hot"), "temperature"),
    ("temperature a boolean", _chat(temperature=True), "temperature"),
    ("top_p 1000", _chat(top_p=1000), "top_p"),
    ("top_p negative", _chat(top_p=-0.5), "top_p"),
    ("top_p NaN", _raw_chat('"top_p": NaN'), "top_p"),
    ("max_tokens -1", _chat(max_tokens=-1), "max_tokens"),
    ("max_tokens 0", _chat(max_tokens=0), "max_tokens"),
    ("max_tokens fractional", _chat(max_tokens=1.5), "max_tokens"),
    ("max_tokens a string", _chat(max_tokens="10"), "max_tokens"),
    ("max_completion_tokens 0", _chat(max_completion_tokens=0), "max_completion_tokens"),
    ("n 0", _chat(n=0), "n"),
    ("n 129", _chat(n=129), "n"),
    ("n 2 (unsupported)", _chat(n=2), "n"),
    ("presence_penalty 3", _chat(presence_penalty=3), "presence_penalty"),
    ("frequency_penalty -2.5", _chat(frequency_penalty=-2.5), "frequency_penalty"),
    ("frequency_penalty Infinity", _raw_chat('"frequency_penalty": Infinity'), "frequency_penalty"),
    ("seed beyond int64", _chat(seed=2**63), "seed"),
    ("seed fractional", _chat(seed=1.5), "seed"),
    ("stop with 5 entries", _chat(stop=["a", "b", "c", "d", "e"]), "stop"),
    ("stop entry not a string", _chat(stop=["a", 1]), "stop.[1]"),
    ("stop an object", _chat(stop={"a": 1}), "stop"),
    ("content [5]", _msgs({"role": "user", "content": [5]}), "messages.[0].content.[0]"),
    ("content a number", _msgs({"role": "user", "content": 5}), "messages.[0].content"),
    ("content empty array", _msgs({"role": "user", "content": []}), "messages.[0].content"),
    (
        "text part with an object",
        _msgs({"role": "user", "content": [{"type": "text", "text": {"a": 1}}]}),
        "messages.[0].content.[0].text",
    ),
    (
        "text part without text",
        _msgs({"role": "user", "content": [{"type": "text"}]}),
        "messages.[0].content.[0].text",
    ),
    (
        "unknown part type",
        _msgs({"role": "user", "content": [{"type": "video", "video": "x"}]}),
        "messages.[0].content.[0].type",
    ),
    (
        "image part in a system message",
        _msgs(
            {
                "role": "system",
                "content": [{"type": "image_url", "image_url": {"url": "https://x.test/a"}}],
            },
            HI[0],
        ),
        "messages.[0].content.[0].type",
    ),
    (
        "image part without url",
        _msgs({"role": "user", "content": [{"type": "image_url", "image_url": {}}]}),
        "messages.[0].content.[0].image_url.url",
    ),
    (
        "image detail invalid",
        _msgs(
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": "https://x.test/a", "detail": "max"}}
                ],
            }
        ),
        "messages.[0].content.[0].image_url.detail",
    ),
    (
        "audio format invalid",
        _msgs(
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": "AA", "format": "ogg"}}
                ],
            }
        ),
        "messages.[0].content.[0].input_audio.format",
    ),
    ("role unknown", _msgs({"role": "bogus", "content": "hi"}), "messages.[0].role"),
    ("role missing", _msgs({"content": "hi"}), "messages.[0].role"),
    ("message not an object", _msgs("hi", HI[0]), "messages.[0]"),
    ("messages empty", json.dumps({"model": MODEL, "messages": []}), "messages"),
    ("name a number", _msgs({"role": "user", "content": "hi", "name": 5}), "messages.[0].name"),
    (
        "tool message without tool_call_id",
        _msgs(HI[0], {"role": "tool", "content": "42"}),
        "messages.[1].tool_call_id",
    ),
    (
        "tool call arguments an object",
        _msgs(
            HI[0],
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "f", "arguments": {}}}
                ],
            },
        ),
        "messages.[1].tool_calls.[0].function.arguments",
    ),
    ("tool_choice bogus", _chat(tool_choice="bogus"), "tool_choice"),
    ("tool_choice required without tools", _chat(tool_choice="required"), "tool_choice"),
    ("tool_choice a number", _chat(tool_choice=5, tools=[FN]), "tool_choice"),
    (
        "tool_choice function without a name",
        _chat(tool_choice={"type": "function", "function": {}}, tools=[FN]),
        "tool_choice.function.name",
    ),
    ("tools not a list", _chat(tools={"not": "a list"}), "tools"),
    ("tool of unknown type", _chat(tools=[{"type": "plugin"}]), "tools.[0].type"),
    (
        "tool name with spaces",
        _chat(tools=[{"type": "function", "function": {"name": "get weather"}}]),
        "tools.[0].function.name",
    ),
    (
        "tool parameters a string",
        _chat(tools=[{"type": "function", "function": {"name": "f", "parameters": "x"}}]),
        "tools.[0].function.parameters",
    ),
    ("129 tools", _chat(tools=[FN] * 129), "tools"),
    ("response_format type xml", _chat(response_format={"type": "xml"}), "response_format.type"),
    (
        "json_schema without schema object",
        _chat(response_format={"type": "json_schema"}),
        "response_format.json_schema",
    ),
    ("response_format a string", _chat(response_format="json"), "response_format"),
    ("stream a string", _chat(stream="yes"), "stream"),
    ("stream_options a number", _chat(stream_options=5), "stream_options"),
    (
        "include_usage a string",
        _chat(stream=True, stream_options={"include_usage": "yes"}),
        "stream_options.include_usage",
    ),
    ("model a number", _chat(model=5), "model"),
    ("model a list", _chat(model=["a"]), "model"),
    ("provider a number", _chat(provider=5), "provider"),
    ("logprobs a string", _chat(logprobs="yes"), "logprobs"),
    ("top_logprobs 21", _chat(logprobs=True, top_logprobs=21), "top_logprobs"),
    ("top_logprobs without logprobs", _chat(top_logprobs=2), "top_logprobs"),
    ("logit_bias above 100", _chat(logit_bias={"50256": 101}), "logit_bias.50256"),
    ("metadata with 17 keys", _chat(metadata={str(i): "v" for i in range(17)}), "metadata"),
    ("user a number", _chat(user=5), "user"),
    ("reasoning_effort unknown", _chat(reasoning_effort="max"), "reasoning_effort"),
    ("parallel_tool_calls a string", _chat(parallel_tool_calls="yes"), "parallel_tool_calls"),
    # Item 6: a lone surrogate anywhere.
    ("surrogate in content", _msgs({"role": "user", "content": SURROGATE}), "messages.[0].content"),
    ("surrogate in the model", _chat(model="llama" + SURROGATE), "model"),
    ("surrogate in the provider", _chat(provider=SURROGATE), "provider"),
    (
        "surrogate in a text part",
        _msgs({"role": "user", "content": [{"type": "text", "text": "a" + SURROGATE}]}),
        "messages.[0].content.[0].text",
    ),
    ("surrogate in a name", _msgs({**HI[0], "name": SURROGATE}), "messages.[0].name"),
    (
        "surrogate deep in tool parameters",
        _chat(
            tools=[
                {
                    "type": "function",
                    "function": {"name": "f", "parameters": {"properties": {"x": [SURROGATE]}}},
                }
            ]
        ),
        "tools.[0].function.parameters.properties.x.[0]",
    ),
    ("surrogate in an ignored field", _chat(whatever={"a": SURROGATE}), "whatever.a"),
    ("surrogate in a key", _chat(metadata={SURROGATE: "v"}), "metadata"),
    ("surrogate in stop", _chat(stop=[SURROGATE]), "stop.[0]"),
    ("NaN in an ignored field", _raw_chat('"whatever": [1, NaN]'), "whatever.[1]"),
]


@pytest.mark.parametrize(
    ("body", "param"), [c[1:] for c in CHAT_CASES], ids=[c[0] for c in CHAT_CASES]
)
async def test_invalid_chat_fields_are_400_naming_the_param_and_reach_no_provider(
    body: str, param: str, server: str, upstream: FakeRouter
) -> None:
    before = len(upstream.requests)
    status, answer = await _post(server + "/v1/chat/completions", body)
    assert status == 400, answer
    error = answer["error"]
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_request"
    assert error["param"] == param, error
    assert len(upstream.requests) == before, "an invalid request reached the provider"


def _image(**fields: Any) -> str:
    return json.dumps({"prompt": "a cat", **fields})


IMAGE_CASES: list[tuple[str, str, str]] = [
    ("prompt a number", json.dumps({"prompt": 5}), "prompt"),
    ("prompt empty", json.dumps({"prompt": "  "}), "prompt"),
    ("prompt too long", json.dumps({"prompt": "x" * 32_001}), "prompt"),
    ("prompt with a surrogate", json.dumps({"prompt": "cat" + SURROGATE}), "prompt"),
    ("n 0", _image(n=0), "n"),
    ("n 11", _image(n=11), "n"),
    ("n fractional", _image(n=1.5), "n"),
    ("size words", _image(size="big"), "size"),
    ("quality unknown", _image(quality="ultra"), "quality"),
    ("style unknown", _image(style="cubist"), "style"),
    ("response_format xml", _image(response_format="xml"), "response_format"),
    ("output_compression 101", _image(output_compression=101), "output_compression"),
    ("seed negative", _image(seed=-1), "seed"),
    ("num_inference_steps 0", _image(num_inference_steps=0), "num_inference_steps"),
    ("guidance_scale NaN", '{"prompt": "a cat", "guidance_scale": NaN}', "guidance_scale"),
    ("aspect_ratio words", _image(aspect_ratio="wide"), "aspect_ratio"),
    ("negative_prompt a number", _image(negative_prompt=5), "negative_prompt"),
    ("model a number", _image(model=5), "model"),
]


@pytest.mark.parametrize("route", ["/v1/images/generations", "/v1/media/generations"])
@pytest.mark.parametrize(
    ("body", "param"), [c[1:] for c in IMAGE_CASES], ids=[c[0] for c in IMAGE_CASES]
)
async def test_invalid_media_fields_are_400_naming_the_param(
    route: str, body: str, param: str, server: str, upstream: FakeRouter
) -> None:
    before = len(upstream.requests)
    status, answer = await _post(server + route, body)
    assert status == 400, answer
    assert answer["error"]["param"] == param, answer
    assert len(upstream.requests) == before


async def test_values_at_openais_bounds_are_accepted_and_forwarded(
    server: str, upstream: FakeRouter
) -> None:
    """The checks refuse only what OpenAI refuses: the bounds themselves pass through."""
    cases = [
        {"temperature": 0, "top_p": 1, "presence_penalty": -2, "frequency_penalty": 2},
        {"temperature": 2, "top_p": 0, "max_tokens": 1, "seed": -(2**63), "n": 1},
        {"stop": ["a", "b", "c", "d"], "tools": [FN], "tool_choice": "required"},
        {
            "tools": [FN],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
            },
            "logprobs": True,
            "top_logprobs": 20,
            "logit_bias": {"50256": -100},
            "metadata": {"k": "v"},
            "stream_options": None,
        },
    ]
    for fields in cases:
        before = len(upstream.chat_bodies)
        status, answer = await _post(server + "/v1/chat/completions", _chat(**fields))
        assert status == 200, answer
        assert len(upstream.chat_bodies) == before + 1
        sent = upstream.chat_bodies[-1]
        for name in ("temperature", "top_p", "presence_penalty", "frequency_penalty", "seed"):
            if name in fields:
                assert sent[name] == fields[name], (name, sent)
    parts = [
        {"type": "text", "text": "what is this?"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
        },
    ]
    status, answer = await _post(
        server + "/v1/chat/completions", _msgs({"role": "user", "content": parts})
    )
    assert status == 200, answer


def test_the_library_never_sends_nan_or_a_surrogate_upstream(upstream: FakeRouter) -> None:
    """Below the server, the one JSON encoder of g4f.requests refuses them too."""
    client = Client(provider="HuggingFaceAPI")
    for kwargs in (
        {"messages": HI, "temperature": float("nan")},
        {"messages": HI, "top_p": float("inf")},
        {"messages": [{"role": "user", "content": "a" + SURROGATE}]},
    ):
        before = len(upstream.requests)
        with pytest.raises(G4FError) as caught:
            client.chat.completions.create(model=MODEL, **kwargs)
        errors = [caught.value, *getattr(caught.value, "exceptions", {}).values()]
        assert any(isinstance(e, InvalidRequestError) for e in errors), repr(caught.value)
        assert len(upstream.requests) == before, "the encoder let an invalid body out"
