"""The benchmark harness (tests/bench) still runs: a tiny smoke run, checked for sanity only.

No timing threshold here: the figures depend on the machine. What must hold is the
structure: every benchmark reports, each figure and its same-run baseline are
positive numbers, and the JSON result and the markdown table are written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from tests.bench.report import END, START
from tests.bench.run import BENCHMARKS, main


def test_smoke_run_writes_sane_results(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    assert main(["--smoke", "--out", str(tmp_path / "results"), "--doc", str(doc)]) == 0

    [result] = (tmp_path / "results").glob("bench-smoke-*.json")
    data = json.loads(result.read_text())
    metrics = data["metrics"]
    assert data["extra"]["smoke"] is True
    assert data["machine"]["cpus"] >= 1 and data["machine"]["python"]
    reported = {m["bench"].split()[0] for m in metrics}
    expected = {str(i + 1) for i in range(len(BENCHMARKS))}
    missing = expected - reported
    # A benchmark may only be absent when the run names why (benchmark 6 before the API landed).
    assert all(any(gap.startswith(n) for gap in data["extra"]["gaps"]) for n in missing), missing
    for metric in metrics:
        for key in ("value", "baseline", "ratio"):
            assert math.isfinite(metric[key]) and metric[key] > 0, (metric["name"], key, metric)
        assert math.isclose(metric["added"], metric["value"] - metric["baseline"])
        assert metric["met"] in (True, False, None)
        assert (metric["met"] is None) == (metric["target"] is None)

    text = doc.read_text()
    assert START in text and END in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == len(metrics) + 1


def test_peer_workers_speak_the_protocol() -> None:
    """The --peers worker protocol, with the two clients that need no venv (raw, g4f)."""
    import sys

    from tests.bench._server import RouterProcess
    from tests.bench.peers import Worker, peer_env

    with RouterProcess() as router:
        for name in ("raw", "g4f"):
            worker = Worker(name, sys.executable, peer_env(router.url, ours=True))
            try:
                assert worker.version
                assert len(worker.call(op="seq", n=3)["ms"]) == 3
                assert worker.call(op="stream", tokens=40)["count"] == 40
                assert worker.call(op="burst", streams=3, tokens=20)["counts"] == [20, 20, 20]
            finally:
                worker.close()
            assert worker.process.returncode == 0
