"""The request parser: any bytes, any JSON → a valid request or a 400 ApiError, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from g4f.api._errors import ApiError
from g4f.api._schema import ChatRequest, MediaRequest, parse_chat, parse_json, parse_media

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
roles = st.sampled_from(["system", "user", "assistant", "tool", "developer", "wizard", None, 3])
messages = (
    st.lists(
        st.fixed_dictionaries(
            {"role": roles}, optional={"content": json_values, "tool_call_id": json_values}
        ),
        max_size=4,
    )
    | json_values
)
chat_bodies = st.fixed_dictionaries(
    {},
    optional={
        "messages": messages,
        "model": json_values,
        "stream": json_values,
        "stream_options": json_values,
        "temperature": json_values,
        "max_tokens": json_values,
        "max_completion_tokens": json_values,
        "stop": json_values,
        "tools": json_values,
        "tool_choice": json_values,
        "response_format": json_values,
        "n": json_values,
        "provider": json_values,
    },
)
media_bodies = st.fixed_dictionaries(
    {},
    optional={
        "prompt": json_values,
        "model": json_values,
        "n": json_values,
        "size": st.text(max_size=12) | json_values,
        "response_format": json_values,
        "seed": json_values,
        "aspect_ratio": json_values,
    },
)


def _parse(parser: Any, body: Any) -> Any:
    try:
        return parser(parse_json(json.dumps(body).encode()))
    except ApiError as exc:
        assert exc.status == 400 and exc.message
        return None


@settings(max_examples=150, deadline=None)
@given(chat_bodies)
def test_chat_bodies(body: dict[str, Any]) -> None:
    result = _parse(parse_chat, body)
    if result is not None:
        assert isinstance(result, ChatRequest) and result.messages
        assert set(result.params) <= {
            "temperature",
            "top_p",
            "presence_penalty",
            "frequency_penalty",
            "max_tokens",
            "seed",
            "stop",
            "tools",
            "tool_choice",
            "response_format",
        }


@settings(max_examples=150, deadline=None)
@given(media_bodies)
def test_media_bodies(body: dict[str, Any]) -> None:
    result = _parse(parse_media, body)
    if result is not None:
        assert isinstance(result, MediaRequest) and result.prompt.strip() and 1 <= result.n <= 10


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes(raw: bytes) -> None:
    try:
        parse_json(raw)
    except ApiError as exc:
        assert exc.status == 400


def test_deep_nesting_is_a_400() -> None:
    try:
        parse_json(b"[" * 200_000 + b"]" * 200_000)
    except ApiError as exc:
        assert exc.code == "invalid_json"
    else:
        raise AssertionError("no error for a 200,000-deep array")
