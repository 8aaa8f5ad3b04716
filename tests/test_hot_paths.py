"""The per-token fast paths (found by the benchmarks, tests/bench) give what the general paths give.

Each fast path is checked against its general counterpart on generated inputs: the
SSE data-only decoder against the event decoder, ``iter_sse_json`` against the event
route, the think splitter's shortcut against a whole-text oracle, the client's plain
text shortcut against the non-stream accumulation, and the sync iterator's batching
(read no further than asked at first, errors after the items before them, closing
when abandoned).
"""

from __future__ import annotations

import asyncio
import gc
import json
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from g4f._loop import _MAX_BATCH, iter_sync
from g4f.client import AsyncClient, Client
from g4f.errors import ResponseError, StreamParseError
from g4f.Provider.hf._api_parser import ChatChunkParser
from g4f.providers.base_provider import AsyncGeneratorProvider
from g4f.providers.helper import ThinkSplitter
from g4f.providers.response import Reasoning
from g4f.requests.sse import SSEDecoder, _event_json, decode_json_line, iter_sse, iter_sse_json

LINES = [
    b'data: {"a":1}',
    b'data:{"b":[1,2]}',
    b"data: [DONE]",
    b"data:",
    b"data",
    b"",
    b": keep-alive",
    b"event: ping",
    b"event:",
    b"id: 7",
    b"retry: 10",
    b'data: {"t":"\xc3\xa9\xe2\x82\xac"}',
    b"data: \xff\xfe broken",
    b'data:  {"c":3} ',
]
ENDINGS = [b"\n", b"\r\n", b"\r"]


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(ENDINGS)), max_size=25),
    st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
)
def test_feed_data_gives_the_data_of_feed(
    lines: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    body = b"".join(line + end for line, end in lines)
    general, fast = SSEDecoder(), SSEDecoder()
    expected: list[str] = []
    got: list[str] = []
    for part in _split(body, cuts):
        expected += [event.data for event in general.feed(part)]
        got += fast.feed_data(part)
    assert got == expected
    assert [e.data for e in fast.flush()] == [e.data for e in general.flush()]


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _reference_sse_json(parts: list[bytes]) -> AsyncIterator[Any]:
    """The event route: whole events, then their JSON; a stream with no payload is an error."""
    seen = False
    async for event in iter_sse(_chunks(parts)):
        for data in _event_json(event, "P"):
            if data == "[DONE]":
                return
            seen = True
            yield data
    if not seen:
        raise ResponseError("empty stream")


async def _outcome(stream: AsyncIterator[Any]) -> tuple[list[Any], str | None]:
    items: list[Any] = []
    try:
        async for item in stream:
            items.append(item)
    except Exception as exc:  # noqa: BLE001 - compared between the two routes
        return items, type(exc).__name__
    return items, None


JSON_LINES = [
    b'data: {"a":1}',
    b'data:{"choices":[{"delta":{"content":"x"}}]}',
    b'data: {"error":"boom","error_type":"overloaded"}',
    b"data: [DONE]",
    b"data:  [DONE] ",
    b"data: ",
    b"data: {not json",
    b'data: {"a":',
    b"data: 1}",
    b"data: null",
    b"data: [1, 2]",
    b": comment",
    b"event: done",
    b"",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(JSON_LINES), st.sampled_from(ENDINGS)), max_size=20),
    st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
def test_iter_sse_json_matches_the_event_route(
    lines: list[tuple[bytes, bytes]], cuts: list[int]
) -> None:
    parts = _split(b"".join(line + end for line, end in lines), cuts)

    async def both() -> tuple[Any, Any]:
        fast = await _outcome(iter_sse_json(_chunks(parts), provider="P"))
        return fast, await _outcome(_reference_sse_json(parts))

    fast, reference = asyncio.run(both())
    assert fast == reference


@pytest.mark.parametrize(
    "text", ['{"a":1}', ' {"a":1}', '{"a":1} ', '{"a":1}{"b":2}', "[1]", "1 2", "", "nul", "\t"]
)
def test_decode_json_line_agrees_with_json_loads(text: str) -> None:
    try:
        expected: Any = json.loads(text)
    except ValueError:
        with pytest.raises(StreamParseError):
            decode_json_line(text)
    else:
        assert decode_json_line(text) == expected


def _oracle(text: str) -> tuple[str, str]:
    """Visible text and reasoning of a whole text with ``<think>`` blocks."""
    reasoning = "".join(re.findall(r"<think>(.*?)(?:</think>|$)", text, re.S))
    visible = re.sub(r"<think>.*?(?:</think>|$)", "", text, flags=re.S)
    return visible, reasoning


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "<", "<th", "<think>", "</think>", "</", "x y", ">"]), max_size=20
    ),
    st.lists(st.integers(min_value=0, max_value=200), max_size=8),
)
def test_think_splitter_shortcut_matches_the_whole_text(pieces: list[str], cuts: list[int]) -> None:
    text = "".join(pieces)
    splitter = ThinkSplitter()
    out: list[Any] = []
    points = sorted({c % (len(text) + 1) for c in cuts})
    for a, b in zip([0, *points], [*points, len(text)], strict=True):
        out += splitter.feed(text[a:b])
    out += splitter.flush()
    visible = "".join(p for p in out if isinstance(p, str))
    reasoning = "".join(p.token for p in out if isinstance(p, Reasoning) and p.token)
    assert (visible, reasoning) == _oracle(text)


def test_parser_finds_reasoning_next_to_a_content_key() -> None:
    for delta in (
        {"content": None, "reasoning": "r"},
        {"content": "", "reasoning_content": "r"},
        {"role": "assistant", "content": "c", "reasoning_text": "r"},
    ):
        items = ChatChunkParser().feed({"choices": [{"delta": delta}]})
        assert Reasoning("r") in items, delta
    assert ChatChunkParser().feed(
        {"choices": [{"delta": {"role": "assistant", "content": "c"}}]}
    ) == ["c"]


class Scripted(AsyncGeneratorProvider):
    """Yields the text pieces of ``pieces`` (set per test)."""

    working = True
    pieces: list[str] = []

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        for piece in cls.pieces:
            yield piece


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["ab", "<think>", "r1", "</think>", "<", "END", "x<y", ""]), max_size=12
    ),
    st.sampled_from([None, "END", ["<x", "y"]]),
)
def test_stream_equals_the_completion_with_the_plain_text_shortcut(
    pieces: list[str], stop: Any
) -> None:
    Scripted.pieces = pieces
    if not any(pieces):
        # No text at all is an empty answer, a ResponseError for the stream and the completion.
        for stream in (True, False):
            with pytest.raises(ResponseError, match="empty answer"):
                result = Client().chat.completions.create("hi", provider=Scripted, stream=stream)
                list(result) if stream else None
        return

    async def run() -> tuple[str, str, str, str]:
        client = AsyncClient()
        text, reasoning = "", ""
        async for chunk in client.chat.completions.create(
            "hi", provider=Scripted, stream=True, stop=stop
        ):
            delta = chunk.choices[0].delta
            text += delta.content or ""
            reasoning += delta.reasoning or ""
        whole = await client.chat.completions.create("hi", provider=Scripted, stop=stop)
        message = whole.choices[0].message
        return text, reasoning, message.content, message.reasoning or ""

    text, reasoning, whole_text, whole_reasoning = asyncio.run(run())
    assert (text, reasoning) == (whole_text, whole_reasoning)
    if stop is None:
        assert (text, reasoning) == _oracle("".join(pieces))


class Counted:
    """An async generator of ``count`` numbers that records how far it was read."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.produced = 0
        self.closed = threading.Event()

    async def __call__(self) -> AsyncIterator[int]:
        try:
            for number in range(self.count):
                if number == self.fail_at:
                    raise ValueError(f"failed at {number}")
                self.produced += 1
                yield number
                if number % 7 == 0:
                    await asyncio.sleep(0)
        finally:
            self.closed.set()


def test_sync_iteration_gives_every_item_in_order() -> None:
    source = Counted(5000)
    assert list(iter_sync(source())) == list(range(5000))
    assert source.closed.is_set()


def test_sync_iteration_reads_no_further_than_asked_at_first() -> None:
    source = Counted(1000)
    stream = iter_sync(source())
    assert next(stream) == 0
    assert source.produced == 1
    assert next(stream) == 1 and next(stream) == 2
    assert source.produced == 3  # batches of 1, then 2
    taken = 3
    for _ in range(300):
        next(stream)
        taken += 1
        assert source.produced - taken <= 2 * _MAX_BATCH  # a batch in hand + one granted
    stream.close()
    assert source.closed.wait(5)
    assert source.produced < 1000


def test_abandoned_sync_iteration_closes_the_source() -> None:
    source = Counted(10_000)
    stream = iter_sync(source())
    for _ in range(50):
        next(stream)
    del stream
    gc.collect()
    assert source.closed.wait(5)


def test_error_comes_after_the_items_before_it() -> None:
    source = Counted(1000, fail_at=600)
    seen: list[int] = []
    with pytest.raises(ValueError, match="failed at 600"):
        for number in iter_sync(source()):
            seen.append(number)
    assert seen == list(range(600))


def test_sync_client_stream_through_batches() -> None:
    Scripted.pieces = [f"t{i} " for i in range(3000)]
    text = "".join(
        chunk.choices[0].delta.content or ""
        for chunk in Client().chat.completions.create("hi", provider=Scripted, stream=True)
    )
    assert text == "".join(Scripted.pieces)


def test_streamed_chunks_carry_their_fields() -> None:
    Scripted.pieces = ["Hello", " world"]

    async def run() -> list[Any]:
        stream = AsyncClient().chat.completions.create("hi", "m-1", provider=Scripted, stream=True)
        return [chunk async for chunk in stream]

    chunks = asyncio.run(run())
    assert [c.choices[0].delta.content for c in chunks] == ["Hello", " world", None]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    for chunk in chunks:
        assert chunk.object == "chat.completion.chunk"
        assert chunk.id.startswith("chatcmpl-") and chunk.id == chunks[0].id
        assert chunk.model == "m-1" and chunk.provider == "Scripted"
        assert isinstance(chunk.created, int) and chunk.usage is None and chunk.extra is None
        assert chunk.choices[0].index == 0 and chunk.choices[0].delta.reasoning is None
