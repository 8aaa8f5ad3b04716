"""Benchmark 5: failover from a 500 on the first provider to the second provider's first token.

Two HuggingFaceAPI subclasses (``First``, ``Second``) behind one
``IterListProvider([First, Second], shuffle=False)``; the fake answers the first
request with a 500 (a fault queued in the router process). ``max_retries=0`` turns
off the in-provider retry so the figure is the failover itself (with retries on, a
500 is first retried on the same provider after a jittered backoff, by design).

Three modes take turns: *failover* (time to the first token through the list),
*second alone* (``Second`` directly, time to the first token) and *failed request*
(the same 500 fetched with raw aiohttp). Added by failover = failover − second alone
− failed request.
"""

from __future__ import annotations

import os
import time
from typing import Any

from tests.bench._util import Context, median, raw_chat_body, run_worker
from tests.bench.report import Metric, Target

__all__ = ["run", "work"]

MODES = ("failover", "second", "failed")


async def work(params: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    from g4f.client import AsyncClient
    from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
    from g4f.providers.retry_provider import IterListProvider, clear_cooldowns
    from tests.bench._util import MESSAGES, MODEL

    base = os.environ["HF_ROUTER_ENDPOINT"]
    url = base + "/v1/chat/completions"
    headers = {"Authorization": f"Bearer {os.environ['HF_TOKEN']}"}
    first = type("First", (HuggingFaceAPI,), {})
    second = type("Second", (HuggingFaceAPI,), {})
    chain = IterListProvider([first, second], shuffle=False)
    client = AsyncClient()
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    async with aiohttp.ClientSession() as session:

        async def fail_next() -> None:
            fault = {"status": 500, "message": "Internal Server Error", "path": "/v1/chat"}
            async with session.post(base + "/bench/fault", json=fault) as response:
                response.raise_for_status()

        async def first_token(provider: Any) -> tuple[float, str]:
            start = time.perf_counter()
            stream = client.chat.completions.create(
                MESSAGES, MODEL, provider=provider, stream=True, max_tokens=20, max_retries=0
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    elapsed = time.perf_counter() - start
                    await stream.aclose()
                    return elapsed, chunk.provider
            raise AssertionError("no token")

        async def once(mode: str) -> float:
            clear_cooldowns()
            if mode == "second":
                elapsed, name = await first_token(second)
            elif mode == "failover":
                await fail_next()
                elapsed, name = await first_token(chain)
            else:
                await fail_next()
                start = time.perf_counter()
                async with session.post(url, json=raw_chat_body(True, 20), headers=headers) as r:
                    await r.read()
                    if r.status != 500:
                        raise AssertionError(f"expected the queued 500, got {r.status}")
                return (time.perf_counter() - start) * 1000
            if name != "Second":
                raise AssertionError(f"{mode}: answered by {name}, expected Second")
            return elapsed * 1000

        for mode in MODES:
            await once(mode)
        for repeat in range(params["repeats"]):
            for mode in MODES[repeat % 3 :] + MODES[: repeat % 3]:
                times[mode].append(await once(mode))
    return {"times": times}


def run(ctx: Context) -> list[Metric]:
    times = run_worker(ctx, "bench_failover", {"repeats": ctx.scale(60, 5)})["times"]
    failover, second, failed = (median(times[mode]) for mode in MODES)
    return [
        Metric(
            "5 failover",
            "500 → first token of the second provider",
            failover,
            second + failed,
            "ms",
            "second alone + the failed request",
            Target("added", "<=", 5, "ms"),
            note=f"second alone {second:.2f} ms, failed request {failed:.2f} ms",
            detail=times,
        )
    ]
