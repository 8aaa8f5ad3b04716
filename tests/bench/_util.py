"""Shared pieces of the benchmarks: statistics, memory readings, worker processes, the machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench._server import ROOT, TOKEN

__all__ = [
    "Context",
    "percentile",
    "median",
    "current_rss_mib",
    "peak_rss_mib",
    "run_worker",
    "machine",
    "raw_chat_body",
]

MODEL = "openai/gpt-oss-120b"
MESSAGES = [{"role": "user", "content": "Say something."}]


@dataclass
class Context:
    """What every benchmark gets: the router URL, the scale and where results go."""

    url: str
    smoke: bool
    env: dict[str, str] = field(default_factory=dict)
    #: Whether ``--peers`` asked for the other libraries too (the API benchmark adds
    #: the LiteLLM proxy then).
    peers: bool = False

    def scale(self, full: int, smoke: int) -> int:
        return smoke if self.smoke else full


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def current_rss_mib() -> float:
    """Resident set size of this process now."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib() -> float:
    """Highest resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_chat_body(stream: bool, max_tokens: int | None = None) -> dict[str, Any]:
    """The body the client sends for the benchmark's request (so raw aiohttp sends the same)."""
    body: dict[str, Any] = {"model": MODEL, "messages": MESSAGES, "stream": stream}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def worker_env(url: str, home: Path, router_pid: int = 0) -> dict[str, str]:
    """Environment of a measuring process: the fake router, its token, private dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "G4F_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        HF_ROUTER_ENDPOINT=url,
        HF_ENDPOINT=url,
        HF_TOKEN=TOKEN,
        HF_HOME=str(home / "hf"),
        G4F_COOKIES_DIR=str(home / "cookies"),
        G4F_BENCH_ROUTER_PID=str(router_pid),
    )
    return env


def run_worker(ctx: Context, module: str, params: dict[str, Any], timeout: float = 600) -> Any:
    """Run ``tests.bench.<module>.work(params)`` in a fresh process; its JSON result."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench._worker", module, json.dumps(params)],
        cwd=ROOT,
        env=ctx.env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"worker {module} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    """A description of the machine and software the numbers come from."""
    import aiohttp

    from g4f.version import __version__

    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": round(_memory_gib(), 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "aiohttp": aiohttp.__version__,
        "g4f": __version__,
        "commit": _git_commit(),
    }
