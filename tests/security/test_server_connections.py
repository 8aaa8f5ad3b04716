"""Slow, idle and surplus connections against the real ``g4f api`` server (#12 item 3).

Loopback only, bounded: short configured timeouts, every wait is a poll with a deadline.
The attackers' pacing (a header line or a body byte every few tenths of a second) is
part of the attack, not a wait for a condition.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import aiohttp
import pytest

from g4f.api._server import FD_RESERVE, connection_budget
from tests.fakes.router import FakeRouter
from tests.security._served import Raw, exchange, open_files_for, parse, served

COUNT = 300  # of each kind: idle, slow head, slow body
HEAD_S = 3.0  # header_timeout used by the tests (the default is 10 s)
BODY_S = 3.0  # body_timeout
EARLY = 0.15  # a close this much before the configured time is a failure
SLACK = 4.0  # how much later than configured a close may come on a loaded machine
CHAT_HEAD = (
    b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
)


async def until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds, failing after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {what}"
        await asyncio.sleep(0.02)


def _error_code(raw: Raw) -> str:
    return parse(raw.received)[2]["error"]["code"]


async def test_health_stays_fast_while_900_slow_connections_are_open(
    upstream: FakeRouter,
) -> None:
    """300 idle + 300 slow-head + 300 slow-body sockets: /health answers at once; the idle
    ones close silently after ``header_timeout``, the trickling heads get a 408 at the same
    deadline (trickling does not extend it), the stalled bodies a 408 after ``body_timeout``.
    """
    needed = 2 * 3 * COUNT + 400  # both ends of every socket live in this process
    with open_files_for(needed + 600) as limit:
        if limit < needed:
            pytest.skip(f"RLIMIT_NOFILE allows {limit} descriptors; this test needs {needed}")
        before = len(upstream.requests)
        async with served(
            provider="HuggingFaceAPI", header_timeout=HEAD_S, body_timeout=BODY_S
        ) as port:
            idle = [await Raw.open(port) for _ in range(COUNT)]
            heads = [await Raw.open(port) for _ in range(COUNT)]
            bodies = [await Raw.open(port) for _ in range(COUNT)]
            for raw in heads:
                assert raw.send(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for raw in bodies:
                assert raw.send(CHAT_HEAD + b'{"messages": [')
                raw.opened = time.monotonic()  # the body clock starts with the head
            everyone = idle + heads + bodies

            latencies = []
            async with aiohttp.ClientSession() as session:
                for _ in range(20):
                    started = time.monotonic()
                    async with session.get(f"http://127.0.0.1:{port}/health") as response:
                        assert response.status == 200
                        assert (await response.json())["status"] == "ok"
                    latencies.append(time.monotonic() - started)
            for raw in everyone:
                raw.poll()
            still_open = sum(raw.closed_at is None for raw in everyone)
            print(
                f"\n/health under {len(everyone)} slow sockets: median "
                f"{sorted(latencies)[10] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
                f"{still_open} slow sockets still open when the checks ended"
            )
            assert max(latencies) < 1.0, latencies
            assert still_open == len(everyone), "a slow socket was closed before its deadline"

            deadline = time.monotonic() + HEAD_S + BODY_S + SLACK
            next_line = 0.0
            while not all(raw.poll() for raw in everyone):
                assert time.monotonic() < deadline, "slow connections were not all closed"
                if time.monotonic() >= next_line:  # the slow-head attack: one line at a time
                    next_line = time.monotonic() + 0.3
                    for raw in heads:
                        if raw.closed_at is None:
                            raw.send(b"X-Slow: 1\r\n")
                await asyncio.sleep(0.02)

            for raw in idle:
                assert raw.received == b"", "an idle connection got an answer it did not ask for"
                assert HEAD_S - EARLY <= raw.closed_at - raw.opened <= HEAD_S + SLACK  # type: ignore[operator]
            for raw in heads:
                assert raw.status == 408 and _error_code(raw) == "request_timeout"
                assert HEAD_S - EARLY <= raw.closed_at - raw.opened <= HEAD_S + SLACK  # type: ignore[operator]
            for raw in bodies:
                assert raw.status == 408 and _error_code(raw) == "request_timeout"
                assert BODY_S - EARLY <= raw.closed_at - raw.opened <= BODY_S + SLACK  # type: ignore[operator]
            for raw in everyone:
                raw.close()
            # The server still answers, and no slow request reached the provider.
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/health") as response:
                    assert response.status == 200
        assert len(upstream.requests) == before


async def test_connection_limit_evicts_the_idlest_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At ``max_connections`` a new connection replaces the idlest idle one; one warning."""
    caplog.set_level(logging.INFO, logger="g4f.api")
    async with served(max_connections=20, header_timeout=60) as port:
        idle = [await Raw.open(port) for _ in range(20)]
        kept = []
        for index in range(5):
            # Each new kept-alive client takes the place of the connection silent longest.
            raw = await Raw.open(port)
            assert raw.send(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            await until(raw.answered, 5, "the answer")
            assert raw.status == 200 and raw.closed_at is None
            kept.append(raw)
            await until(idle[index].poll, 5, f"idle connection {index} evicted")
        assert not any(raw.poll() for raw in idle[5:]), "a younger idle connection was closed"
        assert not any(raw.poll() for raw in kept), "a client that just got an answer was closed"
        assert all(raw.received == b"" for raw in idle[:5])
        for raw in idle + kept:
            raw.close()
    limit_lines = [r for r in caplog.records if "open connections, the limit" in r.getMessage()]
    assert len(limit_lines) == 1, [r.getMessage() for r in caplog.records]
    assert limit_lines[0].levelno == logging.WARNING
    assert "--max-connections" in limit_lines[0].getMessage()


async def test_connection_limit_refuses_with_503_when_every_connection_is_busy(
    caplog: pytest.LogCaptureFixture, upstream: FakeRouter
) -> None:
    """Busy connections (mid-request) are never evicted: a new one gets a JSON 503 and is
    closed; 30 refusals cost one warning line, and one more when the load has gone."""
    caplog.set_level(logging.INFO, logger="g4f.api")
    before = len(upstream.requests)
    async with served(
        provider="HuggingFaceAPI", max_connections=10, header_timeout=60, body_timeout=60
    ) as port:
        busy = [await Raw.open(port) for _ in range(10)]
        for raw in busy:
            assert raw.send(CHAT_HEAD + b"{")
        started = time.monotonic()
        answers = await asyncio.gather(
            *(exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n") for _ in range(30))
        )
        elapsed = time.monotonic() - started
        for answer in answers:
            status, headers, body = parse(answer)
            assert status == 503 and body["error"]["code"] == "too_many_connections"
            assert headers["connection"] == "close"
        assert elapsed < 5, f"30 refusals took {elapsed:.1f} s"
        assert not any(raw.poll() for raw in busy), "a busy connection was evicted"
        for raw in busy:
            raw.close()
        await until(
            lambda: any("below the connection limit" in r.getMessage() for r in caplog.records),
            10,
            "the all-clear line",
        )
    messages = [r.getMessage() for r in caplog.records if r.name == "g4f.api"]
    assert sum("open connections, the limit" in m for m in messages) == 1, messages
    assert sum("below the connection limit" in m for m in messages) == 1, messages
    assert "30 refused" in next(m for m in messages if "below the connection limit" in m)
    assert len(upstream.requests) == before


async def test_keepalive_idle_timeout_and_the_next_head_deadline() -> None:
    """After an answer, an idle kept-alive connection closes after ``keepalive_timeout``;
    a started next request must complete its head within ``header_timeout``."""
    request = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    async with served(keepalive_timeout=1.0, header_timeout=60) as port:
        raw = await Raw.open(port)
        assert raw.send(request)
        await until(raw.answered, 5, "the answer")
        answered = time.monotonic()
        assert raw.status == 200
        await until(raw.poll, 1.0 + SLACK, "the idle kept-alive connection closed")
        assert raw.closed_at - answered >= 1.0 - EARLY  # type: ignore[operator]
        raw.close()
    async with served(keepalive_timeout=60, header_timeout=1.0) as port:
        raw = await Raw.open(port)
        assert raw.send(request)
        await until(raw.answered, 5, "the answer")
        first = len(raw.received)
        # The first byte of the next request starts a fresh head deadline.
        assert raw.send(b"GET /health HTTP/1.1\r\n")
        started = time.monotonic()
        await until(raw.poll, 1.0 + SLACK, "the half-sent second head was cut")
        assert raw.closed_at - started >= 1.0 - EARLY  # type: ignore[operator]
        second = raw.received[first:]
        assert parse(second)[0] == 408
        raw.close()


async def test_a_trickled_body_is_cut_at_the_body_deadline(upstream: FakeRouter) -> None:
    """A body that never stalls long enough for ``body_timeout`` still has to be complete
    within ``body_deadline``."""
    before = len(upstream.requests)
    async with served(provider="HuggingFaceAPI", body_timeout=1.0, body_deadline=2.0) as port:
        raw = await Raw.open(port)
        assert raw.send(CHAT_HEAD)
        started = time.monotonic()
        next_byte = 0.0
        while not raw.poll():
            assert time.monotonic() - started < 2.0 + SLACK, "the trickled body was not cut"
            if time.monotonic() >= next_byte:  # the attack: a byte every 0.3 s
                next_byte = time.monotonic() + 0.3
                raw.send(b" ")
            await asyncio.sleep(0.02)
        assert raw.closed_at - started >= 2.0 - EARLY  # type: ignore[operator]
        status, _, body = parse(raw.received)
        assert status == 408 and "within 2 s" in body["error"]["message"]
        raw.close()
    assert len(upstream.requests) == before


def test_connection_budget_raises_the_soft_limit_or_caps_below_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``serve`` sizes the cap to the open-file limit, so accepting never fails with EMFILE."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 300
    if hard != resource.RLIM_INFINITY and hard < wanted + FD_RESERVE:
        pytest.skip(f"the hard RLIMIT_NOFILE ({hard}) is below {wanted + FD_RESERVE}")
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 200), hard))
        assert connection_budget(wanted) == wanted
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= wanted + FD_RESERVE

        resource.setrlimit(resource.RLIMIT_NOFILE, (400, hard))

        def refuse(*args: object) -> None:
            raise ValueError("not allowed")

        monkeypatch.setattr(resource, "setrlimit", refuse)
        caplog.set_level(logging.WARNING, logger="g4f.api")
        assert connection_budget(1000) == 400 - FD_RESERVE
        assert any("open-file limit (400)" in r.getMessage() for r in caplog.records)
    finally:
        monkeypatch.undo()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_raw_errors_are_complete_json_responses() -> None:
    """The raw answers written without a request object are complete JSON responses."""
    from g4f.api._connections import raw_error

    status, headers, body = parse(raw_error(503, "too_many_connections", "busy"))
    assert status == 503 and headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(json.dumps(body).encode())
    assert body == {
        "error": {
            "message": "busy",
            "type": "server_error",
            "code": "too_many_connections",
            "param": None,
        }
    }


def _g4f_api(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "g4f", "api", "--bind", "127.0.0.1:0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


async def test_g4f_api_process_takes_the_limits_from_flags_and_environment() -> None:
    """``g4f api`` as a real process: ``G4F_MAX_CONNECTIONS`` and ``--header-timeout``
    apply, and reaching the limit prints one warning line on stderr (not a flood)."""
    proc = _g4f_api("--header-timeout", "1", env={"G4F_MAX_CONNECTIONS": "3"})
    try:
        assert proc.stderr is not None
        line = await asyncio.to_thread(proc.stderr.readline)
        port = int(line.rsplit(":", 1)[1].split()[0])
        idle = [await Raw.open(port) for _ in range(3)]
        for _ in range(10):  # each new connection displaces the idlest one
            status, _, _ = parse(
                await exchange(
                    port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
            )
            assert status == 200
        late = await Raw.open(port)
        await until(late.poll, 1.0 + SLACK, "the idle connection closed by --header-timeout")
        assert late.closed_at - late.opened >= 1.0 - EARLY  # type: ignore[operator]
        for raw in [*idle, late]:
            raw.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = await asyncio.to_thread(proc.communicate, timeout=30)
    assert proc.returncode == 0, err
    assert err.count("the limit (--max-connections") == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--max-connections", "0"], {}, "--max-connections must be a positive number"),
        (["--header-timeout", "nan"], {}, "--header-timeout must be a positive number"),
        ([], {"G4F_MAX_CONNECTIONS": "many"}, "G4F_MAX_CONNECTIONS must be an integer"),
        ([], {"G4F_BODY_TIMEOUT": "-1"}, "G4F_BODY_TIMEOUT must be a positive number"),
    ],
)
def test_g4f_api_refuses_unusable_limits(
    args: list[str], env: dict[str, str], message: str
) -> None:
    proc = _g4f_api(*args, env=env)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2, err
    assert message in err and "Traceback" not in err
