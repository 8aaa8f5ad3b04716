"""Reading a whole body with a size limit, shared by the transports."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ..errors import ResponseError

__all__ = ["read_limited"]


async def read_limited(
    chunks: AsyncIterator[bytes], limit: int | None, truncate: bool, provider: str | None
) -> bytes:
    """The concatenated ``chunks``; past ``limit`` bytes, cut (``truncate``) or a ResponseError."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if limit is not None and size > limit:
            if truncate:
                return b"".join(parts)[:limit]
            raise ResponseError(f"response body larger than {limit} bytes", provider=provider)
    return b"".join(parts)
