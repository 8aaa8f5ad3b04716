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
    access_log: bool = True,
    **app_kwargs: Any,
) -> None:
    """Run the API on ``host:port`` until ``stop`` is set or a SIGINT/SIGTERM arrives.

    ``access_log``: one line per request on the ``g4f.access`` logger (shown on stderr).
    """
    from . import create_app
    from ._config import DEFAULT_SHUTDOWN_TIMEOUT

    app = create_app(**app_kwargs)
    timeout = float(app_kwargs.get("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT))
    from ._cors import ACCESS_LOGGER, AccessLogger

    if access_log:
        _show_access_log()
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=timeout + 5.0,
        access_log=ACCESS_LOGGER if access_log else None,
        access_log_class=AccessLogger,
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


def _show_access_log() -> None:
    """Print ``g4f.access`` lines on stderr (once), through the redacting filter."""
    import logging

    from ..debug import RedactingFilter
    from ._cors import ACCESS_LOGGER

    if any(getattr(h, "_g4f_access", False) for h in ACCESS_LOGGER.handlers):
        return
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    handler._g4f_access = True  # type: ignore[attr-defined]
    ACCESS_LOGGER.addHandler(handler)
    ACCESS_LOGGER.setLevel(logging.INFO)
    ACCESS_LOGGER.propagate = False
