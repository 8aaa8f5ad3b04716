"""``/v1/chat/completions`` streams keep a silent upstream's connection alive with SSE
comments (issue: long waits must not let proxies and clients drop the stream)."""

from __future__ import annotations

import aiohttp
import openai

from tests.api import providers as mocks

BODY = {"model": "slow", "stream": True, "messages": [{"role": "user", "content": "count"}]}


async def _raw(url: str) -> list[bytes]:
    """The stream's SSE blocks as they arrived."""
    blocks: list[bytes] = []
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/v1/chat/completions", json=BODY) as response:
            assert response.status == 200
            buffer = b""
            async for data in response.content.iter_any():
                buffer += data
                *done, buffer = buffer.split(b"\n\n")
                blocks += done
    return blocks


async def test_comments_while_the_first_token_is_late(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "first_delay", 0.45)
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 2)
    async with start(keepalive=0.1) as (url, _):
        blocks = await _raw(url)
    first_data = next(i for i, b in enumerate(blocks) if b.startswith(b"data:"))
    assert first_data >= 3, blocks  # several keep-alives held the silent start
    assert all(b == b": keep-alive" for b in blocks[:first_data])
    assert blocks[-1] == b"data: [DONE]"


async def test_comments_between_late_chunks_and_none_when_fast(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 3)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.35)
    async with start(keepalive=0.1) as (url, _):
        slow = await _raw(url)
        monkeypatch.setattr(mocks.SlowProvider, "delay", 0.0)
        fast = await _raw(url)
    data = [i for i, b in enumerate(slow) if b.startswith(b"data:")]
    between = slow[data[0] + 1 : data[1]]
    assert between and all(b == b": keep-alive" for b in between), slow
    assert b": keep-alive" not in fast


async def test_the_sdk_reads_a_kept_alive_stream(start, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "first_delay", 0.3)
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 3)
    async with start(keepalive=0.05) as (url, _):
        async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0) as sdk:
            stream = await sdk.chat.completions.create(
                model="slow", messages=[{"role": "user", "content": "c"}], stream=True
            )
            text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == "tick0 tick1 tick2 "


async def test_a_failure_after_a_silent_start_is_an_in_band_error(start, monkeypatch) -> None:
    from g4f.errors import RateLimitError

    async def late_failure(model, messages, **kwargs):
        import asyncio

        await asyncio.sleep(0.3)
        raise RateLimitError("slow down", provider="SlowProvider", status_code=429)
        yield  # pragma: no cover

    monkeypatch.setattr(mocks.SlowProvider, "create_async_generator", late_failure)
    async with start(keepalive=0.1) as (url, _):
        blocks = await _raw(url)
    assert blocks[0] == b": keep-alive"
    assert b'"error"' in blocks[-1] and b"slow down" in blocks[-1]
