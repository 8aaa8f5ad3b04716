"""Benchmark 3: tokens/s of one long SSE stream: AsyncClient and Client vs raw aiohttp.

The raw reader does the least a correct client must: split the body into lines,
JSON-decode each ``data:`` line and pick ``choices[0].delta.content``. Every mode
must count exactly the streamed tokens, or the run fails.
"""

from __future__ import annotations

import os
import time
from typing import Any

from tests.bench._util import Context, median, raw_chat_body, run_worker
from tests.bench.report import Metric, Target

__all__ = ["run", "work", "raw_stream"]

MODES = ("raw", "async", "sync")


async def raw_stream(
    session: Any,
    url: str,
    headers: dict[str, str],
    tokens: int,
    first: list[float] | None = None,
) -> int:
    """Content tokens of one stream read with plain aiohttp (lines, JSON, delta.content).

    ``first`` gets the ``perf_counter()`` time of the first token appended.
    """
    from tests.bench.peer_worker import count_sse_tokens

    async with session.post(url, json=raw_chat_body(True, tokens), headers=headers) as response:
        response.raise_for_status()
        return await count_sse_tokens(response, first)


def _client_kwargs(tokens: int) -> dict[str, Any]:
    from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
    from tests.bench._util import MESSAGES, MODEL

    return {
        "messages": MESSAGES,
        "model": MODEL,
        "provider": HuggingFaceAPI,
        "stream": True,
        "max_tokens": tokens,
    }


async def async_stream(client: Any, tokens: int) -> int:
    """Content chunks of one stream through ``AsyncClient``."""
    count = 0
    async for chunk in client.chat.completions.create(**_client_kwargs(tokens)):
        if chunk.choices and chunk.choices[0].delta.content:
            count += 1
    return count


def _sync_stream(client: Any, tokens: int) -> int:
    count = 0
    for chunk in client.chat.completions.create(**_client_kwargs(tokens)):
        if chunk.choices and chunk.choices[0].delta.content:
            count += 1
    return count


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import asyncio

    import aiohttp

    from g4f.client import AsyncClient, Client

    url = os.environ["HF_ROUTER_ENDPOINT"] + "/v1/chat/completions"
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    tokens = params["tokens"]
    async_client, sync_client = AsyncClient(), Client()
    rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    cpu_rates: dict[str, list[float]] = {mode: [] for mode in MODES}
    async with aiohttp.ClientSession() as session:

        async def once(mode: str) -> tuple[float, float]:
            start, cpu = time.perf_counter(), time.process_time()
            if mode == "raw":
                count = await raw_stream(session, url, headers, tokens)
            elif mode == "async":
                count = await async_stream(async_client, tokens)
            else:
                count = await asyncio.to_thread(_sync_stream, sync_client, tokens)
            elapsed, used = time.perf_counter() - start, time.process_time() - cpu
            if count != tokens:
                raise AssertionError(f"{mode}: {count} tokens, expected {tokens}")
            return count / elapsed, count / max(used, 1e-6)

        for mode in MODES:
            await once(mode)
        for repeat in range(params["repeats"]):
            for mode in MODES[repeat % 3 :] + MODES[: repeat % 3]:
                rate, cpu_rate = await once(mode)
                rates[mode].append(rate)
                cpu_rates[mode].append(cpu_rate)
    return {"rates": rates, "cpu_rates": cpu_rates}


def run(ctx: Context) -> list[Metric]:
    tokens = ctx.scale(20_000, 300)
    params = {"tokens": tokens, "repeats": ctx.scale(7, 2)}
    result = run_worker(ctx, "bench_stream", params)
    rates, cpu_rates = result["rates"], result["cpu_rates"]
    note = f"one {tokens:,}-token SSE stream"
    modes = (("async", "AsyncClient", 0.7), ("sync", "sync Client", 0.7))
    metrics = [
        Metric(
            "3 stream",
            f"tokens/s, {label}",
            median(rates[mode]),
            median(rates["raw"]),
            "tok/s",
            "raw aiohttp",
            Target("ratio", ">=", bound),
            note=note,
            detail={"samples": rates[mode], "baseline": rates["raw"]},
        )
        for mode, label, bound in modes
    ]
    # The client process's CPU time per token: what the code costs, whatever else the
    # machine is doing (wall time on a shared machine moves with its load).
    metrics += [
        Metric(
            "3 stream",
            f"tokens per CPU-second, {label}",
            median(cpu_rates[mode]),
            median(cpu_rates["raw"]),
            "tok/s",
            "raw aiohttp",
            note="client process CPU time",
            detail={"samples": cpu_rates[mode], "baseline": cpu_rates["raw"]},
        )
        for mode, label, _ in modes
    ]
    return metrics
