"""The real ``g4f api`` server (``g4f.api._server.serve``, guarded connections included)
on a loopback port inside the test's loop, and raw-socket helpers for requests an HTTP
client would refuse to send or would normalise."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from g4f.api._server import serve

__all__ = ["served", "exchange", "parse", "Raw", "open_files_for"]


@asynccontextmanager
async def served(**kwargs: Any) -> AsyncIterator[int]:
    """Run ``serve()`` on 127.0.0.1 with a free port; yields the port."""
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def on_ready(host: str, port: int) -> None:
        ready.set_result(port)

    task = asyncio.create_task(serve("127.0.0.1", 0, stop=stop, on_ready=on_ready, **kwargs))
    done, _ = await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()  # startup failed: raise its error
    assert ready in done, "the server did not start within 30 s"
    try:
        yield ready.result()
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)


class Raw:
    """One raw client socket (non-blocking) that records what the server sent back."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.opened = time.monotonic()
        self.received = b""
        self.closed_at: float | None = None

    @classmethod
    async def open(cls, port: int) -> Raw:
        """Connect without blocking the loop (the server accepts in the same loop)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
        except BaseException:
            sock.close()
            raise
        return cls(sock)

    def answered(self) -> bool:
        """Poll; True once a whole answer (per its Content-Length) arrived or the
        connection closed."""
        closed = self.poll()
        head, sep, body = self.received.partition(b"\r\n\r\n")
        if not sep:
            return closed
        length = parse(head + sep)[1].get("content-length")
        return closed or (length is not None and len(body) >= int(length))

    @property
    def status(self) -> int | None:
        """The status of the answer received so far, if any."""
        return parse(self.received)[0] if self.received.startswith(b"HTTP/1.") else None

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the server has closed the connection."""
        try:
            self.sock.sendall(data)
            return True
        except (BlockingIOError, OSError):
            return False

    def poll(self) -> bool:
        """Read what arrived; True once the server closed the connection."""
        if self.closed_at is not None:
            return True
        while True:
            try:
                chunk = self.sock.recv(65536)
            except BlockingIOError:
                return False
            except OSError:  # reset by the server: closed as well
                chunk = b""
            if not chunk:
                self.closed_at = time.monotonic()
                return True
            self.received += chunk

    def close(self) -> None:
        self.sock.close()


async def exchange(port: int, data: bytes, timeout: float = 15.0) -> bytes:
    """Send ``data`` on a new connection and read until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


def parse(raw: bytes) -> tuple[int, dict[str, str], Any]:
    """``(status, headers, body)`` of the last response in ``raw`` (JSON decoded if it is)."""
    head, _, body = raw.rpartition(b"HTTP/1.")[2].partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        return status, headers, json.loads(body)
    except ValueError:
        return status, headers, body.decode("latin-1")


@contextmanager
def open_files_for(count: int) -> Iterator[int]:
    """Raise this process's soft ``RLIMIT_NOFILE`` to at least ``count`` for the block.

    Yields the limit in force; a test compares it with what it needs and says so.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        yield resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
