"""``python -m g4f api`` as a real process for the multi-process tests and the benchmark."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping

__all__ = ["Gateway"]

_READY = re.compile(r"serving on http://127\.0\.0\.1:(\d+)")


class Gateway:
    """One ``g4f api`` process on a free loopback port; its stderr is collected in ``log``."""

    def __init__(self, *args: str, env: Mapping[str, str] | None = None) -> None:
        self.args = ["--bind", "127.0.0.1:0", *args]
        self.env = {**os.environ, **(env or {})}
        self.log: list[str] = []
        self.proc: subprocess.Popen[str] | None = None
        self._drain: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Gateway:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "g4f", "api", *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env,
        )
        ready = threading.Event()

        def drain() -> None:
            assert self.proc is not None and self.proc.stderr is not None
            for line in self.proc.stderr:
                self.log.append(line)
                match = _READY.search(line)
                if match and not ready.is_set():
                    self.port = int(match.group(1))
                    ready.set()
            ready.set()

        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        if not ready.wait(timeout) or not self.port:
            self.kill()
            raise RuntimeError("g4f api did not start:\n" + "".join(self.log))
        return self

    @property
    def text(self) -> str:
        return "".join(self.log)

    def children(self) -> list[int]:
        """PIDs of the worker processes (``--workers``), from /proc."""
        assert self.proc is not None
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                found.append(int(entry))
        return found

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=10)
        self._close()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        """After the process ended: let the reader reach EOF, then close the pipe."""
        if self._drain is not None:
            self._drain.join(timeout=10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()

    def __enter__(self) -> Gateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
