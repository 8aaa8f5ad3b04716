"""CLI fixtures: the mock providers as the registry, and swappable terminal streams."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from g4f.providers.retry_provider import clear_cooldowns
from tests.api import providers as mocks


class Stream(io.StringIO):
    """A text stream that says whether it is a terminal and remembers each write."""

    def __init__(self, tty: bool = False, text: str = "") -> None:
        super().__init__(text)
        self.tty = tty
        self.writes: list[str] = []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


@dataclass
class Console:
    """Runs ``g4f.cli.main`` with fresh stdin/stdout/stderr (set during the test's call phase)."""

    monkeypatch: pytest.MonkeyPatch = field(repr=False)
    stdin: Stream = field(default_factory=lambda: Stream(tty=True))
    stdout: Stream = field(default_factory=Stream)
    stderr: Stream = field(default_factory=Stream)

    def run(self, argv: list[str], stdin: str | None = None, tty: bool = False) -> int:
        """``main(argv)`` with ``stdin`` piped (None: an interactive terminal), stdout a terminal or not."""
        from g4f.cli import main

        self.stdin = Stream(tty=stdin is None, text=stdin or "")
        self.stdout = Stream(tty=tty)
        self.stderr = Stream()
        self.monkeypatch.setattr(sys, "stdin", self.stdin)
        self.monkeypatch.setattr(sys, "stdout", self.stdout)
        self.monkeypatch.setattr(sys, "stderr", self.stderr)
        return main(argv)

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield mocks.install_registry(monkeypatch)
    clear_cooldowns()


@pytest.fixture
def console(monkeypatch: pytest.MonkeyPatch) -> Console:
    monkeypatch.delenv("NO_COLOR", raising=False)
    return Console(monkeypatch)
