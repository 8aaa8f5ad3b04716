"""Benchmark: ``g4f api`` with 1 vs 2 workers, state in memory vs Redis, and Redis's cost.

``python -m tests.bench.bench_scaling`` (``--smoke`` for a seconds-long run) starts the
benchmark router (tests/bench/_server.py) in its own process, a redis-server on a free
port, and for each setup a real ``g4f api`` (tests/gateway.py) with a keys file (so
every request also passes the key limiter), then:

* ``streams`` concurrent chat streams of ``tokens`` tokens, ``rounds`` times: requests
  per second, and the first-token latency (request sent → first content event) p50/p99;
* the Redis cost per request: ``sequential`` one-at-a-time non-streamed requests on a
  1-worker gateway, memory vs Redis, p50 latency difference; and the store operations
  one chat request makes (cooldown read, key limiter, usage count) timed alone.

Two workers need Redis (``g4f api`` refuses ``--workers 2`` without it), so the 2-worker
memory row is two single processes on two ports with the client alternating between
them: what two workers would do without sharing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench._server import TOKEN, RouterProcess
from tests.bench._util import MODEL, percentile, worker_env
from tests.gateway import Gateway
from tests.redis_server import RedisServer

__all__ = ["main", "measure_streams", "store_cost"]

KEY = "sk-bench-0123456789"


async def _first_token(session: Any, url: str, tokens: int) -> tuple[float, bool]:
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say something."}],
        "stream": True,
        "max_tokens": tokens,
    }
    began = time.perf_counter()
    first = None
    async with session.post(
        f"{url}/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {KEY}"}
    ) as response:
        if response.status != 200:
            return 0.0, False
        async for line in response.content:
            if first is None and line.startswith(b"data: {") and b'"content"' in line:
                first = time.perf_counter() - began
        return (first or 0.0), first is not None


async def measure_streams(
    urls: list[str], streams: int, tokens: int, rounds: int
) -> dict[str, Any]:
    """Rounds of ``streams`` concurrent streams spread over ``urls``."""
    import aiohttp

    firsts: list[float] = []
    rates: list[float] = []
    failed = 0
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await _first_token(session, urls[0], tokens)  # warm up (model discovery, pools)
        for _ in range(rounds):
            began = time.perf_counter()
            results = await asyncio.gather(
                *[_first_token(session, urls[i % len(urls)], tokens) for i in range(streams)]
            )
            rates.append(streams / (time.perf_counter() - began))
            firsts += [t for t, ok in results if ok]
            failed += sum(1 for _, ok in results if not ok)
    return {
        "req_per_s": statistics.median(rates),
        "first_token_p50_ms": percentile(firsts, 50) * 1000,
        "first_token_p99_ms": percentile(firsts, 99) * 1000,
        "failed": failed,
    }


async def sequential_p50(url: str, count: int) -> float:
    """p50 latency (ms) of one-at-a-time non-streamed chat requests."""
    import aiohttp

    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}
    times = []
    async with aiohttp.ClientSession() as session:
        for i in range(count + 5):
            began = time.perf_counter()
            async with session.post(
                f"{url}/v1/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {KEY}"},
            ) as response:
                await response.read()
                assert response.status == 200, response.status
            if i >= 5:
                times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


async def store_cost(redis_url: str, count: int) -> dict[str, float]:
    """p50 (ms) of the store operations one chat request makes, memory vs Redis."""
    from g4f.api._keys import ApiKey
    from g4f.api._limits import Limiter
    from g4f.state import MemoryStore, set_store
    from g4f.state_redis import SharedStore

    key = ApiKey("bench", "0" * 64, rpm=10**9)
    result = {}
    for name, store in (("memory", MemoryStore()), ("redis", SharedStore(redis_url))):
        if isinstance(store, SharedStore):
            assert await store.connect()
        previous = set_store(store)
        limiter = Limiter()
        times = []
        try:
            for _ in range(count):
                began = time.perf_counter()
                await store.aget_many(["cooldown:HuggingFaceAPI", "cooldown:HuggingChat"])
                await limiter.admit(key)
                times.append(time.perf_counter() - began)
            await limiter.flush()
        finally:
            set_store(previous)
            if isinstance(store, SharedStore):
                await store.close()
        result[name] = statistics.median(times) * 1000
    result["added"] = result["redis"] - result["memory"]
    return result


def _keys_file(home: Path) -> Path:
    path = home / "keys.json"
    path.write_text(json.dumps({"keys": [{"name": "bench", "key": KEY, "rpm": 10**9}]}))
    path.chmod(0o600)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, seconds")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.smoke:
        args.streams, args.tokens, args.rounds, args.sequential = 10, 5, 1, 10
    if shutil.which("redis-server") is None:
        print("redis-server is not installed (Debian package 'redis-server')", file=sys.stderr)
        return 1
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp, RouterProcess() as router:
        home = Path(tmp)
        env = worker_env(router.url, home)
        env["HF_TOKEN"] = TOKEN
        keys = str(_keys_file(home))
        (home / "redis").mkdir()
        with RedisServer(home / "redis") as redis:
            common = ("--keys", keys, "--max-connections", "4096")
            setups: dict[str, list[tuple[str, ...]]] = {
                "1 worker, memory": [common],
                "1 worker, redis": [(*common, "--redis", redis.url)],
                "2 workers, memory (2 processes)": [common, common],
                "2 workers, redis": [(*common, "--redis", redis.url, "--workers", "2")],
            }
            for name, arg_sets in setups.items():
                gateways = [Gateway(*a, env=env).start() for a in arg_sets]
                try:
                    urls = [g.url for g in gateways]
                    rows[name] = asyncio.run(
                        measure_streams(urls, args.streams, args.tokens, args.rounds)
                    )
                    if name.startswith("1 worker"):
                        rows[name]["sequential_p50_ms"] = asyncio.run(
                            sequential_p50(urls[0], args.sequential)
                        )
                finally:
                    for gateway in gateways:
                        gateway.stop()
            cost = asyncio.run(store_cost(redis.url, max(args.sequential, 100)))
    print(f"{args.streams} concurrent streams of {args.tokens} tokens, {args.rounds} rounds")
    print(f"{'setup':34} {'req/s':>8} {'1st p50 ms':>11} {'1st p99 ms':>11} {'failed':>7}")
    for name, row in rows.items():
        print(
            f"{name:34} {row['req_per_s']:8.1f} {row['first_token_p50_ms']:11.1f} "
            f"{row['first_token_p99_ms']:11.1f} {row['failed']:7d}"
        )
    seq_mem = rows["1 worker, memory"]["sequential_p50_ms"]
    seq_redis = rows["1 worker, redis"]["sequential_p50_ms"]
    print(
        f"Redis cost per request: end to end p50 {seq_redis:.2f} ms vs {seq_mem:.2f} ms "
        f"(+{seq_redis - seq_mem:.2f} ms); store operations alone p50 "
        f"{cost['redis']:.3f} ms vs {cost['memory']:.3f} ms (+{cost['added']:.3f} ms; "
        "target <= 0.5 ms)"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "store_cost_ms": cost, **vars(args)}, default=str)
        )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
