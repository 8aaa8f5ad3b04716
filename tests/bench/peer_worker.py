"""``python peer_worker.py CLIENT``: one client library driven by the harness over stdin/stdout.

Runs in the client's own interpreter (a peer's venv, or this repo's python for ``raw``
and ``g4f``), so it imports only the standard library and that client. The protocol is
one JSON object per line each way:

* ``{"op": "seq", "n": N}`` → ``{"ms": [...]}``: N sequential non-stream requests;
* ``{"op": "stream", "tokens": T}`` → ``{"seconds": s, "cpu": s, "count": c}``: one
  T-token stream (wall and process CPU time, content tokens received);
* ``{"op": "burst", "streams": S, "tokens": T}`` → ``{"seconds": s, "cpu": s, "counts": [...]}``;
* ``{"op": "quit"}``.

The first line the worker prints is ``{"ready": true, "version": "..."}`` once the
client is imported and has made one request. The endpoint, token and model come from
``BENCH_BASE_URL`` (an OpenAI-compatible ``.../v1``), ``BENCH_TOKEN``, ``BENCH_MODEL``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

BASE = os.environ.get("BENCH_BASE_URL", "")
TOKEN = os.environ.get("BENCH_TOKEN", "")
MODEL = os.environ.get("BENCH_MODEL", "")
MESSAGES = [{"role": "user", "content": "Say something."}]


async def count_sse_tokens(response: Any, first: list[float] | None = None) -> int:
    """Content tokens of an aiohttp SSE response, read the least a correct client must:
    split lines, JSON-decode each ``data:`` line, pick ``choices[0].delta.content``.

    ``first`` gets the ``perf_counter()`` time of the first token appended.
    """
    count, buffer = 0, b""
    async for chunk in response.content.iter_any():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if not line.startswith(b"data:"):
                continue
            data = line[5:].strip()
            if data == b"[DONE]":
                return count
            choices = json.loads(data)["choices"]
            if choices and choices[0]["delta"].get("content"):
                if not count and first is not None:
                    first.append(time.perf_counter())
                count += 1
    return count


async def count_chunks(stream: Any) -> int:
    """Chunks with content of an SDK's async stream of OpenAI-shaped chunks."""
    count = 0
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            count += 1
    return count


class Raw:
    """aiohttp on one reused session: lines, JSON, ``delta.content`` (the baseline)."""

    async def start(self) -> str:
        import aiohttp

        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.headers = {"Authorization": f"Bearer {TOKEN}"}
        return f"aiohttp {aiohttp.__version__}"

    async def request(self) -> str:
        body = {"model": MODEL, "messages": MESSAGES, "stream": False}
        async with self.session.post(
            BASE + "/chat/completions", json=body, headers=self.headers
        ) as response:
            response.raise_for_status()
            data = await response.json()
        return str(data["choices"][0]["message"]["content"])

    async def stream(self, tokens: int) -> int:
        body = {
            "model": MODEL,
            "messages": MESSAGES,
            "stream": True,
            "max_tokens": tokens,
            "stream_options": {"include_usage": True},
        }
        async with self.session.post(
            BASE + "/chat/completions", json=body, headers=self.headers
        ) as response:
            response.raise_for_status()
            return await count_sse_tokens(response)

    async def stop(self) -> None:
        await self.session.close()


class OpenAISDK:
    """``openai.AsyncOpenAI`` (its defaults: httpx, one client reused)."""

    async def start(self) -> str:
        import openai

        self.client = openai.AsyncOpenAI(base_url=BASE, api_key=TOKEN, max_retries=0)
        return f"openai {openai.__version__}"

    async def request(self) -> str:
        answer = await self.client.chat.completions.create(model=MODEL, messages=MESSAGES)
        return str(answer.choices[0].message.content)

    async def stream(self, tokens: int) -> int:
        return await count_chunks(
            await self.client.chat.completions.create(
                model=MODEL, messages=MESSAGES, stream=True, max_tokens=tokens
            )
        )

    async def stop(self) -> None:
        await self.client.close()


class HubClient:
    """``huggingface_hub.AsyncInferenceClient`` pointed at the router's OpenAI route."""

    async def start(self) -> str:
        import huggingface_hub
        from huggingface_hub import AsyncInferenceClient

        self.client = AsyncInferenceClient(base_url=BASE, api_key=TOKEN)
        return f"huggingface_hub {huggingface_hub.__version__}"

    async def request(self) -> str:
        answer = await self.client.chat_completion(MESSAGES, model=MODEL)
        return str(answer.choices[0].message.content)

    async def stream(self, tokens: int) -> int:
        return await count_chunks(
            await self.client.chat_completion(MESSAGES, model=MODEL, stream=True, max_tokens=tokens)
        )

    async def stop(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            await close()


class LiteLLM:
    """``litellm.acompletion`` with an ``openai/`` model at the router's base URL."""

    async def start(self) -> str:
        import litellm

        litellm.telemetry = False
        self.litellm = litellm
        return f"litellm {getattr(litellm, '__version__', '') or _dist_version('litellm')}"

    def _kwargs(self) -> dict[str, Any]:
        return {"model": "openai/" + MODEL, "api_base": BASE, "api_key": TOKEN}

    async def request(self) -> str:
        answer = await self.litellm.acompletion(messages=MESSAGES, **self._kwargs())
        return str(answer.choices[0].message.content)

    async def stream(self, tokens: int) -> int:
        return await count_chunks(
            await self.litellm.acompletion(
                messages=MESSAGES, stream=True, max_tokens=tokens, **self._kwargs()
            )
        )

    async def stop(self) -> None:
        return None


class G4F:
    """``g4f.client.AsyncClient``: this repo's (provider HuggingFaceAPI) or gpt4free's (Custom)."""

    def __init__(self, gpt4free: bool) -> None:
        self.gpt4free = gpt4free

    async def start(self) -> str:
        import g4f
        from g4f.client import AsyncClient

        if self.gpt4free:
            from g4f.Provider import Custom

            g4f.debug.version_check = False
            self.client = AsyncClient(provider=Custom, api_key=TOKEN, base_url=BASE)
        else:
            from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI

            self.client = AsyncClient(provider=HuggingFaceAPI)
        return f"g4f {getattr(g4f, '__version__', '') or _dist_version('g4f')}"

    async def request(self) -> str:
        answer = await self.client.chat.completions.create(MESSAGES, MODEL)
        return str(answer.choices[0].message.content)

    async def stream(self, tokens: int) -> int:
        stream = self.client.chat.completions.create(
            MESSAGES, MODEL, stream=True, max_tokens=tokens
        )
        if not hasattr(stream, "__aiter__"):
            stream = await stream
        return await count_chunks(stream)

    async def stop(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            result = close()
            if asyncio.iscoroutine(result):
                await result


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


CLIENTS = {
    "raw": Raw,
    "g4f": lambda: G4F(gpt4free=False),
    "gpt4free": lambda: G4F(gpt4free=True),
    "openai": OpenAISDK,
    "huggingface_hub": HubClient,
    "litellm": LiteLLM,
}


async def _serve(client: Any) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    version = await client.start()
    await client.request()
    await client.stream(5)
    _send({"ready": True, "version": version})
    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        op = command["op"]
        if op == "quit":
            break
        if op == "seq":
            samples = []
            for _ in range(command["n"]):
                start = time.perf_counter()
                await client.request()
                samples.append((time.perf_counter() - start) * 1000)
            _send({"ms": samples})
        elif op == "stream":
            start, cpu = time.perf_counter(), time.process_time()
            count = await client.stream(command["tokens"])
            _send(
                {
                    "seconds": time.perf_counter() - start,
                    "cpu": time.process_time() - cpu,
                    "count": count,
                }
            )
        elif op == "burst":
            start, cpu = time.perf_counter(), time.process_time()
            counts = await asyncio.gather(
                *(client.stream(command["tokens"]) for _ in range(command["streams"]))
            )
            _send(
                {
                    "seconds": time.perf_counter() - start,
                    "cpu": time.process_time() - cpu,
                    "counts": list(counts),
                }
            )
        else:
            _send({"error": f"unknown op {op!r}"})
    await client.stop()


def _send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> None:
    asyncio.run(_serve(CLIENTS[sys.argv[1]]()))


if __name__ == "__main__":
    main()
