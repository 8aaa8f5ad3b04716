"""Terminal output: answer text on stdout, reasoning dimmed only on a terminal, status on stderr."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

__all__ = ["Term", "UsageError", "one_line"]

DIM = "\x1b[2m"
RESET = "\x1b[0m"
CLEAR_LINE = "\r\x1b[K"


class UsageError(Exception):
    """The command line is incomplete or contradictory (exit code 2)."""


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def one_line(text: str, limit: int = 400) -> str:
    """``text`` on a single line, shortened to ``limit`` characters."""
    flat = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Term:
    """Where the CLI writes; streams are looked up when a command runs (tests swap them)."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        color = "NO_COLOR" not in os.environ
        self.tty = color and _isatty(self.out)
        self.err_tty = color and _isatty(self.err)
        self._in_reasoning = False
        self._started = time.monotonic()
        self._status_shown = False
        self._last_status = ""
        self.wrote = False

    def content(self, text: str) -> None:
        """Answer text: always plain on stdout."""
        if self._in_reasoning:
            self._end_reasoning()
        self._clear_status()
        self.out.write(text)
        self.out.flush()
        self.wrote = self.wrote or bool(text)

    def reasoning(self, text: str) -> None:
        """Thinking text: dimmed on stdout when it is a terminal, else plain on stderr."""
        self._clear_status()
        if self.tty:
            if not self._in_reasoning:
                self.out.write(DIM)
            self.out.write(text)
            self.out.flush()
            self.wrote = True
        else:
            self.err.write(text)
            self.err.flush()
        self._in_reasoning = True

    def _end_reasoning(self) -> None:
        if self.tty:
            self.out.write(RESET + "\n\n")
        else:
            self.err.write("\n")
            self.err.flush()
        self._in_reasoning = False

    def status(self, text: str) -> None:
        """A progress note on stderr (one overwritten line on a terminal)."""
        text = one_line(text, 120)
        if not text or text == self._last_status:
            return
        self._last_status = text
        elapsed = int(time.monotonic() - self._started)
        if self.err_tty:
            self.err.write(f"{CLEAR_LINE}{DIM}[{elapsed:>4}s] {text}{RESET}")
            self._status_shown = True
        else:
            self.err.write(f"[{elapsed}s] {text}\n")
        self.err.flush()

    def _clear_status(self) -> None:
        if self._status_shown:
            self.err.write(CLEAR_LINE)
            self.err.flush()
            self._status_shown = False

    def finish(self, newline: bool = True) -> None:
        """End the answer: reset colours and end the line (if anything was written)."""
        if self._in_reasoning:
            if self.tty:
                self.out.write(RESET)
            self._in_reasoning = False
        self._clear_status()
        if newline and self.wrote:
            self.out.write("\n")
        self.wrote = False
        self.out.flush()

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")

    def error(self, text: str) -> None:
        """The one-line reason a command failed, on stderr."""
        self._clear_status()
        self.err.write(f"g4f: error: {one_line(text)}\n")
        self.err.flush()
