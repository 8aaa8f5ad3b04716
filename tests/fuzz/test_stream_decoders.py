"""Fuzzing the SSE and NDJSON decoders: any bytes, any chunking, only typed errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4f.errors import G4FError, StreamParseError
from g4f.requests.sse import LineDecoder, iter_ndjson, iter_sse, iter_sse_json, sse_events_sync

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Bytes that matter to the grammars, mixed with arbitrary ones.
_ALPHABET = [
    b"\n",
    b"\r",
    b"\r\n",
    b"data:",
    b"data: ",
    b"event: x",
    b"id: 1",
    b":",
    b" ",
    b"{",
    b"}",
    b'"error"',
    b'{"error": "boom"}',
    b"[DONE]",
    b'{"a": 1}',
    b"\xff",
    b"\xe2\x82",
    b"\xac",
    b"\x00",
    b"retry: 5",
]
noisy_bytes = st.lists(
    st.one_of(st.sampled_from(_ALPHABET), st.binary(max_size=8)), max_size=40
).map(b"".join)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets (the wire may split anywhere)."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def collect(stream: AsyncIterator[Any]) -> tuple[list[Any], BaseException | None]:
    """Everything ``stream`` yields, and the exception that ended it (if any).

    The chunks come from memory, so nothing ever waits: the coroutine is driven
    without an event loop (thousands of examples stay fast).
    """

    async def run() -> tuple[list[Any], BaseException | None]:
        out: list[Any] = []
        try:
            async for item in stream:
                out.append(item)
        except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
            return out, exc
        return out, None

    coroutine = run()
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value
    coroutine.close()
    raise AssertionError("the decoder waited on something other than its input")


def reference_lines(data: bytes) -> list[str]:
    """Lines of ``data`` split on \\r\\n, \\r or \\n (the last one kept when unterminated)."""
    text = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line.decode("utf-8", "replace") for line in lines]


@FUZZ
@given(noisy_bytes, st.lists(st.integers(min_value=0), max_size=10))
def test_line_decoder_is_chunking_independent(data: bytes, cuts: list[int]) -> None:
    decoder = LineDecoder()
    lines: list[str] = []
    for part in split(data, cuts):
        lines += decoder.feed(part)
    lines += decoder.flush()
    assert lines == reference_lines(data)


@FUZZ
@given(
    st.integers(min_value=1, max_value=64),
    st.lists(st.integers(min_value=1, max_value=9), max_size=20),
)
def test_line_limit_is_a_typed_error(limit: int, sizes: list[int]) -> None:
    decoder = LineDecoder(limit)
    fed = 0
    try:
        for size in sizes:
            decoder.feed(b"x" * size)
            fed += size
            assert fed <= limit
    except StreamParseError as exc:
        assert fed + size > limit and exc.line.startswith("x")


@FUZZ
@given(noisy_bytes, st.lists(st.integers(min_value=0), max_size=10))
def test_sse_events_are_chunking_independent(data: bytes, cuts: list[int]) -> None:
    whole = list(sse_events_sync([data]))
    events, error = collect(iter_sse(_chunks(split(data, cuts))))
    assert error is None
    assert events == whole


@FUZZ
@given(noisy_bytes, st.lists(st.integers(min_value=0), max_size=10))
def test_sse_json_raises_only_typed_errors_whatever_the_chunking(
    data: bytes, cuts: list[int]
) -> None:
    whole, whole_error = collect(iter_sse_json(_chunks([data]), provider="Fuzz"))
    payloads, error = collect(iter_sse_json(_chunks(split(data, cuts)), provider="Fuzz"))
    assert error is None or isinstance(error, G4FError), repr(error)
    assert payloads == whole and type(error) is type(whole_error)
    if error is None:
        assert payloads or b"[DONE]" in data, "an empty stream must be an error"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(st.lists(json_values, max_size=8), st.lists(st.integers(min_value=0), max_size=10))
def test_sse_json_round_trips_any_payloads(values: list[Any], cuts: list[int]) -> None:
    body = b"".join(f"data: {json.dumps(v)}\n\n".encode() for v in values) + b"data: [DONE]\n\n"
    payloads, error = collect(iter_sse_json(_chunks(split(body, cuts))))
    in_band = next(
        (
            i
            for i, v in enumerate(values)
            if isinstance(v, dict) and v.get("error") is not None and "choices" not in v
        ),
        None,
    )
    if in_band is None:
        assert error is None and payloads == values
    else:
        assert isinstance(error, G4FError) and payloads == values[:in_band]


@FUZZ
@given(noisy_bytes, st.lists(st.integers(min_value=0), max_size=10))
def test_ndjson_raises_only_typed_errors(data: bytes, cuts: list[int]) -> None:
    objects, error = collect(iter_ndjson(_chunks(split(data, cuts)), provider="Fuzz"))
    assert error is None or isinstance(error, G4FError), repr(error)
    if error is None:
        assert objects == [json.loads(line) for line in reference_lines(data) if line.strip()]


@FUZZ
@given(st.lists(json_values, max_size=8), st.lists(st.integers(min_value=0), max_size=10))
def test_ndjson_round_trips_any_values(values: list[Any], cuts: list[int]) -> None:
    body = b"".join(json.dumps(v).encode() + b"\n" for v in values)
    objects, error = collect(iter_ndjson(_chunks(split(body, cuts))))
    assert error is None and objects == values


def test_too_deeply_nested_json_is_a_parse_error_everywhere() -> None:
    deep = b"[" * 100_000
    for stream in (
        iter_sse_json(_chunks([b"data: " + deep + b"\n\n"])),
        iter_ndjson(_chunks([deep + b"\n"])),
    ):
        items, error = collect(stream)
        assert items == [] and isinstance(error, StreamParseError)


def test_huggingchat_skips_a_too_deeply_nested_line() -> None:
    from g4f.Provider.hf.chat.stream import iter_message_updates

    async def lines() -> AsyncIterator[str]:
        yield "[" * 100_000
        yield json.dumps({"type": "stream", "token": "ok"})
        yield json.dumps({"type": "finalAnswer", "text": "ok"})

    items, error = collect(iter_message_updates(lines(), file_url=str))
    assert error is None and items[0] == "ok"
