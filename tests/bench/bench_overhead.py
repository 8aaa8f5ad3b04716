"""Benchmark 2: latency added per non-stream request, AsyncClient vs raw aiohttp.

Modes take turns in each repeat (so drift hits them alike): raw aiohttp on one
``ClientSession``, ``AsyncClient`` (default settings: its own connection pool) with
``provider=HuggingFaceAPI``, and the same client through AnyProvider with a public
alias (measured against the explicit provider: the cost of choosing). p50/p99 are
taken per repeat; the figure is the median over repeats.
"""

from __future__ import annotations

import os
import time
from typing import Any

from tests.bench._util import Context, median, percentile, raw_chat_body, run_worker
from tests.bench.report import Metric, Target

__all__ = ["run", "work"]

ALIAS = "gpt-oss-120b"
MODES = ("raw", "explicit", "alias")


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
            if mode == "explicit":
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
            await block(mode, params["warmup"])
        for repeat in range(repeats):
            order = MODES[repeat % len(MODES) :] + MODES[: repeat % len(MODES)]
            for mode in order:
                latencies[mode].append(await block(mode, requests))
    await client.close()
    if len(answers) != 1:
        raise AssertionError(f"the modes got different answers: {answers}")
    return {"latencies": latencies}


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
        ("explicit", "provider=HuggingFaceAPI", "raw", "raw aiohttp", Target("ratio", "<=", 1.25)),
        ("alias", f"AnyProvider {ALIAS!r}", "raw", "raw aiohttp", None),
        (
            "alias",
            f"AnyProvider {ALIAS!r}",
            "explicit",
            "provider=HuggingFaceAPI",
            Target("added", "<=", 0.1, "ms"),
        ),
    )
    for mode, label, base, base_name, target in figures:
        for q in (50, 99):
            metrics.append(
                Metric(
                    "2 request",
                    f"p{q} latency, {label}",
                    median([percentile(s, q) for s in latencies[mode]]),
                    median([percentile(s, q) for s in latencies[base]]),
                    "ms",
                    base_name,
                    target if q == 50 else None,
                    note=note,
                )
            )
    return metrics
