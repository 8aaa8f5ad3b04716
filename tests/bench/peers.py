"""Benchmark 7 (``--peers``): other client libraries, same fake, same workloads, same run.

Each peer gets its own virtual environment with a pinned version, built once and
cached under ``~/.cache/g4f-bench/peers/<name>-<version>`` (``G4F_BENCH_CACHE``
moves it). Every client, this repo's g4f and raw aiohttp included, runs in its own
worker process (``tests/bench/peer_worker.py`` under that client's python) that the
harness drives over a pipe; workers stay up for the whole benchmark and take turns
inside each round, so load on a shared machine hits them alike. Figures are ratios
to raw aiohttp on one reused session in the same round: sequential p50 latency,
tokens/s and CPU per token of one long stream, wall time of a burst of concurrent
streams. Network: only the fake on 127.0.0.1 (proxies in the environment point at a
closed local port, so a library that phones home fails instead of leaving the machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench._server import ROOT, TOKEN
from tests.bench._util import MODEL, Context, median, percentile
from tests.bench.report import Metric

__all__ = ["PEERS", "Peer", "build", "run", "peers_table", "cache_dir"]

WORKER = Path(__file__).with_name("peer_worker.py")


@dataclass(frozen=True)
class Peer:
    """A client library measured beside g4f: its pinned requirements and worker kind."""

    name: str
    version: str
    requirements: tuple[str, ...]
    kind: str  # the worker's client name (peer_worker.CLIENTS)

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"


#: Pinned versions (``pip index versions NAME`` lists what exists). litellm's proxy
#: extra stopped resolving from PyPI after 1.106 (it needs an unpublished
#: ``litellm-proxy`` package), so both litellm rows use 1.106.12.
PEERS = (
    Peer("gpt4free", "8.8.6", ("g4f==8.8.6",), "gpt4free"),
    Peer("openai", "3.57.0", ("openai==3.57.0",), "openai"),
    Peer("huggingface_hub", "2.4.0", ("huggingface_hub==2.4.0", "aiohttp"), "huggingface_hub"),
    Peer("litellm", "1.106.12", ("litellm[proxy]==1.106.12",), "litellm"),
)


def cache_dir() -> Path:
    """Where the peers' environments are kept."""
    default = Path.home() / ".cache" / "g4f-bench" / "peers"
    return Path(os.environ.get("G4F_BENCH_CACHE", default))


def build(peer: Peer, log: bool = True) -> Path:
    """The python of ``peer``'s environment, created and installed on first use."""
    home = cache_dir() / peer.slug
    python = home / "bin" / "python"
    marker = home / ".complete"
    if marker.exists() and python.exists():
        return python
    if log:
        print(f"peers: building {peer.slug} in {home}", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *peer.requirements],
        check=True,
        timeout=1800,
    )
    marker.write_text(json.dumps(peer.requirements) + "\n")
    return python


def peer_env(base_url: str, ours: bool) -> dict[str, str]:
    """A worker's environment: the fake's endpoint, no route off the machine."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "G4F_", "OPENAI_", "LITELLM_")) and k != "PYTHONPATH"
    }
    closed = "http://127.0.0.1:9"
    env.update(
        BENCH_BASE_URL=base_url + "/v1",
        BENCH_TOKEN=TOKEN,
        BENCH_MODEL=MODEL,
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        http_proxy=closed,
        https_proxy=closed,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        # The fake streams the same token again and again, which litellm takes for a
        # looping model after 100 repeats by default.
        REPEATED_STREAMING_CHUNK_LIMIT="100000000",
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_TOKEN=TOKEN,
    )
    if ours:
        env.update(PYTHONPATH=str(ROOT), HF_ROUTER_ENDPOINT=base_url)
    return env


class Worker:
    """One client's worker process and its line protocol."""

    def __init__(self, name: str, python: str, env: dict[str, str]) -> None:
        self.name = name
        # A file, not a pipe: a chatty library must not block on a full stderr pipe.
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [python, str(WORKER), name],
            env=env,
            cwd=str(WORKER.parent),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        ready = self._read()
        self.version = str(ready["version"])

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self._stderr.seek(0)
            raise RuntimeError(f"{self.name} worker exited:\n{self._stderr.read()[-3000:]}")
        return json.loads(line)  # type: ignore[no-any-return]

    def call(self, **command: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self._read()
        if "error" in answer:
            raise RuntimeError(f"{self.name}: {answer['error']}")
        return answer

    def close(self) -> None:
        try:
            self.call(op="quit")
        except (OSError, RuntimeError, ValueError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout, self._stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass


def _start_workers(ctx: Context) -> tuple[dict[str, Worker], list[str]]:
    workers: dict[str, Worker] = {}
    gaps: list[str] = []
    for name in ("raw", "g4f"):
        workers[name] = Worker(name, sys.executable, peer_env(ctx.url, ours=True))
    for peer in PEERS:
        try:
            python = build(peer)
            workers[peer.name] = Worker(peer.kind, str(python), peer_env(ctx.url, ours=False))
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            gaps.append(f"7 peers: {peer.slug} could not run: {str(exc)[-300:]}")
    return workers, gaps


def measure(ctx: Context) -> tuple[dict[str, Any], list[str]]:
    """Every worker's samples, round by round, and the peers that could not run."""
    seq_n = ctx.scale(200, 5)
    tokens = ctx.scale(20_000, 200)
    streams, burst_tokens = ctx.scale(100, 5), ctx.scale(500, 50)
    rounds = ctx.scale(3, 1)
    workers, gaps = _start_workers(ctx)
    names = list(workers)
    samples: dict[str, dict[str, list[Any]]] = {
        name: {"seq": [], "stream": [], "burst": []} for name in names
    }
    try:
        for round_index in range(rounds):
            shift = round_index % len(names)
            order = names[shift:] + names[:shift]
            for name in order:
                worker = workers[name]
                samples[name]["seq"].append(worker.call(op="seq", n=seq_n)["ms"])
                result = worker.call(op="stream", tokens=tokens)
                if result["count"] != tokens:
                    raise AssertionError(f"{name}: {result['count']} tokens, expected {tokens}")
                samples[name]["stream"].append(result)
                burst = worker.call(op="burst", streams=streams, tokens=burst_tokens)
                if burst["counts"] != [burst_tokens] * streams:
                    raise AssertionError(f"{name}: burst token counts {set(burst['counts'])}")
                samples[name]["burst"].append(burst)
    finally:
        for worker in workers.values():
            worker.close()
    versions = {name: worker.version for name, worker in workers.items()}
    params = {"seq": seq_n, "tokens": tokens, "streams": streams, "burst_tokens": burst_tokens}
    return {"samples": samples, "versions": versions, "params": params}, gaps


def _figures(result: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per client: seq p50 (ms), stream tok/s, CPU µs per token, burst seconds."""
    params = result["params"]
    figures = {}
    for name, data in result["samples"].items():
        figures[name] = {
            "seq_p50": median([percentile(s, 50) for s in data["seq"]]),
            "tok_s": median([params["tokens"] / s["seconds"] for s in data["stream"]]),
            "cpu_us": median([s["cpu"] / params["tokens"] * 1e6 for s in data["stream"]]),
            "burst_s": median([b["seconds"] for b in data["burst"]]),
        }
    return figures


def run(ctx: Context) -> list[Metric]:
    result, gaps = measure(ctx)
    figures = _figures(result)
    base = figures["raw"]
    params, versions = result["params"], result["versions"]
    metrics = []
    for name, fig in figures.items():
        if name == "raw":
            continue
        label = (
            f"{name} ({versions[name]})" if name != "g4f" else f"g4f (this repo, {versions[name]})"
        )
        rows = (
            ("sequential p50", fig["seq_p50"], base["seq_p50"], "ms", f"{params['seq']} requests"),
            (
                "stream tokens/s",
                fig["tok_s"],
                base["tok_s"],
                "tok/s",
                f"{params['tokens']:,} tokens",
            ),
            ("stream CPU per token", fig["cpu_us"], base["cpu_us"], "µs", "client process"),
            (
                "burst wall time",
                fig["burst_s"],
                base["burst_s"],
                "s",
                f"{params['streams']} × {params['burst_tokens']}-token streams",
            ),
        )
        for figure, value, baseline, unit, note in rows:
            metrics.append(
                Metric(
                    "7 peers",
                    f"{figure}, {label}",
                    value,
                    baseline,
                    unit,
                    "raw aiohttp, reused session",
                    note=note,
                )
            )
    RESULT.clear()
    RESULT.update(result, figures=figures, gaps=gaps)
    return metrics


#: The last run's samples (read by :func:`peers_table` and the JSON writer).
RESULT: dict[str, Any] = {}


def peers_table() -> str:
    """The peers' ratios to raw aiohttp in one table (higher is worse for every column)."""
    if not RESULT:
        return ""
    figures, versions = RESULT["figures"], RESULT["versions"]
    base = figures["raw"]
    params = RESULT["params"]
    lines = [
        f"| client | seq p50 | stream time per token | {params['streams']}×{params['burst_tokens']}"
        " burst | CPU/token |",
        "|---|---|---|---|---|",
    ]
    for name, fig in figures.items():
        if name == "raw":
            continue
        label = "g4f (this repo)" if name == "g4f" else f"{name} {versions[name].split()[-1]}"
        lines.append(
            f"| {label} | {fig['seq_p50'] / base['seq_p50']:.2f}× | "
            f"{base['tok_s'] / fig['tok_s']:.2f}× | {fig['burst_s'] / base['burst_s']:.2f}× | "
            f"{fig['cpu_us'] / base['cpu_us']:.2f}× |"
        )
    lines.append(
        f"| raw aiohttp (baseline) | {base['seq_p50']:.2f} ms | {base['tok_s']:,.0f} tok/s | "
        f"{base['burst_s']:.2f} s | {base['cpu_us']:.1f} µs |"
    )
    return "\n".join(lines)
