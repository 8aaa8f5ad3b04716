"""Run the benchmarks: ``python -m tests.bench`` or ``python tests/bench/run.py``.

Starts the fake router in its own process, runs every benchmark (each measurement
in a fresh worker process), prints one table and writes
``tests/bench/results/bench-<time>.json``. ``--peers`` adds benchmark 7 (other client
libraries in their own cached environments, see ``tests/bench/peers.py``) and the
LiteLLM proxy beside ``g4f api``. ``--write-docs`` puts the tables into
``docs/performance.md``: ``python -m tests.bench --peers --write-docs`` regenerates it.
``--smoke`` runs everything at a tiny scale (seconds).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench import (  # noqa: E402 - the path above makes the script form work
    bench_api,
    bench_concurrency,
    bench_failover,
    bench_import,
    bench_overhead,
    bench_stream,
    peers,
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
    smoke: bool, only: Sequence[str] = (), log: bool = True, with_peers: bool = False
) -> tuple[list[Metric], list[str], float]:
    """Every selected benchmark's figures, the benchmarks that could not run, seconds taken."""
    metrics: list[Metric] = []
    gaps: list[str] = []
    started = time.perf_counter()
    LOAD.append(os.getloadavg()[0])
    selected: dict[str, Any] = dict(BENCHMARKS)
    if with_peers:
        selected["peers"] = peers
    with RouterProcess() as router, tempfile.TemporaryDirectory(prefix="g4f-bench-") as home:
        ctx = Context(router.url, smoke, worker_env(router.url, Path(home), router.pid), with_peers)
        for name, module in selected.items():
            if only and name not in only and name != "peers":
                continue
            missing = module.available() if hasattr(module, "available") else None
            if missing:
                gaps.append(missing)
                continue
            begun = time.perf_counter()
            metrics += module.run(ctx)
            gaps += getattr(module, "RESULT", {}).get("gaps", [])
            if log:
                print(f"{name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr)
    LOAD.append(os.getloadavg()[0])
    return metrics, gaps, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, seconds; no docs")
    parser.add_argument("--only", nargs="*", default=(), choices=list(BENCHMARKS))
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory of the JSON result")
    parser.add_argument("--doc", type=Path, default=None, help="write the tables into this file")
    parser.add_argument(
        "--write-docs", action="store_true", help=f"write the tables into {DOC.relative_to(ROOT)}"
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also measure gpt4free, openai, huggingface_hub, litellm (and its proxy)",
    )
    args = parser.parse_args(argv)
    metrics, gaps, seconds = run_all(args.smoke, args.only, with_peers=args.peers)
    info = {**machine(), "load_average": LOAD[-2:]}
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kind = "smoke" if args.smoke else "full"
    out = args.out / f"bench-{kind}-{stamp}.json"
    extra = {"gaps": gaps, "seconds": seconds, "smoke": args.smoke}
    if args.peers:
        extra["peers"] = peers.RESULT
    write_json(out, metrics, info, extra)
    print(render_table(metrics))
    if args.peers:
        print(peers.peers_table())
    for gap in gaps:
        print(f"Not measured: {gap}")
    print(f"JSON: {out}")
    doc = args.doc or (DOC if args.write_docs else None)
    if doc is not None:
        extra = peers.peers_table() if args.peers else ""
        update_doc(doc, generated_section(metrics, info, gaps, seconds, extra))
        print(f"Table: {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
