"""The Redis backend of the run-time store against a real redis-server.

Two :class:`SharedStore` objects stand for two workers: what one writes the other
reads, counters and compare-and-set are atomic between them, and a lost Redis
degrades both to local state until it is back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from g4f.state import MemoryStore
from g4f.state_redis import SharedStore, redis_display
from tests.redis_server import RedisServer


async def _until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def pair(redis_server: RedisServer) -> AsyncIterator[tuple[SharedStore, SharedStore]]:
    one, two = SharedStore(redis_server.url), SharedStore(redis_server.url)
    assert await one.connect() and await two.connect()
    await one.aclear()
    yield one, two
    await one.close()
    await two.close()


async def test_values_ttl_and_many(pair: tuple[SharedStore, SharedStore]) -> None:
    one, two = pair
    await one.aset("cooldown:A", {"until": 1.5, "why": [1, "x"]}, ttl=0.3)
    assert await two.aget("cooldown:A") == {"until": 1.5, "why": [1, "x"]}
    # The read is mirrored locally with the remaining TTL, so sync readers see it too.
    assert two.get("cooldown:A") == {"until": 1.5, "why": [1, "x"]}
    assert await two.aget_many(["cooldown:A", "cooldown:B"]) == [
        {"until": 1.5, "why": [1, "x"]},
        None,
    ]
    await _until(lambda: one.local.get("cooldown:A") is None)
    assert await two.aget("cooldown:A") is None  # expired in Redis as well
    await one.aset("models:P", [1, 2])
    await two.adelete("models:P")
    assert await one.aget("models:P") is None


async def test_counters_are_atomic_between_workers(pair: tuple[SharedStore, SharedStore]) -> None:
    one, two = pair
    results = await asyncio.gather(
        *[store.aincr("usage:requests:alice", 1, ttl=60) for store in (one, two) * 100]
    )
    assert sorted(results) == list(range(1, 201))
    assert await one.aget("usage:requests:alice") == 200


async def test_compare_and_set_has_one_winner(pair: tuple[SharedStore, SharedStore]) -> None:
    one, two = pair
    outcomes = await asyncio.gather(
        *[
            store.acompare_and_set("keys:rpm:bob", None, i)
            for i, store in enumerate((one, two) * 20)
        ]
    )
    assert outcomes.count(True) == 1
    winner = outcomes.index(True)
    assert await two.aget("keys:rpm:bob") == winner
    assert await one.acompare_and_set("keys:rpm:bob", winner, 99.5, ttl=10)
    assert not await two.acompare_and_set("keys:rpm:bob", winner, 1)
    assert await two.aget("keys:rpm:bob") == 99.5


async def test_rate_window_admits_exactly_the_burst_across_workers(
    pair: tuple[SharedStore, SharedStore],
) -> None:
    one, two = pair
    waits = await asyncio.gather(
        *[store.atake("keys:rpm:carol", 6.0, 60.0) for store in (one, two) * 25]
    )
    assert sum(1 for w in waits if w == 0) == 10  # 60 s / 6 s: ten at once, no more
    assert all(0 < w <= 6.0 for w in waits if w)
    # The same rule in memory, for a process without Redis.
    local = MemoryStore()
    assert [local.take("k", 30.0, 60.0) == 0 for _ in range(3)] == [True, True, False]


async def test_sync_writes_reach_redis_in_the_background(
    pair: tuple[SharedStore, SharedStore],
) -> None:
    one, two = pair
    one.set("cooldown:HuggingFaceAPI", 123.0, 30)
    assert one.get("cooldown:HuggingFaceAPI") == 123.0  # at once, locally
    await asyncio.gather(*one._pending)
    assert await two.aget("cooldown:HuggingFaceAPI") == 123.0
    # Namespaces that are not shared never leave the process.
    one.set("lookup:x", {"a": 1})
    assert await two.aget("lookup:x") is None


async def test_discovered_models_reach_the_other_workers_sync_readers(
    redis_server: RedisServer,
) -> None:
    one, two = SharedStore(redis_server.url), SharedStore(redis_server.url, pull_every=0.05)
    assert await one.connect()
    one.set("models:g4f.Provider.X", [1700000000.0, ["a", "b"]], 3600)
    assert await two.connect()
    try:
        # get_models() is sync: it reads the local copy the pull keeps current.
        await _until(lambda: two.get("models:g4f.Provider.X") == [1700000000.0, ["a", "b"]])
    finally:
        await one.close()
        await two.close()


async def test_unreachable_at_start_degrades_then_shares_when_it_appears(
    tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package 'redis-server')")
    server = RedisServer(tmp_path)  # port chosen, nothing listening yet
    store = SharedStore(server.url)
    caplog.set_level(logging.WARNING, logger="g4f")
    began = time.monotonic()
    assert not await store.connect()
    assert time.monotonic() - began < 2
    assert store.health() == {"status": "degraded", "store": "memory"}
    assert "unreachable" in caplog.text and "NOT shared" in caplog.text
    # Local state works meanwhile, including counters and compare-and-set.
    assert await store.aincr("usage:requests:a") == 1
    assert await store.acompare_and_set("keys:rpm:a", None, 1.0)
    try:
        server.start()
        await _until(lambda: store.connected)
        assert store.health() == {"status": "ok", "store": "redis"}
        assert "back; state is shared again" in caplog.text
        other = SharedStore(server.url)
        assert await other.connect()
        await store.aset("cooldown:X", 1.0, ttl=30)
        assert await other.aget("cooldown:X") == 1.0
        await other.close()
    finally:
        await store.close()
        server.stop()


async def test_lost_mid_run_serves_locally_and_reconnects(
    pair: tuple[SharedStore, SharedStore], redis_server: RedisServer
) -> None:
    one, two = pair
    redis_server.kill()
    began = time.monotonic()
    # The first failing command degrades the store; it answers from local state at once.
    await one.aset("cooldown:A", 1.0, ttl=60)
    assert await one.aget("cooldown:A") == 1.0
    assert time.monotonic() - began < 2
    assert one.health()["status"] == "degraded"
    assert await one.aincr("usage:requests:x") == 1
    redis_server.start()
    await _until(lambda: one.connected)
    await two.aget("cooldown:none")  # two notices the restart on its next command...
    await _until(lambda: two.connected)
    await one.aset("cooldown:B", 2.0, ttl=60)
    assert await two.aget("cooldown:B") == 2.0  # ...and the state is shared again


def test_urls_are_checked_and_passwords_never_shown() -> None:
    from g4f._secrets import redact
    from g4f.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="redis://"):
        SharedStore("http://example.com")
    store = SharedStore("redis://user:s3cretPassw0rd@127.0.0.1:6390/2")
    assert "s3cretPassw0rd" not in repr(store)
    assert redis_display(store.url) == "redis://127.0.0.1:6390/2"
    assert "s3cretPassw0rd" not in redact("auth failed for s3cretPassw0rd")


def test_memory_store_reports_healthy() -> None:
    assert MemoryStore().health() == {"status": "ok", "store": "memory"}
