"""Turn an error response into g4f's typed error."""

from __future__ import annotations

from typing import Any

from ..errors import error_from_response

__all__ = ["raise_for_status"]

_ERROR_BODY_LIMIT = 64 * 1024


async def raise_for_status(response: Any, provider: str | None = None) -> None:
    """Raise the typed error for a non-2xx ``StreamResponse``; return otherwise."""
    if 200 <= response.status < 300:
        return
    try:
        text = (await response._backend.read(_ERROR_BODY_LIMIT, truncate=True)).decode(
            "utf-8", "replace"
        )
    except Exception:  # noqa: BLE001 - the status alone still says what failed
        text = ""
    raise error_from_response(
        response.status,
        text,
        dict(response.headers),
        provider=provider or getattr(response, "provider", None),
        url=str(response.url),
    )
