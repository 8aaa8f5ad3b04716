"""HuggingFaceMedia's plumbing: provider-mapping parsing and concurrent jobs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from ...providers.response import Reasoning

__all__ = ["mapping_entries", "live_entries", "merge_jobs"]

_END = object()


def _sendable(provider: str, entry: Mapping[str, Any]) -> bool:
    """Whether a mapping entry's names can be sent on (JSON from a service may hold lone
    surrogates, which no request can carry: such an entry is the service's fault, skipped)."""
    try:
        provider.encode("utf-8")
        str(entry.get("providerId", "")).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def mapping_entries(raw: Any) -> dict[str, dict[str, Any]]:
    """Provider → mapping entry, from the Hub's dict form or its list form."""
    if isinstance(raw, Mapping):
        items = [(str(k), v) for k, v in raw.items() if isinstance(v, Mapping)]
    elif isinstance(raw, list):
        items = [
            (str(e["provider"]), e) for e in raw if isinstance(e, Mapping) and e.get("provider")
        ]
    else:
        items = []
    return {name: dict(entry) for name, entry in items if _sendable(name, entry)}


def live_entries(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Only the entries whose status is ``live``."""
    return {p: e for p, e in entries.items() if e.get("status") == "live"}


async def merge_jobs(
    jobs: list[AsyncIterator[Any]], progress_interval: float
) -> AsyncIterator[Any]:
    """Chunks of concurrent jobs as they come, with a progress note on long silences."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def pump(job: AsyncIterator[Any]) -> None:
        try:
            async for chunk in job:
                await queue.put(chunk)
            await queue.put(_END)
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            await queue.put(exc)
        finally:
            await job.aclose()  # type: ignore[attr-defined]

    tasks = [asyncio.ensure_future(pump(job)) for job in jobs]
    started = time.monotonic()
    running = len(tasks)
    try:
        while running:
            try:
                item = await asyncio.wait_for(queue.get(), progress_interval)
            except asyncio.TimeoutError:
                yield Reasoning(label="Generating", status=f"{time.monotonic() - started:.1f}s")
                continue
            if item is _END:
                running -= 1
            elif isinstance(item, Exception):
                raise item
            else:
                yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
