"""Two ``g4f api`` processes sharing one real Redis, against the fake router.

Each test starts its own redis-server (tests/redis_server.py) and two gateways on
different ports (tests/gateway.py) whose providers talk to tests/fakes/router.py;
what reached the fake is counted, so "the second gateway never called the cooling
provider" is read from the fake's request log, not assumed.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.router import TOKEN, FakeRouter
from tests.fakes.router_chat import ChatScript
from tests.gateway import Gateway
from tests.redis_server import RedisServer

MODEL = "llama-3.3-70b"
HELLO = [{"role": "user", "content": "What is the capital of France?"}]
CHAT = "/v1/chat/completions"
TGI = "/hf-inference/models/meta-llama/Llama-3.3-70B-Instruct"
ALICE = "sk-alice-0123456789"
ADMIN = "admin-key-0123456789"


def count(router: FakeRouter, path: str) -> int:
    return sum(1 for r in router.requests if r["path"] == path)


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        monkeypatch.setenv("G4F_TIMEOUT", "20")
        yield fake


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{"name": "alice", "key": ALICE, "rpm": 4}]}))
    path.chmod(0o600)
    return path


@pytest.fixture
def pair(
    router: FakeRouter, redis_server: RedisServer, keys_file: Path
) -> Iterator[tuple[Gateway, Gateway]]:
    args = ("--redis", redis_server.url, "--keys", str(keys_file), "--admin-key", ADMIN)
    with Gateway(*args) as one, Gateway(*args) as two:
        yield one, two


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


def auth(key: str = ALICE) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def chat(
    http: aiohttp.ClientSession, gateway: Gateway, key: str = ALICE, **extra: Any
) -> tuple[int, dict[str, Any], Any]:
    body = {"model": MODEL, "messages": HELLO, **extra}
    async with http.post(f"{gateway.url}{CHAT}", json=body, headers=auth(key)) as response:
        return response.status, dict(response.headers), await response.json()


async def health(http: aiohttp.ClientSession, gateway: Gateway) -> dict[str, Any]:
    async with http.get(f"{gateway.url}/health") as response:
        assert response.status == 200
        data: dict[str, Any] = await response.json()
        return data


async def until(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_a_cooldown_seen_by_one_gateway_is_kept_by_the_other(
    pair: tuple[Gateway, Gateway], router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    one, two = pair
    # HuggingFaceAPI (the router's chat route) is rate limited for 30 s.
    router.faults.add(
        status=429, message="Too many requests", headers={"Retry-After": "30"}, path=CHAT
    )
    began = time.monotonic()
    status, _, body = await chat(http, one)
    assert status == 200, body
    assert body["choices"][0]["message"]["content"] == router.tgi.text.lstrip()
    assert count(router, CHAT) == 1 and count(router, TGI) == 1
    status, _, body = await chat(http, two)
    took = time.monotonic() - began
    assert status == 200, body
    # The second gateway ordered the cooling provider last: it never called it.
    assert count(router, CHAT) == 1 and count(router, TGI) == 2
    assert took < 10
    assert (await health(http, one))["store"] == "redis"


async def test_a_keys_rpm_holds_across_both_gateways(
    pair: tuple[Gateway, Gateway],
    router: FakeRouter,
    redis_server: RedisServer,
    http: aiohttp.ClientSession,
) -> None:
    one, two = pair
    for gateway in (one, two, one, two):
        status, _, body = await chat(http, gateway)
        assert status == 200, body
    for gateway in (one, two):
        status, headers, body = await chat(http, gateway)
        assert status == 429, body
        assert body["error"]["code"] == "rate_limit_exceeded"
        assert 1 <= int(headers["Retry-After"]) <= 15
    assert count(router, CHAT) == 4  # refused requests never reached a provider
    status, _, body = await chat(http, one, key="sk-unknown-0123456789")
    assert status == 401 and body["error"]["code"] == "invalid_api_key"
    async with http.get(f"{two.url}/v1/usage", headers=auth(ADMIN)) as response:
        usage = await response.json()
    alice = next(row for row in usage["data"] if row["name"] == "alice")
    assert alice["requests"] == 4
    assert alice["tokens"] == 4 * router.chat.usage["total_tokens"]
    async with http.get(f"{one.url}/v1/usage", headers=auth(ALICE)) as response:
        assert response.status == 401
    # Only key names are shared: neither the key nor its digest is anywhere in Redis.
    import redis

    from g4f.api._keys import digest

    with redis.Redis.from_url(redis_server.url) as client:
        names = client.keys("*")
        assert any(b"alice" in name for name in names)
        dump = b"".join(name + (client.dump(name) or b"") for name in names)
    assert ALICE.encode() not in dump and digest(ALICE).encode() not in dump
    for gateway in (one, two):
        assert ALICE not in gateway.text


async def test_previous_response_id_continues_on_the_other_gateway(
    pair: tuple[Gateway, Gateway], router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    one, two = pair
    body = {"model": MODEL, "input": "What is the capital of France?"}
    async with http.post(f"{one.url}/v1/responses", json=body, headers=auth()) as response:
        first = await response.json()
        assert response.status == 200, first
    follow = {"model": MODEL, "input": "And of Italy?", "previous_response_id": first["id"]}
    async with http.post(f"{two.url}/v1/responses", json=follow, headers=auth()) as response:
        second = await response.json()
        assert response.status == 200, second
    sent = router.chat_bodies[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "What is the capital of France?"
    assert sent[1]["content"] == router.chat.content
    assert sent[2]["content"] == "And of Italy?"
    async with http.get(f"{two.url}/v1/responses/{first['id']}", headers=auth()) as response:
        assert response.status == 200
        assert (await response.json())["id"] == first["id"]


async def test_redis_lost_mid_run_degrades_then_shares_again(
    pair: tuple[Gateway, Gateway],
    router: FakeRouter,
    redis_server: RedisServer,
    http: aiohttp.ClientSession,
) -> None:
    one, two = pair
    assert (await health(http, one))["status"] == "ok"
    redis_server.kill()
    began = time.monotonic()
    for gateway in (one, two):
        status, _, body = await chat(http, gateway)
        assert status == 200, body
    assert time.monotonic() - began < 5
    for gateway in (one, two):
        assert await health(http, gateway) == {
            **await health(http, gateway),
            "status": "degraded",
            "store": "memory",
        }
    assert "unreachable" in one.text and "NOT shared" in one.text
    redis_server.start()  # same port, empty

    async def both_ok() -> bool:
        return all([(await health(http, g))["status"] == "ok" for g in (one, two)])

    await until(both_ok)
    assert "state is shared again" in one.text
    # Shared again: a cooldown one gateway sees is kept by the other.
    router.requests.clear()
    router.faults.add(
        status=429, message="Too many requests", headers={"Retry-After": "30"}, path=CHAT
    )
    assert (await chat(http, one))[0] == 200
    assert (await chat(http, two))[0] == 200
    assert count(router, CHAT) == 1 and count(router, TGI) == 2


async def test_sigkill_of_one_gateway_mid_stream_leaves_the_other_serving(
    pair: tuple[Gateway, Gateway], router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    one, two = pair
    # Every chunk carries content; the first request's stream then stalls.
    router.chat = ChatScript(content="Paris is the capital of France.", variant="tgi")
    body = {"model": MODEL, "input": "Remember this", "store": True}
    async with http.post(f"{one.url}/v1/responses", json=body, headers=auth()) as response:
        stored = await response.json()
    router.faults.add(stall=30, path=CHAT)
    stream = {"model": MODEL, "messages": HELLO, "stream": True}
    async with http.post(f"{one.url}{CHAT}", json=stream, headers=auth()) as response:
        assert response.status == 200
        first = await response.content.readline()
        assert first.startswith(b"data: ")
        began = time.monotonic()
        assert one.proc is not None
        os.kill(one.proc.pid, signal.SIGKILL)
        with pytest.raises(aiohttp.ClientError):
            while await response.content.readline():
                pass
        assert time.monotonic() - began < 5
    async with http.post(f"{two.url}{CHAT}", json=stream, headers=auth()) as response:
        text = await response.text()
    assert response.status == 200 and text.rstrip().endswith("data: [DONE]")
    assert (await health(http, two))["status"] == "ok"
    # What the killed gateway stored is intact for the other.
    async with http.get(f"{two.url}/v1/responses/{stored['id']}", headers=auth()) as response:
        assert response.status == 200
        assert (await response.json())["output"] == stored["output"]


async def test_redis_unreachable_at_start_serves_degraded_until_it_appears(
    router: FakeRouter, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package 'redis-server')")
    redis_server = RedisServer(tmp_path)  # a free port with nothing listening yet
    with Gateway("--redis", redis_server.url) as gateway:
        await until(lambda: _contains(gateway, "started WITHOUT shared state"))
        assert "unreachable" in gateway.text
        assert redis_server.url.split("@")[-1].split("/")[2] in gateway.text  # says where
        data = await health(http, gateway)
        assert (data["status"], data["store"]) == ("degraded", "memory")
        body = {"model": MODEL, "messages": HELLO}
        async with http.post(f"{gateway.url}{CHAT}", json=body) as response:
            assert response.status == 200
        redis_server.start()
        try:

            async def shared() -> bool:
                return (await health(http, gateway))["store"] == "redis"

            await until(shared)
        finally:
            redis_server.stop()


async def _contains(gateway: Gateway, text: str) -> bool:
    return text in gateway.text
