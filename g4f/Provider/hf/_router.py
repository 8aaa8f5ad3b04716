"""Shared pieces of the router providers (HuggingFaceAPI, HuggingFaceInference).

Auth headers, the image size table, and the cold-start wait: a 503 whose body
carries ``estimated_time`` means the model is loading, so the request is sent again
after that many seconds (capped), as long as the whole-request timeout allows.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ..._secrets import add_secret
from ...config import default_timeout, get_hf_token
from ...errors import MissingAuthError, ResponseStatusError

__all__ = [
    "ASPECT_RATIOS",
    "MAX_LOADING_WAIT",
    "TOKEN_HINT",
    "auth_headers",
    "image_size",
    "open_with_wait",
    "require_token",
]

#: Longest single wait for a loading model, in seconds.
MAX_LOADING_WAIT = 60.0

TOKEN_HINT = (
    "pass api_key=..., set HF_TOKEN (or HUGGINGFACE_API_KEY), or save one with "
    "`g4f login token`; create a token with the 'Make calls to Inference Providers' "
    "permission at https://huggingface.co/settings/tokens"
)

#: Aspect ratio → (width, height), used when the caller gives no explicit size.
ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1024, 1024),
    "16:9": (1024, 576),
    "9:16": (576, 1024),
    "4:3": (1024, 768),
    "3:4": (768, 1024),
    "3:2": (1024, 682),
    "2:3": (682, 1024),
    "21:9": (1024, 440),
    "9:21": (440, 1024),
    "4:5": (832, 1040),
    "5:4": (1040, 832),
    "2:1": (1024, 512),
    "1:2": (512, 1024),
}


def require_token(provider: str, api_key: str | None) -> str:
    """The Hugging Face token (DESIGN §3 order), or a :class:`MissingAuthError` saying how to add one."""
    token = get_hf_token(api_key)
    if not token:
        raise MissingAuthError(
            f"{provider} needs a Hugging Face token: {TOKEN_HINT}", provider=provider
        )
    return token


def auth_headers(
    token: str | None, bill_to: str | None = None, accept: str | None = None
) -> dict[str, str]:
    """Request headers: Bearer token, optional ``X-HF-Bill-To`` (registered as a secret)."""
    headers = {"Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    if token:
        add_secret(token)
        headers["Authorization"] = f"Bearer {token}"
    if bill_to:
        add_secret(bill_to, min_length=3)
        headers["X-HF-Bill-To"] = bill_to
    return headers


def image_size(
    aspect_ratio: str | None = None,
    width: int | None = None,
    height: int | None = None,
    size: str | None = None,
) -> tuple[int, int]:
    """Width and height: explicit values win, then ``size="WxH"``, then the aspect ratio table."""
    if size and not (width and height):
        w, _, h = str(size).lower().partition("x")
        if w.isdigit() and h.isdigit():
            width, height = width or int(w), height or int(h)
    default_w, default_h = ASPECT_RATIOS.get(aspect_ratio or "1:1", ASPECT_RATIOS["1:1"])
    return int(width or default_w), int(height or default_h)


def _loading_wait(exc: ResponseStatusError, deadline: float) -> float | None:
    """Seconds to wait for a loading model, or None when the error is not that or time is up."""
    if (
        exc.status_code != 503
        or exc.retry_after is None
        or not exc.body
        or "estimated_time" not in exc.body
    ):
        return None
    wait = min(max(exc.retry_after, 0.05), MAX_LOADING_WAIT)
    if time.monotonic() + wait >= deadline:
        return None
    return wait


@asynccontextmanager
async def open_with_wait(
    session: Any, method: str, url: str, *, timeout: float | None = None, **kwargs: Any
) -> AsyncIterator[Any]:
    """``session.request(...)`` with a checked status, waiting out 503 ``estimated_time`` replies.

    Yields the OK response; any other error status raises its typed error.
    """
    deadline = time.monotonic() + (timeout or default_timeout())
    while True:
        wait: float | None = None
        async with session.request(method, url, **kwargs) as response:
            if response.status == 503:
                try:
                    await response.raise_for_status()
                except ResponseStatusError as exc:
                    wait = _loading_wait(exc, deadline)
                    if wait is None:
                        raise
            else:
                await response.raise_for_status()
                yield response
                return
        await asyncio.sleep(wait)
