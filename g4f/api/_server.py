"""Serving the application until a stop signal, with a graceful shutdown."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from typing import Any

from aiohttp import web

__all__ = ["serve"]


async def serve(
    host: str,
    port: int,
    *,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[str, int], None] | None = None,
    **app_kwargs: Any,
) -> None:
    """Run the API on ``host:port`` until ``stop`` is set or a SIGINT/SIGTERM arrives."""
    from . import create_app
    from ._config import DEFAULT_SHUTDOWN_TIMEOUT

    app = create_app(**app_kwargs)
    timeout = float(app_kwargs.get("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT))
    runner = web.AppRunner(
        app, handle_signals=False, shutdown_timeout=timeout + 5.0, access_log=None
    )
    await runner.setup()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, stop.set)
                installed.append(signum)
            except (NotImplementedError, RuntimeError):
                pass
        shown = f"[{host}]" if ":" in host else host
        print(
            f"g4f api: serving on http://{shown}:{bound} (Ctrl-C to stop)",
            file=sys.stderr,
            flush=True,
        )
        if on_ready is not None:
            on_ready(host, bound)
        await stop.wait()
        print("g4f api: stopping; finishing running requests", file=sys.stderr, flush=True)
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
        await runner.cleanup()
