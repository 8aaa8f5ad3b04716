"""Benchmark 1: import time and peak RSS, each statement in a fresh process, vs ``python -c pass``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from tests.bench._server import ROOT
from tests.bench._util import Context, median
from tests.bench.report import Metric, Target

__all__ = ["run", "STATEMENTS"]

BARE = "pass"
STATEMENTS = ("from g4f.client import Client", "import g4f")


#: Appended to every statement: the process's own peak RSS. ``ru_maxrss`` of a child
#: would not do, Linux carries the parent's high-water mark over fork and exec.
_REPORT_PEAK = "\nprint(open('/proc/self/status').read())"


def spawn(statement: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, ``VmHWM``) of ``python -c statement`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", statement + _REPORT_PEAK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"python -c {statement!r} failed: {result.stderr[-500:]}")
    peak = re.search(r"^VmHWM:\s+(\d+) kB", result.stdout, re.M)
    if peak is None:
        raise RuntimeError("no VmHWM in /proc/self/status")
    return elapsed, int(peak.group(1)) / 1024


def run(ctx: Context) -> list[Metric]:
    repeats = ctx.scale(21, 3)
    statements = (BARE, *STATEMENTS)
    for statement in statements:
        spawn(statement)  # warm the page cache and .pyc files
    times: dict[str, list[float]] = {s: [] for s in statements}
    rss: dict[str, list[float]] = {s: [] for s in statements}
    for _ in range(repeats):
        for statement in statements:
            elapsed, peak = spawn(statement)
            times[statement].append(elapsed * 1000)
            rss[statement].append(peak)
    figures = (("wall time", times, "ms", 60), ("peak RSS", rss, "MiB", 15))
    return [
        Metric(
            "1 import",
            f"`{statement}` {label}",
            median(samples[statement]),
            median(samples[BARE]),
            unit,
            "python -c pass",
            Target("added", "<=", bound, unit) if statement == STATEMENTS[0] else None,
            detail={"samples": samples[statement], "baseline": samples[BARE]},
        )
        for statement in STATEMENTS
        for label, samples, unit, bound in figures
    ]
