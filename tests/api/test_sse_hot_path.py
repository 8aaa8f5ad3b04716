"""The server's SSE fast paths give what the general path gives; writes are batched.

``ChunkEncoder`` (shared head encoded once per stream, text only per chunk) against
``sse(chunk_payload(chunk))`` on generated chunks, with orjson and with the standard
library; ``BatchWriter`` against a recording response: one write per task step, the
bytes in order, write errors reaching the reader.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4f.api import _sse
from g4f.api._payloads import chunk_payload, sse
from g4f.api._sse import BatchWriter, ChunkEncoder
from g4f.client.stubs import (
    ChatCompletionChunk,
    ChatCompletionDelta,
    ChatCompletionDeltaChoice,
    ToolCallModel,
)

TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # lone surrogates are not UTF-8
    max_size=40,
) | st.sampled_from(['"', "\\", "\n\r\t\b\f", "\x00\x1f\x7f", "\u2028\u2029", "é😀", "</script>"])


def _chunk(
    content: str | None,
    *,
    id: str = "chatcmpl-1",
    model: str = "m",
    provider: str | None = "P",
    role: str | None = None,
    reasoning: str | None = None,
    finish: str | None = None,
    tools: bool = False,
    extra: dict[str, Any] | None = None,
    created: int = 1700000000,
) -> ChatCompletionChunk:
    delta = ChatCompletionDelta(
        role=role,
        content=content,
        reasoning=reasoning,
        tool_calls=[ToolCallModel(id="c1", index=0)] if tools else None,
    )
    return ChatCompletionChunk(
        id=id,
        created=created,
        model=model,
        provider=provider,
        choices=[ChatCompletionDeltaChoice(delta=delta, finish_reason=finish)],
        extra=extra,
    )


CHUNKS = st.builds(
    _chunk,
    st.none() | TEXT,
    id=st.sampled_from(["chatcmpl-1", "chatcmpl-2", 'q"uote']),
    model=st.sampled_from(["m", "org/model-é"]),
    provider=st.sampled_from([None, "P", "HuggingFaceAPI"]),
    role=st.sampled_from([None, "assistant"]),
    reasoning=st.none() | TEXT,
    finish=st.sampled_from([None, None, "stop"]),
    tools=st.booleans(),
    extra=st.sampled_from([None, None, {"sources": [1]}, {"conversation": "x"}]),
    created=st.sampled_from([0, 1700000000]),
)


@pytest.fixture(params=["orjson", "stdlib"])
def dumps_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "orjson":
        pytest.importorskip("orjson", reason="the optional 'fast' extra (orjson) is not installed")
        import orjson

        monkeypatch.setattr(_sse, "_dumps_str", orjson.dumps)
    else:
        from json.encoder import encode_basestring  # type: ignore[attr-defined]

        monkeypatch.setattr(_sse, "_dumps_str", lambda text: encode_basestring(text).encode())
    return str(request.param)


# The fixture only picks the JSON encoder: nothing in it changes between examples.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chunks=st.lists(CHUNKS, max_size=12))
def test_chunk_encoder_gives_the_general_paths_bytes(dumps_kind: str, chunks: list[Any]) -> None:
    encoder = ChunkEncoder()
    for chunk in chunks:
        assert encoder.encode(chunk) == sse(chunk_payload(chunk)), dumps_kind


def test_chunk_encoder_takes_the_fast_path_for_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(_sse, "chunk_payload", lambda chunk: calls.append(chunk) or {})
    encoder = ChunkEncoder()
    for text in ("a", "b", "c"):
        encoder.encode(_chunk(text))
    assert calls == [], "plain text chunks must not build the payload dict"
    encoder.encode(_chunk("x", finish="stop"))
    assert len(calls) == 1


class RecordingResponse:
    """Stands in for ``web.StreamResponse``: records each write; can fail or be slow."""

    def __init__(self, fail_after: int | None = None, pause: asyncio.Event | None = None) -> None:
        self.writes: list[bytes] = []
        self.fail_after = fail_after
        self.pause = pause

    async def write(self, data: bytes) -> None:
        if self.pause is not None:
            await self.pause.wait()
        if self.fail_after is not None and len(self.writes) >= self.fail_after:
            raise ConnectionResetError("client gone")
        self.writes.append(data)


async def test_events_of_one_task_step_go_out_in_one_write() -> None:
    response = RecordingResponse()
    writer = BatchWriter(response)  # type: ignore[arg-type]
    events = [f"e{i};".encode() for i in range(50)]
    for event in events[:30]:
        assert not writer.add(event)
    await asyncio.sleep(0)  # the reader waits: the writer runs
    await asyncio.sleep(0)
    for event in events[30:]:
        writer.add(event)
    await writer.close()
    assert response.writes == [b"".join(events[:30]), b"".join(events[30:])]


async def test_a_slow_client_makes_the_reader_wait_at_the_limit() -> None:
    pause = asyncio.Event()
    response = RecordingResponse(pause=pause)
    writer = BatchWriter(response, limit=4)  # type: ignore[arg-type]
    writer.add(b"a")
    await asyncio.sleep(0)  # the writer takes "a" and blocks in write
    assert [writer.add(e) for e in (b"b", b"c", b"d", b"e")] == [False, False, False, True]
    backoff = asyncio.ensure_future(writer.backoff())
    await asyncio.sleep(0.01)
    assert not backoff.done(), "the reader waits while the client does not read"
    pause.set()
    await asyncio.wait_for(backoff, 5)
    await writer.close()
    assert b"".join(response.writes) == b"abcde"


async def test_a_write_error_reaches_the_reader() -> None:
    response = RecordingResponse(fail_after=1)
    writer = BatchWriter(response)  # type: ignore[arg-type]
    writer.add(b"first")
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    writer.add(b"second")
    with pytest.raises(ConnectionResetError):
        await writer.close()
    assert response.writes == [b"first"]
