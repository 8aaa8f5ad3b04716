"""Terminal output: answer text on stdout, reasoning dimmed only on a terminal, status on stderr.

Colours and the spinner appear only on a terminal and never when ``NO_COLOR`` is set.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from typing import TextIO

__all__ = ["Term", "UsageError", "one_line", "term_width"]

#: Spinner frames (Braille dots: one column wide in every common terminal font).
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SPINNER_INTERVAL = 0.1

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


def one_line(text: str, limit: int | None = 400) -> str:
    """``text`` on a single line, shortened to ``limit`` characters (``None``: never)."""
    flat = " ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def term_width(stream: TextIO | None = None) -> int | None:
    """Columns a table may use: ``COLUMNS`` when set (piped or not), else the terminal's
    width when ``stream`` is a terminal, else ``None`` (no limit: scripts get whole cells)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.strip().isdigit() and int(columns) > 0:
        return int(columns)
    if _isatty(stream or sys.stdout):
        return shutil.get_terminal_size().columns
    return None


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
        self._spinner: asyncio.Task[None] | None = None
        self.wrote = False

    def spin(self, label: str) -> None:
        """Show a spinner with ``label`` on stderr until the next output (terminals only).

        Must be called inside a running event loop; anything written next stops it.
        """
        self.stop_spinner()
        if self.err_tty:
            self._spinner = asyncio.get_running_loop().create_task(self._spin(one_line(label, 80)))

    async def _spin(self, label: str) -> None:
        frame = 0
        while True:
            elapsed = int(time.monotonic() - self._started)
            self.err.write(f"{CLEAR_LINE}{SPINNER[frame % len(SPINNER)]} {label} {elapsed}s")
            self.err.flush()
            self._status_shown = True
            frame += 1
            await asyncio.sleep(SPINNER_INTERVAL)

    def stop_spinner(self) -> None:
        """Stop the spinner (if any) and wipe its line."""
        if self._spinner is not None:
            self._spinner.cancel()
            self._spinner = None
            self._clear_status()

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
        if self._spinner is not None:
            self._spinner.cancel()
            self._spinner = None
        elapsed = int(time.monotonic() - self._started)
        if self.err_tty:
            self.err.write(f"{CLEAR_LINE}{DIM}[{elapsed:>4}s] {text}{RESET}")
            self._status_shown = True
        else:
            self.err.write(f"[{elapsed}s] {text}\n")
        self.err.flush()

    def _clear_status(self) -> None:
        if self._spinner is not None:
            self._spinner.cancel()
            self._spinner = None
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
        """One line of output on stdout."""
        self._clear_status()
        self.out.write(text + "\n")

    def error(self, text: str) -> None:
        """The reason a command failed, on stderr: one line, never shortened (its end is
        usually the part that says what to do)."""
        self._clear_status()
        self.err.write(f"g4f: error: {one_line(text, None)}\n")
        self.err.flush()

    def note(self, text: str) -> None:
        """A message for the person at the terminal (stderr, dimmed on a terminal)."""
        self._clear_status()
        self.err.write(f"{DIM}{text}{RESET}\n" if self.err_tty else f"{text}\n")
        self.err.flush()
