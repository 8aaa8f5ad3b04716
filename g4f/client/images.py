"""``client.images`` / ``client.media``: image and video generation."""

from __future__ import annotations

import base64
import os
from contextlib import aclosing
from typing import Any

from ..errors import InvalidRequestError, ResponseError
from ..inputs import check_media_url
from ..providers.response import ImagePreview, MediaResponse, VideoResponse
from .service import model_name, provider_name, resolve_provider
from .stubs import Image, ImagesResponse

__all__ = ["AsyncImages", "save_media", "fetch_bytes"]


def _decode_data_uri(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    if ";base64" not in header:
        from urllib.parse import unquote_to_bytes

        return unquote_to_bytes(payload)
    return base64.b64decode(payload)


async def fetch_bytes(
    url: str, options: dict[str, Any] | None = None, proxy: str | None = None
) -> bytes:
    """The bytes behind a media URL (``data:`` URIs decoded locally, never a local file)."""
    check_media_url(url, "a media result")
    if url.startswith("data:"):
        return _decode_data_uri(url)
    from ..requests import StreamSession

    options = options or {}
    async with StreamSession(
        cookies=options.get("cookies"),
        headers=options.get("headers"),
        proxy=proxy,
        provider="media",
    ) as session:
        async with session.get(url) as response:
            await response.raise_for_status()
            return await response.read()


def save_media(image: Image, path: str) -> str:
    """Write one result to ``path`` and nowhere else."""
    if image.b64_json:
        data = base64.b64decode(image.b64_json)
    elif image.url:
        from .._loop import run_sync

        data = run_sync(fetch_bytes(image.url, getattr(image, "_options", None)))
    else:
        raise InvalidRequestError("nothing to save: the result has neither url nor b64_json")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


class AsyncImages:
    """Image (and video) generation on a provider; ``client.media`` is the same object."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def generate(
        self,
        prompt: str,
        model: Any = None,
        provider: Any = None,
        response_format: str | None = None,
        n: int = 1,
        proxy: str | None = None,
        **kwargs: Any,
    ) -> ImagesResponse:
        """Generate ``n`` results for ``prompt``; URLs or base64 as ``response_format`` says.

        Videos always come back as URLs (``data:`` URIs when the service sent bytes).
        Nothing is written to disk; ``ImagesResponse.save(path)`` writes where asked.
        """
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidRequestError("prompt must be a non-empty string")
        # As gpt4free: b64_json downloads and encodes; any other format returns the
        # original URLs (gpt4free scripts pass e.g. "local" or "original").
        if response_format != "b64_json":
            response_format = "url"
        if not isinstance(n, int) or n < 1 or n > 10:
            raise InvalidRequestError("n must be an integer between 1 and 10")
        model = model_name(model) or "flux"
        chosen = resolve_provider(provider, self._client.media_provider)
        kwargs.setdefault("api_key", self._client.api_key)
        proxy = proxy or self._client.get_proxy()
        params = {k: v for k, v in kwargs.items() if v is not None}
        results: list[MediaResponse] = []
        name = provider_name(chosen)
        from ._chat import iter_events

        events = iter_events(
            chosen,
            model,
            [{"role": "user", "content": prompt}],
            prompt=prompt,
            n=n,
            proxy=proxy,
            **params,
        )
        async with aclosing(events):
            async for event in events:
                # Previews are intermediate frames of a running job, not results.
                if event.kind == "media" and not isinstance(event.value, ImagePreview):
                    results.append(event.value)
                elif event.kind == "provider":
                    name = event.value.name or name
        urls = [(url, media) for media in results for url in media.get_list()]
        if not urls:
            raise ResponseError(f"{name}: no media in the response", provider=name)
        data: list[Image] = []
        for url, media in urls[: max(n, 1)] if len(urls) > n else urls:
            # Videos stay URLs whatever the format: base64 of a video is no use in JSON.
            if response_format == "b64_json" and not isinstance(media, VideoResponse):
                raw = await fetch_bytes(url, media.options, proxy)
                image = Image(b64_json=base64.b64encode(raw).decode(), revised_prompt=prompt)
            else:
                image = Image(url=url, revised_prompt=prompt)
                object.__setattr__(image, "_options", media.options)
            data.append(image)
        return ImagesResponse(data=data, model=model, provider=name)
