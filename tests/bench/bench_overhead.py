"""Benchmark 2: latency added per non-stream request, AsyncClient vs raw aiohttp.

Four modes take turns in each repeat (so drift hits them alike): raw aiohttp on one
``ClientSession``, ``AsyncClient`` with ``provider=HuggingFaceAPI``, ``AsyncClient``
through AnyProvider with a public alias, and raw aiohttp opening a new ``ClientSession``
(so a new connection) per request, which is what each g4f provider call does: the
figure against it shows g4f's own cost without the connection; and ``AsyncClient``
with the explicit provider inside ``async with connection_pool()`` (opt-in connection
reuse, a new pool per block of requests). p50/p99 are taken per repeat; the figure is
the median over repeats.
"""

from __future__ import annotations

import os
import time
from typing import Any

from tests.bench._util import Context, median, percentile, raw_chat_body, run_worker
from tests.bench.report import Metric, Target

__all__ = ["run", "work"]

ALIAS = "gpt-oss-120b"
MODES = ("raw", "explicit", "alias", "fresh", "pooled")


async def _raw(session: Any, url: str, headers: dict[str, str]) -> str:
    async with session.post(url, json=raw_chat_body(False), headers=headers) as response:
        response.raise_for_status()
        data = await response.json()
    return data["choices"][0]["message"]["content"]


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    from g4f.client import AsyncClient
    from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
    from tests.bench._util import MESSAGES, MODEL

    url = os.environ["HF_ROUTER_ENDPOINT"] + "/v1/chat/completions"
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    client = AsyncClient()
    requests, repeats = params["requests"], params["repeats"]
    latencies: dict[str, list[list[float]]] = {mode: [] for mode in MODES}
    answers: set[str] = set()
    async with aiohttp.ClientSession() as session:

        async def once(mode: str) -> str:
            if mode == "raw":
                return await _raw(session, url, headers)
            if mode == "fresh":
                async with aiohttp.ClientSession() as own:
                    return await _raw(own, url, headers)
            if mode in ("explicit", "pooled"):
                answer = await client.chat.completions.create(
                    MESSAGES, MODEL, provider=HuggingFaceAPI
                )
            else:
                answer = await client.chat.completions.create(MESSAGES, ALIAS)
            return answer.choices[0].message.content

        async def block(mode: str, count: int) -> list[float]:
            samples = []
            for _ in range(count):
                start = time.perf_counter()
                answers.add(await once(mode))
                samples.append((time.perf_counter() - start) * 1000)
            return samples

        for mode in MODES:
            async with _pool_for(mode):
                await block(mode, params["warmup"])
        for repeat in range(repeats):
            order = MODES[repeat % len(MODES) :] + MODES[: repeat % len(MODES)]
            for mode in order:
                async with _pool_for(mode):
                    latencies[mode].append(await block(mode, requests))
    if len(answers) != 1:
        raise AssertionError(f"the modes got different answers: {answers}")
    return {"latencies": latencies}


def _pool_for(mode: str) -> Any:
    """``connection_pool()`` for the pooled mode (a new one per block), else nothing."""
    import contextlib

    from g4f.requests import connection_pool

    return connection_pool() if mode == "pooled" else contextlib.nullcontext()


def run(ctx: Context) -> list[Metric]:
    params = {
        "requests": ctx.scale(500, 20),
        "repeats": ctx.scale(5, 2),
        "warmup": ctx.scale(30, 3),
    }
    latencies = run_worker(ctx, "bench_overhead", params)["latencies"]
    metrics = []
    note = f"{params['requests']} sequential non-stream requests"
    figures = (
        ("explicit", "provider=HuggingFaceAPI", "raw", "raw aiohttp"),
        ("alias", f"AnyProvider {ALIAS!r}", "raw", "raw aiohttp"),
        ("pooled", "HuggingFaceAPI in connection_pool()", "raw", "raw aiohttp"),
        ("explicit", "provider=HuggingFaceAPI", "fresh", "raw aiohttp, new session per request"),
    )
    for mode, label, base, base_name in figures:
        for q, bound in ((50, 0.5), (99, 2.0)):
            metrics.append(
                Metric(
                    "2 request",
                    f"p{q} latency, {label}",
                    median([percentile(s, q) for s in latencies[mode]]),
                    median([percentile(s, q) for s in latencies[base]]),
                    "ms",
                    base_name,
                    Target("added", "<=", bound, "ms") if base == "raw" else None,
                    note=note,
                )
            )
    return metrics
