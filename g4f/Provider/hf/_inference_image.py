"""Text-to-image for HuggingFaceInference.

FLUX models go through the router's Together route (image URLs); when Together
does not serve the model (404) or there is no token, the hf-inference route is
used, which answers raw image bytes, returned as ``data:`` URIs (nothing is
written to disk).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from ...config import hf_router_endpoint
from ...debug import logger
from ...errors import ModelNotFoundError, ResponseError
from ...inputs import join_url
from ...providers.response import ImageResponse
from ._router import open_with_wait

__all__ = ["TOGETHER_MODELS", "generate_images"]

TOGETHER_MODELS = ("black-forest-labs/FLUX.1-dev", "black-forest-labs/FLUX.1-schnell")
_MAX_IMAGE_BYTES = 64 * 1024 * 1024


async def _together(
    session: Any,
    model: str,
    prompt: str,
    headers: Mapping[str, str],
    body: dict[str, Any],
    timeout: float | None,
) -> list[str]:
    payload = {"response_format": "url", "prompt": prompt, "model": model, **body}
    url = f"{hf_router_endpoint()}/together/v1/images/generations"
    async with open_with_wait(
        session, "POST", url, json=payload, headers=headers, timeout=timeout
    ) as response:
        data = await response.json()
    items = data.get("data") if isinstance(data, Mapping) else None
    urls = []
    for item in items or []:
        if isinstance(item, Mapping) and item.get("url"):
            urls.append(str(item["url"]))
        elif isinstance(item, Mapping) and item.get("b64_json"):
            urls.append(f"data:image/png;base64,{item['b64_json']}")
    if not urls:
        raise ResponseError(f"together returned no image: {str(data)[:120]!r}")
    return urls


async def _hf_inference(
    session: Any,
    model: str,
    prompt: str,
    headers: Mapping[str, str],
    parameters: dict[str, Any],
    timeout: float | None,
) -> str:
    url = join_url(hf_router_endpoint(), "hf-inference", "models", *model.split("/"))
    payload = {"inputs": prompt, "parameters": parameters}
    image_headers = {**headers, "Accept": "image/png"}
    async with open_with_wait(
        session, "POST", url, json=payload, headers=image_headers, timeout=timeout
    ) as response:
        mime = response.content_type
        data = await response.read(_MAX_IMAGE_BYTES)
    if not mime.startswith("image/"):
        raise ResponseError(
            f"expected image bytes from {model}, got {mime or 'no content type'}: {data[:120]!r}"
        )
    if not data:
        raise ResponseError(f"{model} answered an empty image")
    return ImageResponse.from_bytes(data, mime).urls[0]


async def generate_images(
    session: Any,
    model: str,
    prompt: str,
    headers: Mapping[str, str],
    *,
    has_token: bool,
    width: int,
    height: int,
    n: int = 1,
    seed: int | None = None,
    extra_body: Mapping[str, Any] | None = None,
    timeout: float | None = None,
) -> ImageResponse:
    """``n`` images of ``prompt`` from ``model`` as one :class:`ImageResponse`."""
    body = {"width": width, "height": height, **(extra_body or {})}
    if model in TOGETHER_MODELS and has_token:
        together_body = {**body, "n": n} if n > 1 else body
        if seed is not None:
            together_body["seed"] = seed
        try:
            urls = await _together(session, model, prompt, headers, together_body, timeout)
            return ImageResponse(urls, prompt, {"model": model, "route": "together"})
        except ModelNotFoundError:
            logger.debug("together does not serve %s; using hf-inference", model)
    urls = []
    for index in range(max(1, n)):
        image_seed = seed + index if seed is not None else random.randint(0, 2**32 - 1)
        urls.append(
            await _hf_inference(
                session, model, prompt, headers, {**body, "seed": image_seed}, timeout
            )
        )
    return ImageResponse(urls, prompt, {"model": model, "route": "hf-inference"})
