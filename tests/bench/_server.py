"""The benchmarks' fake router, run in its own process so it does not share the client's CPU.

It is :class:`tests.fakes.router.FakeRouter` (auth, model checks, fault queue, JSON
answers) with two additions for measuring:

* a streamed chat answer has as many content tokens as the request's ``max_tokens``
  (one token per SSE event, the fake's own chunk layout), and its bytes are rendered
  once and replayed in ``WRITE_SIZE`` writes. The fake's event-per-write path tops out
  near the speed of a raw aiohttp reader, which would make every client look alike;
* ``POST /bench/fault`` queues a fault (JSON fields of :class:`tests.fakes.server.Fault`)
  in this process, where the requests arrive; ``POST /bench/pace {"seconds": s}`` makes
  replayed streams send one event every ``s`` seconds, as a model generating would.

``python -m tests.bench._server`` prints the base URL and serves until stdin closes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.router import TOKEN, FakeRouter, _check_model
from tests.fakes.router_chat import ChatScript, chat_chunks
from tests.fakes.server import fault_response

__all__ = ["BenchRouter", "RouterProcess", "WRITE_SIZE", "TOKEN", "TOKEN_TEXT"]

#: Bytes per write of a replayed stream (about 16 events).
WRITE_SIZE = 4096
#: The text of one token (one SSE event's ``delta.content``).
TOKEN_TEXT = "tok "
ROOT = Path(__file__).resolve().parents[2]


def render_stream(script: ChatScript, model: str, include_usage: bool) -> list[bytes]:
    """The SSE events the fake router would stream, as bytes."""
    events = [json.dumps(chunk) for chunk in chat_chunks(script, model, include_usage)]
    events.append("[DONE]")
    return [f"data: {event}\n\n".encode() for event in events]


class BenchRouter(FakeRouter):
    """FakeRouter with replayed streams of ``max_tokens`` tokens and a fault control route."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: dict[tuple[str, int, bool], tuple[list[bytes], bytes]] = {}
        #: Seconds between two events of a replayed stream (0: as fast as possible).
        self.pace = 0.0
        self.app.middlewares.append(_replay_streams)
        self.app.router.add_post("/bench/fault", _add_fault)
        self.app.router.add_post("/bench/pace", _set_pace)

    def stream_events(
        self, model: str, tokens: int, include_usage: bool
    ) -> tuple[list[bytes], bytes]:
        """The events of a ``tokens``-token answer, and all of them as one body."""
        key = (model, tokens, include_usage)
        rendered = self._rendered.get(key)
        if rendered is None:
            script = dataclasses.replace(
                self.chat, content=TOKEN_TEXT * tokens, chunk_size=len(TOKEN_TEXT)
            )
            events = render_stream(script, model, include_usage)
            rendered = self._rendered[key] = (events, b"".join(events))
        return rendered


@web.middleware
async def _replay_streams(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method != "POST" or request.path != "/v1/chat/completions":
        return await handler(request)
    body = await request.json()
    if not body.get("stream") or not body.get("max_tokens"):
        return await handler(request)
    fake: BenchRouter = request.app["router"]
    fault = request.app["faults"].take(request.path)
    if fault is not None and fault.status is not None:
        return fault_response(fault)  # type: ignore[return-value]
    denied = fake.check_auth(request)
    if denied is not None:
        return denied
    model = str(body.get("model", ""))
    error, backend = _check_model(fake, model)
    if error is not None:
        return error
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    events, data = fake.stream_events(model, int(body["max_tokens"]), include_usage)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "x-inference-provider": backend}
    )
    await response.prepare(request)
    if fake.pace > 0:
        for index, event in enumerate(events):
            if index:
                await asyncio.sleep(fake.pace)
            await response.write(event)
    else:
        for start in range(0, len(data), WRITE_SIZE):
            await response.write(data[start : start + WRITE_SIZE])
    await response.write_eof()
    return response


async def _set_pace(request: web.Request) -> web.Response:
    request.app["router"].pace = float((await request.json())["seconds"])
    return web.json_response({"ok": True})


async def _add_fault(request: web.Request) -> web.Response:
    request.app["faults"].add(**(await request.json()))
    return web.json_response({"ok": True})


class RouterProcess:
    """Runs :class:`BenchRouter` in a child process; ``url`` once started."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.url = ""
        self.pid = 0

    def __enter__(self) -> RouterProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench._server"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.pid = self._process.pid
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            self.__exit__()
            raise RuntimeError("the benchmark router did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    with BenchRouter() as router:
        print(router.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
