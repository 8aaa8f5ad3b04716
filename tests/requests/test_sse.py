"""The SSE and NDJSON decoders against every stream shape the services send (docs/protocols/)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from g4f.errors import BadRequestError, RateLimitError, ResponseError, StreamParseError
from g4f.requests.sse import SSEDecoder, iter_ndjson, iter_sse, iter_sse_json


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def sse_json(*parts: bytes) -> list[object]:
    return [item async for item in iter_sse_json(chunks_of(*parts), provider="P")]


async def ndjson(*parts: bytes) -> list[object]:
    return [item async for item in iter_ndjson(chunks_of(*parts), provider="P")]


CASES = [
    ("space after colon", [b'data: {"a":1}\n\n'], [{"a": 1}]),
    ("no space after colon", [b'data:{"a":1}\n\n'], [{"a": 1}]),
    (
        "comment and keep-alive lines",
        [b': keep-alive\n\n:\n\ndata: {"a":1}\n\n: ping\n\n'],
        [{"a": 1}],
    ),
    ("CRLF line endings", [b'data: {"a":1}\r\n\r\ndata: {"b":2}\r\n\r\n'], [{"a": 1}, {"b": 2}]),
    ("CR line endings", [b'data: {"a":1}\r\rdata: {"b":2}\r\r'], [{"a": 1}, {"b": 2}]),
    ("multi-line data joined by newline", [b'data: {"a":\ndata: 1}\n\n'], [{"a": 1}]),
    ("line split across reads", [b"da", b'ta: {"a"', b":1}\n", b"\n"], [{"a": 1}]),
    ("CRLF split between reads", [b'data: {"a":1}\r', b"\n\r", b"\n"], [{"a": 1}]),
    ("[DONE] stops reading", [b'data: {"a":1}\n\ndata: [DONE]\n\ndata: {"b":2}\n\n'], [{"a": 1}]),
    ("data:[DONE] without space", [b'data: {"a":1}\n\ndata:[DONE]\n\n'], [{"a": 1}]),
    ("duplicate [DONE]", [b"data: [DONE]\n\ndata: [DONE]\n\n"], []),
    (
        "consecutive data lines without blank line (TGI sample)",
        [b'data:{"a":1}\ndata:{"b":2}\n\n'],
        [{"a": 1}, {"b": 2}],
    ),
    ("stream ends without trailing blank line", [b'data: {"a":1}'], [{"a": 1}]),
    (
        "event and id fields ignored for JSON",
        [b'event: message\nid: 7\nretry: 100\ndata: {"a":1}\n\n'],
        [{"a": 1}],
    ),
    (
        "unknown keys tolerated",
        [b'data: {"a":1,"sla_metrics":{}}\n\n'],
        [{"a": 1, "sla_metrics": {}}],
    ),
    (
        "utf-8 split inside a character",
        ['data: {"t":"é"}\n\n'.encode()[:12], 'data: {"t":"é"}\n\n'.encode()[12:]],
        [{"t": "é"}],
    ),
    ("empty data line skipped", [b'data:\n\ndata: {"a":1}\n\n'], [{"a": 1}]),
]


@pytest.mark.parametrize("name,parts,expected", CASES, ids=[c[0] for c in CASES])
async def test_sse_cases(name: str, parts: list[bytes], expected: list[object]) -> None:
    assert await sse_json(*parts) == expected


async def test_inband_string_error_after_200_is_typed() -> None:
    with pytest.raises(BadRequestError) as info:
        await sse_json(
            b'data: {"a":1}\n\ndata: {"error":"Input validation error: bad","error_type":"validation"}\n\n'
        )
    assert "Input validation error" in str(info.value)
    assert info.value.provider == "P"


async def test_inband_openai_error_after_200_is_typed() -> None:
    with pytest.raises(ResponseError) as info:
        await sse_json(b'data: {"error":{"message":"upstream failed"}}\n\n')
    assert "upstream failed" in str(info.value)


async def test_inband_error_with_status_code_maps_by_status() -> None:
    with pytest.raises(RateLimitError):
        await sse_json(b'data: {"error":{"message":"slow down","code":429}}\n\n')


async def test_malformed_line_names_the_line() -> None:
    with pytest.raises(StreamParseError) as info:
        await sse_json(b'data: {"a":1}\n\ndata: {not json\n\n')
    assert "{not json" in str(info.value)
    assert info.value.line == "{not json"


async def test_gigantic_line_is_refused_with_typed_error() -> None:
    parts = [b"data: " + b"x" * 1024] * 20
    with pytest.raises(StreamParseError):
        [e async for e in iter_sse(chunks_of(*parts), max_line=8 * 1024)]


async def test_raw_events_keep_event_names() -> None:
    events = [
        e
        async for e in iter_sse(
            chunks_of(
                b"event: generating\ndata: [1]\n\nevent: heartbeat\ndata: null\n\nevent: complete\ndata: [2]\n\n"
            )
        )
    ]
    assert [(e.event, e.data) for e in events] == [
        ("generating", "[1]"),
        ("heartbeat", "null"),
        ("complete", "[2]"),
    ]


NDJSON_CASES = [
    ("plain lines", [b'{"a":1}\n{"b":2}\n'], [{"a": 1}, {"b": 2}]),
    ("split lines", [b'{"a"', b':1}\n{"b', b'":2}'], [{"a": 1}, {"b": 2}]),
    (
        "blank and whitespace-only lines (4 KB tail)",
        [b'{"a":1}\n\n' + b" " * 4096 + b"\n"],
        [{"a": 1}],
    ),
    ("CRLF", [b'{"a":1}\r\n{"b":2}\r\n'], [{"a": 1}, {"b": 2}]),
    ("tail of spaces without newline", [b'{"a":1}\n' + b" " * 4096], [{"a": 1}]),
]


@pytest.mark.parametrize("name,parts,expected", NDJSON_CASES, ids=[c[0] for c in NDJSON_CASES])
async def test_ndjson_cases(name: str, parts: list[bytes], expected: list[object]) -> None:
    assert await ndjson(*parts) == expected


async def test_ndjson_malformed_line() -> None:
    with pytest.raises(StreamParseError) as info:
        await ndjson(b'{"a":1}\n<html>oops</html>\n')
    assert "<html>oops</html>" in info.value.line


def _sse_stream(objects: list[dict[str, object]], space: bool, crlf: bool) -> bytes:
    nl = "\r\n" if crlf else "\n"
    sep = " " if space else ""
    body = "".join(f"data:{sep}{json.dumps(o)}{nl}{nl}: keep-alive{nl}{nl}" for o in objects)
    return (body + f"data:{sep}[DONE]{nl}{nl}").encode()


json_objects = st.lists(
    st.dictionaries(
        st.text(min_size=1, max_size=5), st.one_of(st.integers(), st.text(max_size=10)), max_size=3
    ).filter(lambda d: "error" not in d),
    min_size=1,
    max_size=6,
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for point in points:
        pieces.append(data[last:point])
        last = point
    pieces.append(data[last:])
    return pieces


@settings(max_examples=150, deadline=None)
@given(
    objects=json_objects,
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12),
    space=st.booleans(),
    crlf=st.booleans(),
)
def test_sse_random_splits_give_same_events(
    objects: list[dict[str, object]], cuts: list[int], space: bool, crlf: bool
) -> None:
    import asyncio

    data = _sse_stream(objects, space, crlf)
    whole = asyncio.run(sse_json(data))
    split = asyncio.run(sse_json(*_split(data, cuts)))
    assert whole == objects
    assert split == whole


@settings(max_examples=150, deadline=None)
@given(objects=json_objects, cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_ndjson_random_splits_give_same_objects(
    objects: list[dict[str, object]], cuts: list[int]
) -> None:
    import asyncio

    data = "".join(json.dumps(o) + "\n" for o in objects).encode() + b" " * 64
    assert asyncio.run(ndjson(*_split(data, cuts))) == objects


@settings(max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=400), cuts=st.lists(st.integers(min_value=0, max_value=500), max_size=6)
)
def test_sse_decoder_never_raises_on_arbitrary_bytes(data: bytes, cuts: list[int]) -> None:
    decoder = SSEDecoder()
    events = []
    for piece in _split(data, cuts):
        events.extend(decoder.feed(piece))
    events.extend(decoder.flush())
    whole = SSEDecoder()
    expected = whole.feed(data) + whole.flush()
    assert [(e.event, e.data) for e in events] == [(e.event, e.data) for e in expected]
