"""``g4f gui``: serve the API with its chat page and open the page in a browser."""

from __future__ import annotations

import argparse
import os
import socket
import threading
import time
from typing import Any

from ._term import Term

__all__ = ["add_gui_parser", "run_gui", "page_url"]

#: How long to wait for the server to listen before giving up on opening the browser.
OPEN_WITHIN = 30.0


def add_gui_parser(sub: Any) -> None:
    from ..api import DEFAULT_BIND

    gui = sub.add_parser("gui", help="serve the API and open its chat page in a browser")
    gui.add_argument(
        "--bind", default=DEFAULT_BIND, help=f"HOST:PORT to listen on (default {DEFAULT_BIND})"
    )
    gui.add_argument(
        "--api-key", default=None, help="require this key from clients (default: $G4F_API_KEY)"
    )
    gui.add_argument(
        "--no-browser", action="store_true", help="only print the page's address, open nothing"
    )
    gui.set_defaults(command="gui")


def page_url(host: str, port: int) -> str:
    """The chat page's address (a wildcard bind is opened on loopback)."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/chat/"


def _open_when_listening(host: str, port: int, url: str) -> None:
    deadline = time.monotonic() + OPEN_WITHIN
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(
                (host if host not in ("0.0.0.0", "::") else "127.0.0.1", port), 1
            ):
                break
        except OSError:
            time.sleep(0.1)
    else:
        return
    import webbrowser

    webbrowser.open(url)


def run_gui(args: argparse.Namespace, term: Term) -> int:
    from ..api import parse_bind, run_api

    host, port = parse_bind(args.bind)
    url = page_url(host, port)
    term.note(f"g4f chat page: {url}")
    if not args.no_browser:
        threading.Thread(
            target=_open_when_listening, args=(host, port, url), name="g4f-open-page", daemon=True
        ).start()
    api_key = args.api_key or os.environ.get("G4F_API_KEY") or None
    try:
        run_api(args.bind, api_key=api_key)
    except OSError as exc:
        term.error(f"cannot listen on {args.bind}: {exc.strerror or exc}")
        return 1
    return 0
