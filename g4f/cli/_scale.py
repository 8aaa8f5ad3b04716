"""``g4f api`` options for running past one process: ``--redis``, ``--workers``, ``--keys``,
``--admin-key`` (docs/deploy.md)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ._term import UsageError

__all__ = ["add_scale_arguments", "scale_options"]


def add_scale_arguments(api: argparse.ArgumentParser) -> None:
    """Add the flags to the ``api`` subparser."""
    api.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="share state (cooldowns, key limits, stored responses, conversations) through "
        "this Redis, e.g. redis://127.0.0.1:6379/0 (default $G4F_REDIS_URL)",
    )
    api.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="serve with N worker processes on one port (needs --redis when N > 1; "
        "default $G4F_WORKERS or 1)",
    )
    api.add_argument(
        "--keys",
        default=None,
        metavar="FILE",
        help="API keys with limits, JSON or TOML (default $G4F_KEYS_FILE)",
    )
    api.add_argument(
        "--admin-key",
        default=None,
        help="key of GET /v1/usage (default $G4F_ADMIN_KEY)",
    )


def scale_options(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    """``(workers, create_app options)`` from the flags, else the environment.

    The keys file is read and checked here, so a bad or group-readable file stops
    ``g4f api`` before it listens (exit 2 with the reason).
    """
    from ..api._keys import load_keys

    redis_url = args.redis or os.environ.get("G4F_REDIS_URL") or None
    keys_file = args.keys or os.environ.get("G4F_KEYS_FILE") or None
    admin_key = args.admin_key or os.environ.get("G4F_ADMIN_KEY") or None
    workers = args.workers
    if workers is None:
        raw = os.environ.get("G4F_WORKERS", "").strip() or "1"
        try:
            workers = int(raw)
        except ValueError:
            raise UsageError(f"G4F_WORKERS must be an integer, not {raw!r}") from None
    if workers < 1:
        raise UsageError("--workers must be at least 1")
    if workers > 1 and not redis_url:
        raise UsageError(
            f"--workers {workers} needs --redis URL (or G4F_REDIS_URL): without a shared "
            "store every worker would keep its own cooldowns, key limits, stored responses "
            "and conversations, so limits would multiply and follow-ups would get lost"
        )
    if redis_url:
        from ..state_redis import SharedStore

        SharedStore(redis_url)  # checks the URL's form (no connection yet)
    options: dict[str, Any] = {"redis_url": redis_url, "admin_key": admin_key}
    if keys_file:
        load_keys(keys_file)  # fail now, with the reason
        options["keys"] = os.path.abspath(keys_file)
    return workers, options
