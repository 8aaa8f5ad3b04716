"""Benchmark 6: the API server (``g4f api``) in front of the fake router vs the fake directly.

``python -m g4f api --provider HuggingFaceAPI`` runs in its own process, pointed at
the benchmark router. The same raw aiohttp client sends the same bodies to both:
sequential non-stream requests (added p50/p99); a burst of concurrent streams sent at
once and as fast as the fake can (the server saturated: the burst's wall time, and the
server process's CPU time per streamed token); and a steady 50 open streams paced like
a generating model (one token every 20 ms, starts spread out), where the added p50 of
the time to the first and to the last token is the latency the server adds.

With ``--peers`` the LiteLLM proxy (in its cached environment, see ``peers.py``) is
measured the same way in the same rounds.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench._server import ROOT
from tests.bench._util import MODEL, Context, median, percentile, raw_chat_body, run_worker
from tests.bench.bench_stream import raw_stream
from tests.bench.report import Metric, Target

__all__ = ["run", "work", "available"]

MODES = ("direct", "api")
SERVERS = ("api", "litellm")
#: The proxy refuses to start without a master key; clients present it.
LITELLM_KEY = "sk-" + secrets.token_hex(24)


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


async def _wait_until_up(session: Any, health: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{health}: the server exited with {process.returncode}")
        try:
            async with session.get(health) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{health}: the server did not start")


async def _json_request(session: Any, url: str, headers: dict[str, str]) -> str:
    async with session.post(url, json=raw_chat_body(False), headers=headers) as response:
        response.raise_for_status()
        data = await response.json()
    return data["choices"][0]["message"]["content"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measure(
    session: Any,
    urls: dict[str, str],
    keys: dict[str, dict[str, str]],
    params: Any,
    pids: dict[str, int],
) -> Any:
    modes = tuple(urls)
    auth = {urls[mode]: keys[mode] for mode in modes}
    sequential: dict[str, list[list[float]]] = {mode: [] for mode in modes}
    concurrent: dict[str, list[list[float]]] = {mode: [] for mode in modes}
    burst: dict[str, list[float]] = {mode: [] for mode in modes}
    cpu: dict[str, list[float]] = {mode: [] for mode in modes}
    tokens, streams = params["tokens"], params["streams"]

    async def timed_stream(url: str) -> float:
        start = time.perf_counter()
        count = await raw_stream(session, url, auth[url], tokens)
        if count != tokens:
            raise AssertionError(f"{count} tokens, expected {tokens}")
        return (time.perf_counter() - start) * 1000

    async def paced_stream(url: str) -> tuple[float, float]:
        first: list[float] = []
        start = time.perf_counter()
        count = await raw_stream(session, url, auth[url], params["paced_tokens"], first)
        if count != params["paced_tokens"]:
            raise AssertionError(f"{count} tokens, expected {params['paced_tokens']}")
        return (first[0] - start) * 1000, (time.perf_counter() - start) * 1000

    for mode in modes:
        await _json_request(session, urls[mode], keys[mode])
        await timed_stream(urls[mode])
    for repeat in range(params["repeats"]):
        for mode in modes if repeat % 2 == 0 else modes[::-1]:
            samples = []
            for _ in range(params["requests"]):
                start = time.perf_counter()
                await _json_request(session, urls[mode], keys[mode])
                samples.append((time.perf_counter() - start) * 1000)
            sequential[mode].append(samples)
            pid = pids.get(mode)
            used = _cpu_seconds(pid) if pid else 0.0
            start = time.perf_counter()
            batch = await asyncio.gather(*(timed_stream(urls[mode]) for _ in range(streams)))
            burst[mode].append((time.perf_counter() - start) * 1000)
            if pid:
                # At least one clock tick: /proc counts CPU time in ticks (10 ms here).
                spent = max(_cpu_seconds(pid) - used, 1 / os.sysconf("SC_CLK_TCK"))
                cpu[mode].append(spent / (streams * tokens) * 1e6)
            concurrent[mode].append(list(batch))
    paced: dict[str, dict[str, list[list[float]]]] = {
        kind: {mode: [] for mode in modes} for kind in ("first", "last")
    }
    await _set_pace(session, params["pace"])
    try:
        for repeat in range(params["repeats"]):
            for mode in modes if repeat % 2 == 0 else modes[::-1]:
                samples = await _steady_streams(paced_stream, urls[mode], params)
                paced["first"][mode].append([first for first, _ in samples])
                paced["last"][mode].append([last for _, last in samples])
    finally:
        await _set_pace(session, 0.0)
    return {
        "sequential": sequential,
        "concurrent": concurrent,
        "burst": burst,
        "cpu": cpu,
        **paced,
    }


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


def _start_litellm(python: str, router: str, port: int) -> subprocess.Popen[bytes]:
    """The LiteLLM proxy (one process) routing the benchmark model to the fake router."""
    from tests.bench.peers import peer_env

    config = Path(tempfile.mkdtemp(prefix="g4f-bench-litellm-")) / "config.yaml"
    config.write_text(
        "model_list:\n"
        f"  - model_name: {MODEL}\n"
        "    litellm_params:\n"
        f"      model: openai/{MODEL}\n"
        f"      api_base: {router}/v1\n"
        f"      api_key: {os.environ['HF_TOKEN']}\n"
        "litellm_settings:\n"
        "  telemetry: false\n"
        "general_settings:\n"
        f"  master_key: {LITELLM_KEY}\n"
    )
    litellm = str(Path(python).with_name("litellm"))
    return subprocess.Popen(
        [litellm, "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
        env=peer_env(router, ours=False),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    router = os.environ["HF_ROUTER_ENDPOINT"]
    port = _free_port()
    api = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "g4f", "api", "--bind", f"127.0.0.1:{port}"]
    processes = {
        "api": subprocess.Popen(
            [*command, "--provider", "HuggingFaceAPI"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    }
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    keys = {"direct": headers, "api": headers}
    urls = {"direct": router + "/v1/chat/completions", "api": api + "/v1/chat/completions"}
    bases = {"api": api + "/health"}
    if params.get("litellm_python"):
        proxy_port = _free_port()
        processes["litellm"] = _start_litellm(params["litellm_python"], router, proxy_port)
        proxy = f"http://127.0.0.1:{proxy_port}"
        urls["litellm"] = proxy + "/v1/chat/completions"
        keys["litellm"] = {"Authorization": f"Bearer {LITELLM_KEY}"}
        bases["litellm"] = proxy + "/health/liveliness"
    try:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            for name, health in bases.items():
                await _wait_until_up(session, health, processes[name])
            pids = {name: process.pid for name, process in processes.items()}
            pids["direct"] = int(os.environ["G4F_BENCH_ROUTER_PID"])
            return await _measure(session, urls, keys, params, pids)
    finally:
        for process in processes.values():
            _stop(process)


def run(ctx: Context) -> list[Metric]:
    params: dict[str, Any] = {
        "requests": ctx.scale(200, 10),
        "streams": ctx.scale(50, 5),
        "tokens": ctx.scale(500, 20),
        "paced_tokens": ctx.scale(20, 3),
        "pace": 0.02,
        "rounds": ctx.scale(3, 1),
        "repeats": ctx.scale(3, 1),
    }
    gaps: list[str] = []
    if ctx.peers:
        from tests.bench.peers import PEERS, build

        litellm = next(peer for peer in PEERS if peer.name == "litellm")
        try:
            params["litellm_python"] = str(build(litellm))
        except (OSError, subprocess.SubprocessError) as exc:
            gaps.append(f"6 API: the LiteLLM proxy could not be installed: {str(exc)[-300:]}")
    RESULT.clear()
    RESULT["gaps"] = gaps
    result = run_worker(ctx, "bench_api", params)
    streams = params["streams"]
    paced = f"{params['paced_tokens']} tokens, one per {params['pace'] * 1000:g} ms"
    burst = f"{streams} × {params['tokens']}-token streams sent at once"
    figures = (
        ("sequential", "p{q} latency, sequential", f"{params['requests']} non-stream requests"),
        ("concurrent", f"p{{q}} stream time, {streams} concurrent", burst),
        ("first", f"p{{q}} first token, {streams} open paced streams", paced),
        ("last", f"p{{q}} last token, {streams} open paced streams", paced),
    )
    names = {"api": "g4f api", "litellm": f"LiteLLM proxy {_litellm_version(params)}"}
    metrics = []
    for server in SERVERS:
        if server not in result["burst"]:
            continue
        label = "" if server == "api" else f" — {names[server]}"
        metrics += [
            Metric(
                "6 API",
                name.format(q=q) + label,
                median([percentile(s, q) for s in result[kind][server]]),
                median([percentile(s, q) for s in result[kind]["direct"]]),
                "ms",
                "fake directly",
                Target("added", "<=", 2, "ms")
                if server == "api" and kind in ("first", "last") and q == 50
                else None,
                note=note,
            )
            for kind, name, note in figures
            for q in (50, 99)
        ]
        metrics.append(
            Metric(
                "6 API",
                f"burst wall time{label}",
                median(result["burst"][server]),
                median(result["burst"]["direct"]),
                "ms",
                "fake directly",
                Target("ratio", "<=", 2) if server == "api" else None,
                note=burst,
            )
        )
        metrics.append(
            Metric(
                "6 API",
                f"server CPU per token{label}",
                median(result["cpu"][server]),
                median(result["cpu"]["direct"]),
                "µs",
                "the fake router's own, serving directly",
                Target("value", "<=", 10, "µs") if server == "api" else None,
                note=f"the server process's CPU time over the burst / tokens ({burst})",
            )
        )
    return metrics


def _litellm_version(params: dict[str, Any]) -> str:
    python = params.get("litellm_python")
    if not python:
        return ""
    return Path(python).parents[1].name.split("-", 1)[-1]


#: What the last run could not measure (read by run.py).
RESULT: dict[str, Any] = {}
