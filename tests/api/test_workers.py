"""``g4f api --workers 2`` (gunicorn's aiohttp worker) with a real Redis and the fake router.

Which worker serves a connection is read from the kernel (/proc/net/tcp and each
worker's open sockets), so "kill the worker serving this stream" is exact.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.router import TOKEN, FakeRouter
from tests.fakes.router_chat import ChatScript
from tests.gateway import Gateway
from tests.redis_server import RedisServer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc (Linux only)")

MODEL = "llama-3.3-70b"
STREAM = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True}
CHAT = "/v1/chat/completions"


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        # Every chunk carries content, so a stalled stream has already started.
        fake.chat = ChatScript(content="Paris is the capital of France.", variant="tgi")
        yield fake


@pytest.fixture
def gateway(router: FakeRouter, redis_server: RedisServer) -> Iterator[Gateway]:
    pytest.importorskip("gunicorn", reason="gunicorn (the 'workers' extra) is not installed")
    with Gateway("--workers", "2", "--redis", redis_server.url, "--shutdown-timeout", "5") as gw:
        yield gw


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    # One connection per request: each stream is its own TCP connection.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


def _inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    want = (f"{server_port:04X}", f"{client_port:04X}")
    with open("/proc/net/tcp") as handle:
        for line in handle.readlines()[1:]:
            fields = line.split()
            local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
            if (local, remote) == want:
                return fields[9]
    return None


def serving_worker(workers: list[int], server_port: int, response: Any) -> int | None:
    """The worker PID holding the server end of ``response``'s connection."""
    sockname = response.connection.transport.get_extra_info("sockname")
    inode = _inode(server_port, sockname[1])
    for pid in workers:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


async def until(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_sigkill_of_the_worker_serving_a_stream_leaves_the_other_serving(
    gateway: Gateway, router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    await until(lambda: len(gateway.children()) == 2)
    workers = gateway.children()
    router.faults.add(stall=4, path=CHAT, times=20)
    held: dict[int, Any] = {}
    opened = []
    for _ in range(16):  # open streams until each worker holds one
        response = await http.post(f"{gateway.url}{CHAT}", json=STREAM)
        opened.append(response)
        assert response.status == 200
        assert (await response.content.readline()).startswith(b"data: ")
        pid = serving_worker(workers, gateway.port, response)
        assert pid is not None
        held.setdefault(pid, response)
        if len(held) == 2:
            break
    assert len(held) == 2, "the kernel gave every connection to one worker"
    victim, survivor = list(held)
    os.kill(victim, signal.SIGKILL)
    began = time.monotonic()
    with pytest.raises(aiohttp.ClientError):
        while await held[victim].content.readline():
            pass
    assert time.monotonic() - began < 5
    rest = (await held[survivor].read()).decode()
    assert rest.rstrip().endswith("data: [DONE]")  # the other worker finished its stream
    for response in opened:
        response.close()
    # The master replaces the killed worker; new requests are served meanwhile.
    router.faults.clear()
    async with http.post(f"{gateway.url}{CHAT}", json=STREAM) as response:
        assert response.status == 200
        assert (await response.text()).rstrip().endswith("data: [DONE]")
    await until(lambda: len(gateway.children()) == 2 and victim not in gateway.children())


async def test_sigterm_drains_running_streams(
    gateway: Gateway, router: FakeRouter, http: aiohttp.ClientSession
) -> None:
    router.faults.add(stall=1.5, path=CHAT)
    async with http.post(f"{gateway.url}{CHAT}", json=STREAM) as response:
        assert response.status == 200
        assert (await response.content.readline()).startswith(b"data: ")
        assert gateway.proc is not None
        gateway.proc.send_signal(signal.SIGTERM)
        rest = (await response.read()).decode()
    assert rest.rstrip().endswith("data: [DONE]")
    assert gateway.proc.wait(timeout=20) == 0
    assert "Traceback" not in gateway.text
