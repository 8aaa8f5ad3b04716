"""Benchmark 6: the API server (``g4f api``) in front of the fake router vs the fake directly.

``python -m g4f api --provider HuggingFaceAPI`` runs in its own process, pointed at
the benchmark router. The same raw aiohttp client sends the same bodies to both:
sequential non-stream requests (added p50/p99); batches of concurrent streams sent at
once and as fast as the fake can (the server saturated: a throughput figure); and a
steady 50 open streams paced like a generating model (one token every 20 ms, starts
spread out), where the added p50 of the time to the first and to the last token is the
latency the server adds.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from typing import Any

from tests.bench._server import ROOT
from tests.bench._util import Context, median, percentile, raw_chat_body, run_worker
from tests.bench.bench_stream import raw_stream
from tests.bench.report import Metric, Target

__all__ = ["run", "work", "available"]

MODES = ("direct", "api")


def available() -> str | None:
    """None when the API server has landed, else why benchmark 6 cannot run."""
    log = subprocess.run(
        ["git", "log", "--oneline", "-1", "--", "g4f/api"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if not log.stdout.strip():
        return "6 API server: g4f/api is not in `git log` yet (issue 6 has not landed)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_until_up(session: Any, base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"g4f api exited with {process.returncode}")
        try:
            async with session.get(base + "/health") as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("g4f api did not start")


async def _json_request(session: Any, url: str, headers: dict[str, str]) -> str:
    async with session.post(url, json=raw_chat_body(False), headers=headers) as response:
        response.raise_for_status()
        data = await response.json()
    return data["choices"][0]["message"]["content"]


async def _measure(session: Any, urls: dict[str, str], headers: dict[str, str], params: Any) -> Any:
    sequential: dict[str, list[list[float]]] = {mode: [] for mode in MODES}
    concurrent: dict[str, list[list[float]]] = {mode: [] for mode in MODES}
    tokens, streams = params["tokens"], params["streams"]

    async def timed_stream(url: str) -> float:
        start = time.perf_counter()
        count = await raw_stream(session, url, headers, tokens)
        if count != tokens:
            raise AssertionError(f"{count} tokens, expected {tokens}")
        return (time.perf_counter() - start) * 1000

    async def paced_stream(url: str) -> tuple[float, float]:
        first: list[float] = []
        start = time.perf_counter()
        count = await raw_stream(session, url, headers, params["paced_tokens"], first)
        if count != params["paced_tokens"]:
            raise AssertionError(f"{count} tokens, expected {params['paced_tokens']}")
        return (first[0] - start) * 1000, (time.perf_counter() - start) * 1000

    for mode in MODES:
        await _json_request(session, urls[mode], headers)
        await timed_stream(urls[mode])
    for repeat in range(params["repeats"]):
        for mode in MODES if repeat % 2 == 0 else MODES[::-1]:
            samples = []
            for _ in range(params["requests"]):
                start = time.perf_counter()
                await _json_request(session, urls[mode], headers)
                samples.append((time.perf_counter() - start) * 1000)
            sequential[mode].append(samples)
            batch = await asyncio.gather(*(timed_stream(urls[mode]) for _ in range(streams)))
            concurrent[mode].append(list(batch))
    paced: dict[str, dict[str, list[list[float]]]] = {
        kind: {mode: [] for mode in MODES} for kind in ("first", "last")
    }
    await _set_pace(session, params["pace"])
    try:
        for repeat in range(params["repeats"]):
            for mode in MODES if repeat % 2 == 0 else MODES[::-1]:
                samples = await _steady_streams(paced_stream, urls[mode], params)
                paced["first"][mode].append([first for first, _ in samples])
                paced["last"][mode].append([last for _, last in samples])
    finally:
        await _set_pace(session, 0.0)
    return {"sequential": sequential, "concurrent": concurrent, **paced}


async def _steady_streams(stream: Any, url: str, params: Any) -> list[tuple[float, float]]:
    """``streams`` workers, each running ``rounds`` paced streams back to back.

    Start times are spread over one stream's duration, so about ``streams`` streams
    are open at any moment and requests arrive one by one, not all in the same instant.
    """
    streams, rounds = params["streams"], params["rounds"]
    duration = (params["paced_tokens"] + 3) * params["pace"]
    samples: list[tuple[float, float]] = []

    async def worker(index: int) -> None:
        await asyncio.sleep(duration * index / streams)
        for _ in range(rounds):
            samples.append(await stream(url))

    await asyncio.gather(*(worker(i) for i in range(streams)))
    return samples


async def _set_pace(session: Any, seconds: float) -> None:
    router = os.environ["HF_ROUTER_ENDPOINT"]
    async with session.post(router + "/bench/pace", json={"seconds": seconds}) as response:
        response.raise_for_status()


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    router = os.environ["HF_ROUTER_ENDPOINT"]
    port = _free_port()
    api = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "g4f", "api", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--provider", "HuggingFaceAPI"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    urls = {"direct": router + "/v1/chat/completions", "api": api + "/v1/chat/completions"}
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await _wait_until_up(session, api, process)
            return await _measure(session, urls, headers, params)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(ctx: Context) -> list[Metric]:
    params = {
        "requests": ctx.scale(200, 10),
        "streams": ctx.scale(50, 5),
        "tokens": ctx.scale(100, 20),
        "paced_tokens": ctx.scale(20, 3),
        "pace": 0.02,
        "rounds": ctx.scale(3, 1),
        "repeats": ctx.scale(3, 1),
    }
    result = run_worker(ctx, "bench_api", params)
    streams = params["streams"]
    paced = f"{params['paced_tokens']} tokens, one per {params['pace'] * 1000:g} ms"
    figures = (
        ("sequential", "p{q} latency, sequential", f"{params['requests']} non-stream requests"),
        (
            "concurrent",
            f"p{{q}} stream time, {streams} concurrent",
            f"{params['tokens']}-token streams sent at once: the server saturated",
        ),
        ("first", f"p{{q}} first token, {streams} open paced streams", paced),
        ("last", f"p{{q}} last token, {streams} open paced streams", paced),
    )
    return [
        Metric(
            "6 API",
            name.format(q=q),
            median([percentile(s, q) for s in result[kind]["api"]]),
            median([percentile(s, q) for s in result[kind]["direct"]]),
            "ms",
            "fake directly",
            Target("added", "<=", 2, "ms") if kind in ("first", "last") and q == 50 else None,
            note=note,
        )
        for kind, name, note in figures
        for q in (50, 99)
    ]
