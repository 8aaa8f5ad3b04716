"""HTTP for g4f: the only package that imports an HTTP library (lazily)."""

from __future__ import annotations

from .pool import ConnectionPool, connection_pool, shared_pool
from .raise_for_status import raise_for_status
from .session import FormFile, StreamResponse, StreamSession, Timeouts
from .sse import SSEEvent, iter_ndjson, iter_sse, iter_sse_json, sse_stream

__all__ = [
    "StreamSession",
    "StreamResponse",
    "FormFile",
    "Timeouts",
    "SSEEvent",
    "iter_sse",
    "iter_sse_json",
    "iter_ndjson",
    "sse_stream",
    "raise_for_status",
    "ConnectionPool",
    "connection_pool",
    "shared_pool",
]
