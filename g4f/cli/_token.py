"""``g4f login token``: save a Hugging Face token where g4f (and huggingface_hub) look for it.

It needs nothing beyond g4f: the token is read without echo on a terminal (or from piped
stdin) and written to huggingface_hub's token file (``$HF_TOKEN_PATH``, else
``$HF_HOME/token``), owner-only (0600), atomically.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._term import Term, UsageError

__all__ = ["run_token_login"]

#: Tokens are printable ASCII without spaces; anything else is a paste accident.
_MAX_TOKEN = 512


def _read_token(stdin: Any) -> str:
    isatty = getattr(stdin, "isatty", None)
    if isatty and isatty():
        from getpass import getpass

        return getpass("Hugging Face token (input hidden): ")
    return stdin.readline()


def run_token_login(args: argparse.Namespace, term: Term) -> int:
    """Read a token and store it in the token file; never echo it."""
    from .._secrets import add_secret
    from ..config import hf_token_path
    from ..cookies import write_private_text

    token = _read_token(sys.stdin).strip()
    if not token:
        raise UsageError("no token given: paste it at the prompt or pipe it on stdin")
    add_secret(token)
    if len(token) > _MAX_TOKEN or not token.isascii() or not token.isprintable() or " " in token:
        raise UsageError("that does not look like a token (spaces or unprintable characters)")
    if not token.startswith("hf_"):
        term.note("note: Hugging Face tokens usually start with 'hf_'; saved as given")
    path = hf_token_path()
    write_private_text(path, token)
    term.line(f"Token saved to {path} (readable by you only)")
    return 0
