"""Benchmark 4: many concurrent streams through one AsyncClient vs raw aiohttp.

Modes: raw aiohttp on one session (the baseline) and g4f (one ``AsyncClient`` with
its default connection pool). Each mode runs in its own fresh process (so peak RSS is
its own): ``rounds`` rounds of ``streams`` concurrent ``tokens``-token streams. Reported:
the median round's wall time, the process's peak RSS (and how far above its RSS
before the first round it went), and the RSS after each round (a leak grows it round
after round). A run at half the streams tells whether memory grows linearly with the
number of streams.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from typing import Any

from tests.bench._util import (
    Context,
    current_rss_mib,
    median,
    peak_rss_mib,
    run_worker,
)
from tests.bench.bench_stream import async_stream, raw_stream
from tests.bench.report import Metric, Target

__all__ = ["run", "work"]

#: Growth of RSS from round 2 to round 3 (MiB) still counted as no leak. Round 1 to 2
#: is not used: the allocator's arenas settle there; a leak grows every round.
LEAK_TOLERANCE_MIB = 2.0


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    from g4f.client import AsyncClient

    url = os.environ["HF_ROUTER_ENDPOINT"] + "/v1/chat/completions"
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    streams, tokens, mode = params["streams"], params["tokens"], params["mode"]
    client = AsyncClient()
    # No pool limit: the raw baseline must run all streams at once, as g4f does.
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session, client:

        async def one() -> int:
            if mode == "raw":
                return await raw_stream(session, url, headers, tokens)
            return await async_stream(client, tokens)

        await one()
        gc.collect()
        start_rss = current_rss_mib()
        walls, after = [], []
        for _ in range(params["rounds"]):
            start = time.perf_counter()
            counts = await asyncio.gather(*(one() for _ in range(streams)))
            walls.append(time.perf_counter() - start)
            if counts != [tokens] * streams:
                raise AssertionError(f"{mode}: token counts {sorted(set(counts))} != {tokens}")
            gc.collect()
            after.append(current_rss_mib())
    peak = peak_rss_mib()
    return {"walls": walls, "rss": after, "peak": peak, "peak_added": peak - start_rss}


def run(ctx: Context) -> list[Metric]:
    streams, tokens = ctx.scale(200, 20), ctx.scale(500, 50)
    rounds = 3
    results: dict[str, dict[str, Any]] = {}
    walls: dict[str, list[float]] = {}
    # Two passes over the modes (each a fresh process): drift on a shared machine hits
    # every mode alike; the wall-time figure is the median over both passes' rounds.
    passes = ctx.scale(2, 1)
    for _ in range(passes):
        for mode in ("raw", "g4f"):
            params = {"mode": mode, "streams": streams, "tokens": tokens, "rounds": rounds}
            results[mode] = run_worker(ctx, "bench_concurrency", params)
            walls.setdefault(mode, []).extend(results[mode]["walls"])
    half = run_worker(
        ctx,
        "bench_concurrency",
        {"mode": "g4f", "streams": streams // 2, "tokens": tokens, "rounds": 1},
    )
    g4f, raw = results["g4f"], results["raw"]
    note = f"{streams} × {tokens}-token streams, {rounds} rounds in each of {passes} processes"
    return [
        Metric(
            "4 concurrency",
            "wall time",
            median(walls["g4f"]),
            median(walls["raw"]),
            "s",
            "raw aiohttp",
            Target("ratio", "<=", 1.3),
            note=note,
            detail=walls,
        ),
        Metric(
            "4 concurrency",
            "peak RSS of the process",
            g4f["peak"],
            raw["peak"],
            "MiB",
            "raw aiohttp",
            note=(
                f"above its start: {g4f['peak_added']:.1f} MiB for {streams} streams, "
                f"{half['peak_added']:.1f} MiB for {streams // 2}"
            ),
            detail={"g4f": g4f, "raw": raw, "half": half},
        ),
        Metric(
            "4 concurrency",
            "RSS after round 3",
            g4f["rss"][-1],
            g4f["rss"][-2],
            "MiB",
            "round 2",
            Target("added", "<=", LEAK_TOLERANCE_MIB, "MiB"),
            note="after gc, rounds 1-3: " + ", ".join(f"{v:.1f}" for v in g4f["rss"]) + " MiB",
        ),
    ]
