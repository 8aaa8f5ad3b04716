"""Run the benchmarks: ``python -m tests.bench`` or ``python tests/bench/run.py``.

Starts the fake router in its own process, runs every benchmark (each measurement
in a fresh worker process), prints one table, writes
``tests/bench/results/bench-<time>.json`` and the table into ``docs/performance.md``.
``--smoke`` runs everything at a tiny scale (seconds) and writes no docs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import (  # noqa: E402 - the path above makes the script form work
    bench_api,
    bench_concurrency,
    bench_failover,
    bench_import,
    bench_overhead,
    bench_stream,
)
from tests.bench._server import ROOT, RouterProcess  # noqa: E402
from tests.bench._util import Context, machine, worker_env  # noqa: E402
from tests.bench.report import (  # noqa: E402
    Metric,
    generated_section,
    render_table,
    update_doc,
    write_json,
)

__all__ = ["main", "run_all", "BENCHMARKS"]

BENCHMARKS = {
    "import": bench_import,
    "overhead": bench_overhead,
    "stream": bench_stream,
    "concurrency": bench_concurrency,
    "failover": bench_failover,
    "api": bench_api,
}
RESULTS = ROOT / "tests" / "bench" / "results"
DOC = ROOT / "docs" / "performance.md"
#: 1-minute load average at the start and the end of the last run (other work on the machine).
LOAD: list[float] = []


def run_all(
    smoke: bool, only: Sequence[str] = (), log: bool = True
) -> tuple[list[Metric], list[str], float]:
    """Every selected benchmark's figures, the benchmarks that could not run, seconds taken."""
    metrics: list[Metric] = []
    gaps: list[str] = []
    started = time.perf_counter()
    LOAD.append(os.getloadavg()[0])
    with RouterProcess() as router, tempfile.TemporaryDirectory(prefix="g4f-bench-") as home:
        ctx = Context(router.url, smoke, worker_env(router.url, Path(home)))
        for name, module in BENCHMARKS.items():
            if only and name not in only:
                continue
            missing = module.available() if hasattr(module, "available") else None
            if missing:
                gaps.append(missing)
                continue
            begun = time.perf_counter()
            metrics += module.run(ctx)
            if log:
                print(f"{name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr)
    LOAD.append(os.getloadavg()[0])
    return metrics, gaps, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, seconds; no docs")
    parser.add_argument("--only", nargs="*", default=(), choices=list(BENCHMARKS))
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory of the JSON result")
    parser.add_argument("--doc", type=Path, default=None, help=f"markdown file (default {DOC})")
    args = parser.parse_args(argv)
    metrics, gaps, seconds = run_all(args.smoke, args.only)
    info = {**machine(), "load_average": LOAD[-2:]}
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kind = "smoke" if args.smoke else "full"
    out = args.out / f"bench-{kind}-{stamp}.json"
    write_json(out, metrics, info, {"gaps": gaps, "seconds": seconds, "smoke": args.smoke})
    print(render_table(metrics))
    for gap in gaps:
        print(f"Not measured: {gap}")
    print(f"JSON: {out}")
    doc = args.doc or (None if args.smoke or args.only else DOC)
    if doc is not None:
        update_doc(doc, generated_section(metrics, info, gaps, seconds))
        print(f"Table: {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
