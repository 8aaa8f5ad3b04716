"""Serving the application until a stop signal, with a graceful shutdown."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from typing import Any

from ._connections import GuardedRunner, logger

__all__ = ["serve", "connection_budget"]

#: File descriptors kept free for what a request opens besides its own socket
#: (connections to providers, cookie and cache files, the listening socket).
FD_RESERVE = 256


def connection_budget(wanted: int) -> int:
    """How many client connections the process can hold, raising the soft
    ``RLIMIT_NOFILE`` toward its hard limit when ``wanted`` needs it.

    Accepting past the descriptor limit fails with ``EMFILE`` on every attempt (and
    floods the log); capping connections below it keeps the server answering.
    """
    try:
        import resource
    except ImportError:  # not POSIX: no limit to consult
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = wanted + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return wanted
    budget = max(1, soft - FD_RESERVE)
    logger.warning(
        "g4f api: the open-file limit (%d) allows only %d connections, not %d; "
        "raise 'ulimit -n' to allow more",
        soft,
        budget,
        wanted,
    )
    return budget


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

    Connections are guarded (see :mod:`g4f.api._connections`): a deadline for every
    request head, the keep-alive timeout, at most ``max_connections`` open at once.
    ``access_log``: one line per request on the ``g4f.access`` logger (shown on stderr).
    """
    from aiohttp import web

    from . import create_app
    from ._app import CONFIG_KEY

    app = create_app(**app_kwargs)
    config = app[CONFIG_KEY]
    from ._cors import ACCESS_LOGGER, AccessLogger

    if access_log:
        _show_access_log()
    runner = GuardedRunner(
        app,
        config,
        connection_budget(config.max_connections),
        handle_signals=False,
        shutdown_timeout=config.shutdown_timeout + 5.0,
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
