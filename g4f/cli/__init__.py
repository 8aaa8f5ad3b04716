"""The ``g4f`` command line: ``api``, ``gui``, ``chat``, ``models``, ``providers``, ``image``,
``video``, ``login``.

Exit codes: 0 success (also when the reader of a pipe stops early, as with ``| head``),
1 a provider or service failed (one line on stderr says why), 2 the command line was
wrong, 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._term import Term

__all__ = ["main", "build_parser"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from ..version import __version__
    from ._chat import add_chat_parser
    from ._gui import add_gui_parser
    from ._listing import add_listing_parsers
    from ._media import add_media_parsers
    from ._serve import add_service_parsers

    parser = argparse.ArgumentParser(
        prog="g4f",
        description="One OpenAI-shaped interface over the Hugging Face chat and media services.",
    )
    parser.add_argument("--version", action="version", version=f"g4f {__version__}")
    # Its own dest: a subcommand's defaults would overwrite a shared one (``api --debug``).
    parser.add_argument(
        "--debug",
        dest="global_debug",
        action="store_true",
        help="log g4f's debug lines (redacted) to stderr and show tracebacks",
    )
    sub = parser.add_subparsers(metavar="COMMAND")
    add_service_parsers(sub)
    add_gui_parser(sub)
    add_chat_parser(sub)
    add_listing_parsers(sub)
    add_media_parsers(sub)
    return parser


def _dispatch(args: argparse.Namespace, term: Term) -> int:
    from ._chat import run_chat
    from ._listing import run_models, run_providers
    from ._media import run_media
    from ._serve import run_api_command, run_login

    command = args.command
    if command == "chat":
        return asyncio.run(run_chat(args, term))
    if command in ("image", "video"):
        return asyncio.run(run_media(args, term))
    if command == "models":
        return run_models(args, term)
    if command == "providers":
        return run_providers(args, term)
    if command == "gui":
        from ._gui import run_gui

        return run_gui(args, term)
    if command == "login":
        if args.service.lower() == "token":
            from ._token import run_token_login

            return run_token_login(args, term)
        return run_login(args, term)
    return run_api_command(args, term)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from ..errors import G4FError, InvalidRequestError, ProviderNotFoundError
    from ._term import Term, UsageError

    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    debug = bool(args.global_debug or getattr(args, "debug", False))
    if debug:
        from ..debug import enable_logging

        enable_logging()
    term = Term()
    try:
        return _dispatch(args, term)
    except BrokenPipeError:
        return _reader_left()
    except (UsageError, InvalidRequestError, ProviderNotFoundError) as exc:
        term.error(str(exc))
        return EXIT_USAGE
    except G4FError as exc:
        _traceback(debug, term)
        term.error(f"{type(exc).__name__}: {exc}")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        term.error("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - no traceback unless --debug
        from .._secrets import redact

        _traceback(debug, term)
        term.error(f"unexpected {type(exc).__name__}: {redact(str(exc))}")
        return EXIT_FAILURE


def _reader_left() -> int:
    """The reader of our stdout went away (``g4f models | head -1``): that is not a failure.

    stdout is pointed at /dev/null so the interpreter's final flush cannot raise again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (tests): nothing will flush it at exit
    return EXIT_OK


def _traceback(debug: bool, term: Term) -> None:
    """With ``--debug``, the redacted traceback of the exception being handled."""
    if not debug:
        return
    import traceback

    from .._secrets import redact

    term.err.write(redact(traceback.format_exc()))
    term.err.flush()
