"""Anthropic's wire format without a server: the error map and the block mapping."""

from __future__ import annotations

import pytest

from g4f.protocols._common import FieldError
from g4f.protocols.anthropic import error_status, parse_messages_request
from g4f.protocols.anthropic_events import MessagesEncoder


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid_request", (400, "invalid_request_error")),
        (401, "invalid_api_key", (401, "authentication_error")),
        (402, "payment_required", (402, "billing_error")),
        (403, None, (403, "permission_error")),
        (404, "model_not_found", (404, "not_found_error")),
        (405, "method_not_allowed", (405, "invalid_request_error")),
        (413, "request_too_large", (413, "request_too_large")),
        (429, "rate_limit_exceeded", (429, "rate_limit_error")),
        (500, "internal_error", (500, "api_error")),
        (501, "missing_requirements", (500, "api_error")),
        (502, "all_providers_failed", (529, "overloaded_error")),
        (502, "provider_auth_required", (500, "api_error")),
        (503, "shutting_down", (529, "overloaded_error")),
        (504, "upstream_timeout", (504, "timeout_error")),
    ],
)
def test_every_gateway_status_has_an_anthropic_type(status, code, expected) -> None:
    assert error_status(status, code) == expected


def test_blocks_map_to_chat_messages() -> None:
    request = parse_messages_request(
        {
            "model": "m",
            "max_tokens": 10,
            "messages": [
                {"role": "user", "content": "hi"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "hmm", "signature": ""},
                        {"type": "text", "text": "let me look"},
                        {"type": "tool_use", "id": "t1", "name": "shot", "input": {"x": 1}},
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": "t1",
                            "is_error": True,
                            "content": [
                                {"type": "text", "text": "no screen"},
                                {
                                    "type": "image",
                                    "source": {"type": "url", "url": "https://x/y.png"},
                                },
                            ],
                        },
                        {"type": "text", "text": "and now?"},
                    ],
                },
            ],
        }
    )
    assert request.messages == [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": "let me look",
            "tool_calls": [
                {
                    "id": "t1",
                    "type": "function",
                    "function": {"name": "shot", "arguments": '{"x": 1}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "t1", "content": "Error: no screen"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                {"type": "text", "text": "and now?"},
            ],
        },
    ]
    assert request.thinking is False and request.params["max_tokens"] == 10


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m", "messages": [{"role": "user", "content": "x"}]}, "max_tokens"),
        (
            {"model": "m", "max_tokens": 0, "messages": [{"role": "user", "content": "x"}]},
            "max_tokens",
        ),
        (
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "tool_choice": {"type": "sometimes"},
            },
            "tool_choice.type",
        ),
        (
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "thinking": {"type": "maybe"},
            },
            "thinking.type",
        ),
        (
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x"}],
                "stop_sequences": [f"s{i}" for i in range(65)],
            },
            "stop_sequences",
        ),
        (
            {
                "model": "m",
                "max_tokens": 5,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "text/html",
                                    "data": "PGI+",
                                },
                            }
                        ],
                    }
                ],
            },
            "messages.0.content.0",
        ),
    ],
)
def test_bad_fields_name_themselves(body, param) -> None:
    with pytest.raises(FieldError) as info:
        parse_messages_request(body)
    assert info.value.param is not None and info.value.param.startswith(param)


def test_encoder_events_and_message_agree() -> None:
    request = parse_messages_request(
        {
            "model": "m",
            "max_tokens": 5,
            "messages": [{"role": "user", "content": "x"}],
            "thinking": {"type": "adaptive"},
        }
    )
    encoder = MessagesEncoder(request, input_estimate=9)
    events = encoder.start()
    events += encoder.reasoning("think")
    events += encoder.text("Hel")
    events += encoder.text("lo")
    events += encoder.tool_call("c1", "f", '{"a": [1]}')
    encoder.usage(11, 4)
    events += encoder.end()
    assert [e["type"] for e in events] == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert events[0]["message"]["usage"] == {"input_tokens": 9, "output_tokens": 0}
    assert [e["index"] for e in events if e["type"] == "content_block_stop"] == [0, 1, 2]
    message = encoder.message()
    assert message["content"] == [
        {"type": "thinking", "thinking": "think", "signature": ""},
        {"type": "text", "text": "Hello"},
        {"type": "tool_use", "id": "c1", "name": "f", "input": {"a": [1]}},
    ]
    assert message["stop_reason"] == "tool_use"
    assert events[-2]["usage"] == message["usage"] == {"input_tokens": 11, "output_tokens": 4}
