"""``g4f api`` and ``g4f login``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import importlib.util
import inspect
import logging
import os
from functools import partial
from typing import Any

from ..api._config import (
    DEFAULT_BODY_DEADLINE,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
)
from ._scale import add_scale_arguments, scale_options
from ._term import Term, UsageError

__all__ = ["add_service_parsers", "run_api_command", "run_login"]

#: service → (helper module, login function, label); the helper needs the ``login`` extra.
_LOGINS = {"huggingchat": ("g4f.Provider.hf._login", "login_huggingchat", "HuggingChat")}


#: Connection limits of ``g4f api``: flag → (environment variable, default, type, help).
_CONNECTION_FLAGS: dict[str, tuple[str, float, type, str]] = {
    "--header-timeout": (
        "G4F_HEADER_TIMEOUT",
        DEFAULT_HEADER_TIMEOUT,
        float,
        "seconds a connection gets to send a complete request head",
    ),
    "--body-timeout": (
        "G4F_BODY_TIMEOUT",
        DEFAULT_BODY_TIMEOUT,
        float,
        "longest silence in seconds while a request body arrives",
    ),
    "--body-deadline": (
        "G4F_BODY_DEADLINE",
        DEFAULT_BODY_DEADLINE,
        float,
        "seconds a whole request body gets",
    ),
    "--keepalive-timeout": (
        "G4F_KEEPALIVE_TIMEOUT",
        DEFAULT_KEEPALIVE_TIMEOUT,
        float,
        "seconds an idle kept-alive connection stays open",
    ),
    "--max-connections": (
        "G4F_MAX_CONNECTIONS",
        DEFAULT_MAX_CONNECTIONS,
        int,
        "most client connections open at once",
    ),
}


def connection_options(args: argparse.Namespace) -> dict[str, Any]:
    """The connection limits from the flags, else the environment, else the defaults."""
    options: dict[str, Any] = {}
    for flag, (env, default, kind, _) in _CONNECTION_FLAGS.items():
        name = flag[2:].replace("-", "_")
        value = getattr(args, name, None)
        source = flag
        if value is None and os.environ.get(env, "").strip():
            source = env
            try:
                value = kind(os.environ[env].strip())
            except ValueError:
                what = "an integer" if kind is int else "a number"
                raise UsageError(f"{env} must be {what}, not {os.environ[env]!r}") from None
        if value is None:
            value = kind(default)
        # 'not value > 0' also refuses NaN; 'inf' is not a usable limit either.
        if not value > 0 or value == float("inf"):
            raise UsageError(f"{source} must be a positive number")
        options[name] = value
    return options


def add_service_parsers(sub: Any) -> None:
    from ..api import DEFAULT_BIND, DEFAULT_MAX_BODY

    api = sub.add_parser(
        "api", help="serve the OpenAI-compatible API (default http://127.0.0.1:1337)"
    )
    api.add_argument(
        "--bind", default=DEFAULT_BIND, help=f"HOST:PORT to listen on (default {DEFAULT_BIND})"
    )
    api.add_argument(
        "--api-key", default=None, help="require this key from clients (default: $G4F_API_KEY)"
    )
    api.add_argument(
        "--cookies-dir", default=None, help="directory of cookie exports and auth caches"
    )
    api.add_argument(
        "--provider", default=None, help="default provider for requests that name none"
    )
    api.add_argument(
        "--max-body", type=int, default=DEFAULT_MAX_BODY, help="largest request body in bytes"
    )
    api.add_argument(
        "--shutdown-timeout",
        type=float,
        default=10.0,
        help="seconds running requests get to finish on stop",
    )
    for flag, (env, default, kind, meaning) in _CONNECTION_FLAGS.items():
        api.add_argument(
            flag,
            type=kind,
            default=None,
            metavar="N" if kind is int else "S",
            help=f"{meaning} (default ${env} or {default:g})",
        )
    api.add_argument("--debug", action="store_true", help="log g4f's debug lines to stderr")
    api.add_argument(
        "--cors-origin",
        action="append",
        default=None,
        metavar="ORIGIN",
        help="allow browser calls from ORIGIN (repeatable; default $G4F_CORS_ORIGINS; none: off)",
    )
    api.add_argument(
        "--quiet", action="store_true", help="no access log line per request on stderr"
    )
    add_scale_arguments(api)
    api.set_defaults(command="api")
    login = sub.add_parser("login", help="log in to a service in a browser and keep its cookies")
    login.add_argument(
        "service", help="huggingchat (browser login) or token (save a Hugging Face token)"
    )
    login.add_argument(
        "--cookies-dir", default=None, help="where to store the session (default: the cookies dir)"
    )
    login.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for the login (default 300)"
    )
    login.add_argument("--proxy", default=None, help="proxy URL for the browser")
    login.set_defaults(command="login")


def run_api_command(args: argparse.Namespace, term: Term) -> int:
    from ..api import parse_bind, run_api

    parse_bind(args.bind)
    if args.max_body < 1:
        raise UsageError("--max-body must be positive")
    if "*" in (args.cors_origin or []):
        raise UsageError("--cors-origin takes named origins (https://app.example), not '*'")
    if args.provider:
        from ..Provider import get_provider

        get_provider(args.provider)
    from ..debug import enable_logging

    # A server's warnings (connection limit reached, failed requests) are always shown.
    enable_logging(logging.DEBUG if args.debug else logging.WARNING)
    if args.cookies_dir:
        os.environ["G4F_COOKIES_DIR"] = os.path.abspath(args.cookies_dir)
    api_key = args.api_key or os.environ.get("G4F_API_KEY") or None
    limits = connection_options(args)
    workers, scale = scale_options(args)
    if workers > 1:
        from ..api._workers import run_workers

        run = partial(run_workers, workers=workers)
    else:
        run = run_api
    try:
        run(
            args.bind,
            api_key=api_key,
            cookies_dir=args.cookies_dir,
            max_body=args.max_body,
            provider=args.provider,
            shutdown_timeout=args.shutdown_timeout,
            **limits,
            cors_origins=args.cors_origin,
            access_log=not args.quiet,
            **scale,
        )
    except OSError as exc:
        term.error(f"cannot listen on {args.bind}: {exc.strerror or exc}")
        return 1
    return 0


def run_login(args: argparse.Namespace, term: Term) -> int:
    """Call the service's login helper (imported only now: it needs the ``login`` extra)."""
    from ..errors import MissingRequirementsError

    service = args.service.lower()
    if service not in _LOGINS:
        raise UsageError(f"unknown service {args.service!r}; choose from: {', '.join(_LOGINS)}")
    module_name, function, label = _LOGINS[service]
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        if exc.name and module_name.startswith(exc.name):
            term.error(
                f"{label} login is not available in this installation ({module_name} is missing)"
            )
        else:
            term.error(
                f"{label} login needs the 'login' extra: pip install 'g4f[login]' ({exc.name} is not installed)"
            )
        return 1
    login = getattr(module, function, None)
    if not callable(login):
        term.error(f"{label} login is not available: {module_name} has no {function}()")
        return 1
    available = getattr(module, "browser_available", None)
    if callable(available) and not available():
        # Say so before promising a browser window that will never open.
        missing = (
            "nodriver is not installed: pip install 'g4f[login]'"
            if importlib.util.find_spec("nodriver") is None
            else "no Chromium/Chrome was found (set G4F_BROWSER_EXECUTABLE_PATH)"
        )
        term.error(
            f"{label} login needs a browser: {missing}; or put a .har/.json cookie export "
            "in the cookies dir (see docs/auth.md)"
        )
        return 1
    from ..cookies import get_cookies_dir

    cookies_dir = os.path.abspath(args.cookies_dir) if args.cookies_dir else get_cookies_dir()
    term.status(
        f"{label}: log in in the browser window that opens (waiting up to {args.timeout:g} s)"
    )
    try:
        result = login(cookies_dir=cookies_dir, timeout=args.timeout, proxy=args.proxy)
        if inspect.isawaitable(result):
            asyncio.run(_await(result))
    except MissingRequirementsError as exc:
        term.error(f"{label} login needs the 'login' extra: pip install 'g4f[login]' ({exc})")
        return 1
    term.line(f"Logged in to {label}; the session is saved in {cookies_dir}")
    return 0


async def _await(awaitable: Any) -> Any:
    return await awaitable
