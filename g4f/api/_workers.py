"""``g4f api --workers N``: N processes on one port under gunicorn's aiohttp worker.

gunicorn (the ``workers`` extra) is the process manager: its master binds the port
once, forks the workers, restarts one that dies (a SIGKILLed worker costs only its
own open requests), and stops them gracefully on SIGTERM. Each worker builds the same
application as the single process and serves it with the same guarded runner
(:class:`g4f.api._connections.GuardedRunner`), so the connection limits apply per
worker and a graceful stop drains running requests and streams for
``shutdown_timeout`` seconds. State is shared between workers through the Redis
store (the CLI refuses N > 1 without it).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["run_workers", "gunicorn_options"]


def gunicorn_options(host: str, port: int, workers: int, shutdown_timeout: float) -> dict[str, Any]:
    """The gunicorn settings ``g4f api --workers`` uses."""
    shown = f"[{host}]" if ":" in host else host
    return {
        "bind": [f"{shown}:{port}"],
        "workers": workers,
        "worker_class": "aiohttp.GunicornWebWorker",
        # Time a stopping worker gets before the master kills it: the drain plus margin.
        "graceful_timeout": int(shutdown_timeout + 5.0 + 0.999),
        # A worker whose loop stops answering the master's heartbeat for this long is
        # replaced (a blocked loop serves nobody).
        "timeout": 60,
        "loglevel": "warning",
        "accesslog": None,
        "proc_name": "g4f-api",
    }


def run_workers(bind: str, *, workers: int, **app_kwargs: Any) -> None:
    """Serve :func:`g4f.api.create_app` with ``workers`` processes until SIGTERM/SIGINT."""
    from ..errors import MissingRequirementsError
    from . import parse_bind

    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise MissingRequirementsError(
            "--workers needs gunicorn: pip install 'g4f[workers]'"
        ) from None
    import os

    os.environ.setdefault("G4F_BROWSER_LOGIN", "0")  # as run_api: no browser in a server
    host, port = parse_bind(bind)
    settings = gunicorn_options(host, port, workers, app_kwargs.get("shutdown_timeout", 10.0))

    def when_ready(server: Any) -> None:
        bound = server.LISTENERS[0].sock.getsockname()[1] if server.LISTENERS else port
        shown = f"[{host}]" if ":" in host else host
        print(
            f"g4f api: serving on http://{shown}:{bound} with {workers} workers "
            "(SIGTERM stops gracefully)",
            file=sys.stderr,
            flush=True,
        )

    class _Gateway(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in {**settings, "when_ready": when_ready}.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return _runner_factory(app_kwargs)

    _Gateway().run()


def _runner_factory(app_kwargs: dict[str, Any]) -> Any:
    """What gunicorn's aiohttp worker calls in each worker: the guarded runner."""

    kwargs = dict(app_kwargs)
    access_log = bool(kwargs.pop("access_log", True))  # a serving option, not the app's

    async def factory() -> Any:
        from . import create_app
        from ._app import CONFIG_KEY
        from ._connections import GuardedRunner
        from ._cors import ACCESS_LOGGER, AccessLogger
        from ._server import _show_access_log, connection_budget

        if access_log:
            _show_access_log()
        app = create_app(**kwargs)
        config = app[CONFIG_KEY]
        return GuardedRunner(
            app,
            config,
            connection_budget(config.max_connections),
            handle_signals=False,
            shutdown_timeout=config.shutdown_timeout + 5.0,
            access_log=ACCESS_LOGGER if access_log else None,
            access_log_class=AccessLogger,
        )

    return factory
