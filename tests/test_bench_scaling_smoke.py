"""The scaling benchmark (tests/bench/bench_scaling.py) still runs: a tiny smoke run.

No timing threshold (the figures depend on the machine): every setup reports, no
stream failed, and the Redis cost line is printed with numbers.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_scaling_benchmark_smoke_run(tmp_path: Path) -> None:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package 'redis-server')")
    pytest.importorskip("gunicorn", reason="gunicorn (the 'workers' extra) is not installed")
    out = tmp_path / "scaling.json"
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_scaling", "--smoke", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert set(data["rows"]) == {
        "1 worker, memory",
        "1 worker, redis",
        "2 workers, memory (2 processes)",
        "2 workers, redis",
    }
    for row in data["rows"].values():
        assert row["failed"] == 0
        assert row["req_per_s"] > 0 and math.isfinite(row["first_token_p99_ms"])
    assert data["store_cost_ms"]["redis"] > data["store_cost_ms"]["memory"] > 0
    assert "Redis cost per request" in result.stdout
