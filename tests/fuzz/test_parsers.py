"""Fuzzing the parsers of untrusted input: cookie exports, error bodies, Gradio messages, API bodies.

Each property is "no exception other than the documented typed one, ever"; where a
parser returns data, the data has the documented shape.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from g4f._cookie_files import load_cookie_dir, parse_cookie_json, parse_har
from g4f.api._errors import ApiError
from g4f.api._schema import parse_chat, parse_json, parse_media
from g4f.errors import G4FError, ResponseError, error_from_payload, error_from_response
from g4f.Provider.hf_space._gradio import apply_diff, space_error
from g4f.Provider.hf_space._space import chat_text, first_chat_text

FUZZ = settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["http://[::1", "https://huggingface.co/chat", "", "..", "-0000"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "log",
                    "entries",
                    "request",
                    "url",
                    "cookies",
                    "headers",
                    "name",
                    "value",
                    "domain",
                    "expires",
                    "expirationDate",
                    "session",
                    "error",
                    "message",
                    "type",
                    "code",
                    "data",
                    "role",
                    "content",
                    "text",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


def _cookie_map_shape(found: Any) -> None:
    assert isinstance(found, dict)
    for domain, values in found.items():
        assert isinstance(domain, str) and not domain.startswith(".")
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())


har_entries = st.lists(
    st.fixed_dictionaries(
        {
            "request": st.fixed_dictionaries(
                {
                    "url": st.sampled_from(
                        ["https://huggingface.co/chat", "http://[::1", "nonsense", ""]
                    )
                    | st.text(max_size=10),
                    "cookies": json_values,
                    "headers": st.lists(
                        st.fixed_dictionaries(
                            {
                                "name": st.sampled_from(["cookie", "Cookie", "x"]),
                                "value": json_values,
                            }
                        ),
                        max_size=3,
                    ),
                }
            )
        }
    ),
    max_size=4,
)


@FUZZ
@given(json_values | har_entries.map(lambda e: {"log": {"entries": e}}))
@example(
    {
        "log": {
            "entries": [
                {"request": {"url": "http://[::1", "cookies": [{"name": "a", "value": "b"}]}}
            ]
        }
    }
)
def test_har_reader_never_raises(data: Any) -> None:
    _cookie_map_shape(parse_har(data))


@FUZZ
@given(json_values | st.lists(json_values, max_size=5))
def test_cookie_json_reader_never_raises(data: Any) -> None:
    _cookie_map_shape(parse_cookie_json(data))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([".har", ".json"]),
            st.binary(max_size=64) | json_values.map(lambda v: json.dumps(v).encode()),
        ),
        max_size=4,
    )
)
def test_cookie_dir_skips_what_it_cannot_read(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for index, (suffix, content) in enumerate(files):
            with open(os.path.join(folder, f"f{index}{suffix}"), "wb") as handle:
                handle.write(content)
        with open(os.path.join(folder, "deep.json"), "w") as handle:
            handle.write("[" * 100_000)
        _cookie_map_shape(load_cookie_dir(folder))


headers = st.dictionaries(
    st.sampled_from(["Retry-After", "RateLimit", "Content-Type", "x-request-id", "cf-ray"]),
    st.sampled_from(
        [
            "0",
            "2",
            "-1",
            "nan",
            "1e400",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:28:00 -0000",
            "t=5",
            "text/html",
            "garbage",
        ]
    )
    | st.text(max_size=30),
    max_size=4,
)


@FUZZ
@given(
    st.integers(min_value=100, max_value=599),
    st.text(max_size=200) | json_values.map(json.dumps),
    headers,
)
@example(429, "{}", {"Retry-After": "Wed, 21 Oct 2015 07:28:00 -0000"})
@example(500, "[" * 100_000, {})
def test_error_mapping_never_raises(status: int, body: str, head: dict[str, str]) -> None:
    error = error_from_response(status, body, head, provider="Fuzz")
    assert isinstance(error, G4FError) and error.status_code == status
    assert error.retry_after is None or error.retry_after >= 0


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["error", "error_type", "type", "code", "message"]), json_values
    )
)
def test_in_band_error_mapping_never_raises(data: dict[str, Any]) -> None:
    assert isinstance(error_from_payload(data, provider="Fuzz"), G4FError)


diffs = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["replace", "append", "add", "delete", "bogus"]),
            st.lists(
                st.integers(min_value=-2, max_value=3) | st.sampled_from(["a", "content", "0"]),
                max_size=3,
            ),
            json_values,
        ).map(list),
        json_values,
    ),
    max_size=4,
)


@FUZZ
@given(json_values, diffs)
@example(1, [[1]])
@example({}, [["replace", ["a", "b"], 1]])
@example([], [["delete", [0], None]])
@example("s", [["append", [], 1]])
def test_gradio_diff_raises_only_response_error(value: Any, diff: list[Any]) -> None:
    before = json.dumps(value, sort_keys=True, default=str)
    try:
        apply_diff(value, diff)
    except ResponseError:
        pass
    assert json.dumps(value, sort_keys=True, default=str) == before, "the old value was changed"


@FUZZ
@given(json_values)
def test_gradio_chat_text_never_raises(value: Any) -> None:
    text = chat_text(value)
    assert text is None or isinstance(text, str)
    outputs = value if isinstance(value, list) else [value]
    first = first_chat_text(outputs)
    assert first is None or isinstance(first, str)


@FUZZ
@given(json_values)
def test_gradio_error_text_is_typed(message: Any) -> None:
    error = space_error(message, "Fuzz")
    assert isinstance(error, G4FError) and str(error).startswith("Fuzz: ")
    assert error.retry_after is None or error.retry_after >= 0


def _api_outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except ApiError as exc:
        assert exc.status == 400 and exc.message
        return None


@FUZZ
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
@example(b"[" * 100_000)
@example(b"\xff\xfe{}")
def test_server_body_parser_answers_400_or_an_object(raw: bytes) -> None:
    parsed = _api_outcome(parse_json, raw)
    assert parsed is None or isinstance(parsed, dict)


chat_fields = st.dictionaries(
    st.sampled_from(
        [
            "messages",
            "model",
            "provider",
            "stream",
            "stream_options",
            "n",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "seed",
            "stop",
            "tools",
            "tool_choice",
            "response_format",
            "prompt",
            "size",
            "response_format",
            "negative_prompt",
            "aspect_ratio",
        ]
    ),
    json_values
    | st.lists(
        st.fixed_dictionaries(
            {"role": st.sampled_from(["user", "system", "x"]) | json_values, "content": json_values}
        ),
        max_size=3,
    ),
    max_size=8,
)


@FUZZ
@given(chat_fields)
def test_server_chat_and_media_parsers_answer_400_or_a_request(data: dict[str, Any]) -> None:
    chat = _api_outcome(parse_chat, data)
    assert chat is None or isinstance(chat.messages, list)
    media = _api_outcome(parse_media, data)
    assert media is None or isinstance(media.prompt, str)
