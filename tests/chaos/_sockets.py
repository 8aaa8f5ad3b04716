"""Count this process's open TCP connections to a port (Linux ``/proc``; no psutil needed)."""

from __future__ import annotations

import os
import sys

__all__ = ["connections_to", "available"]

_STATE_LISTEN = "0A"


def available() -> bool:
    """Whether ``/proc`` lets us see this process's sockets."""
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd")


def _socket_inodes() -> set[str]:
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _rows() -> list[tuple[int, str, str]]:
    """(remote port, state, inode) of every TCP socket of the network namespace."""
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                lines = handle.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            rows.append((remote_port, fields[3], fields[9]))
    return rows


def connections_to(port: int) -> int:
    """How many sockets this process holds open whose far end is ``port`` (client side)."""
    mine = _socket_inodes()
    return sum(
        1
        for remote, state, inode in _rows()
        if remote == port and state != _STATE_LISTEN and inode in mine
    )
