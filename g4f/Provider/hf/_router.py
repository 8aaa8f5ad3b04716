"""Shared pieces of the router providers (HuggingFaceAPI, HuggingFaceInference).

Auth headers, the image size table, and opening a request with its status checked.
A 503 whose body carries ``estimated_time`` (the model is loading) is raised with
``retry_after`` set to it; the failover engine decides whether to wait and send the
request again (docs/client.md, "Retries and failover").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ..._secrets import add_secret
from ...config import get_hf_token
from ...errors import MissingAuthError

__all__ = [
    "ASPECT_RATIOS",
    "TOKEN_HINT",
    "auth_headers",
    "image_size",
    "open_with_wait",
    "require_token",
]

TOKEN_HINT = (
    "pass api_key=..., set HF_TOKEN (or HUGGINGFACE_API_KEY), or log in with "
    "`hf auth login`; create a token with the 'Make calls to Inference Providers' "
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


@asynccontextmanager
async def open_with_wait(
    session: Any, method: str, url: str, *, timeout: float | None = None, **kwargs: Any
) -> AsyncIterator[Any]:
    """``session.request(...)`` with a checked status: yields the OK response.

    An error status raises its typed error; a loading model's 503 carries
    ``retry_after`` = ``estimated_time`` for the engine's one wait.
    """
    async with session.request(method, url, timeout=timeout, **kwargs) as response:
        await response.raise_for_status()
        yield response
