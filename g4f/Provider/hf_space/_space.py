"""The base of every Space provider: base URL, session, inputs and chunk conversion."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, ClassVar

from ...cookies import get_cookies
from ...errors import BadRequestError, NetworkError, ResponseError, ResponseStatusError
from ...inputs import data_uri_bytes, media_input
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.response import ImagePreview, ImageResponse, Reasoning
from ...typing import MediaListType
from ._gradio import (
    GradioUpdate,
    SpaceConfig,
    call_events,
    file_url,
    queue_events,
    space_config,
    upload,
    zerogpu_headers,
)
from ._host import forget_space, resolve_space

__all__ = [
    "SpaceProvider",
    "SpaceSession",
    "load_media",
    "last_file_url",
    "file_urls",
    "chat_text",
    "first_chat_text",
    "image_size",
    "TextDelta",
]

_SIGNATURES = (
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def _mime(data: bytes, name: str) -> str:
    for magic, mime in _SIGNATURES:
        if data.startswith(magic):
            return mime
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


async def load_media(session: Any, media: MediaListType | None) -> list[tuple[bytes, str, str]]:
    """``(bytes, filename, mime)`` for each media item: bytes, a file object, a ``Path``,
    a ``data:`` URI or an http(s) URL (a string is never a file name)."""
    files: list[tuple[bytes, str, str]] = []
    for index, item in enumerate(media or []):
        value, name = item if isinstance(item, (tuple, list)) else (item, None)
        media = media_input(value, name, f"media[{index}]")
        name = media.name or f"image{index}.png"
        if media.data is not None:
            data = media.data
        elif media.url is not None and media.url[:5].lower() == "data:":
            data = data_uri_bytes(media.url, f"media[{index}]")
        else:
            assert media.url is not None
            async with session.get(media.url) as response:
                await response.raise_for_status()
                data = await response.read()
            name = media.name or os.path.basename(media.url.split("?")[0]) or name
        files.append((data, name, _mime(data, name)))
    return files


def file_urls(base_url: str, api_prefix: str, value: Any) -> list[str]:
    """URLs of every file in an output value (FileData, Gallery items, Video wrappers, lists)."""
    url = file_url(base_url, api_prefix, value)
    if url:
        return [url]
    if isinstance(value, Mapping):
        return [
            u
            for key in ("image", "video", "file")
            if key in value
            for u in file_urls(base_url, api_prefix, value[key])
        ]
    if isinstance(value, list):
        return [u for item in value for u in file_urls(base_url, api_prefix, item)]
    return []


def last_file_url(base_url: str, api_prefix: str, data: list[Any] | None) -> str | None:
    """The URL of the first file among a job's outputs."""
    for value in data or []:
        urls = file_urls(base_url, api_prefix, value)
        if urls:
            return urls[0]
    return None


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, Mapping):
        return str(content.get("text") or "")
    if isinstance(content, list):
        return "".join(_text_of(part) for part in content)
    return ""


def chat_text(history: Any) -> str | None:
    """The last assistant message of a Chatbot value (messages or ``[user, bot]`` pairs)."""
    if not isinstance(history, list) or not history:
        return None
    last = history[-1]
    if isinstance(last, Mapping) and "role" in last:
        return _text_of(last.get("content")) if last.get("role") == "assistant" else ""
    if isinstance(last, (list, tuple)) and len(last) == 2:
        return _text_of(last[1])
    return None


def first_chat_text(outputs: list[Any] | None) -> str | None:
    """The assistant text of the first Chatbot value among a job's outputs."""
    for value in outputs or []:
        text = chat_text(value)
        if text is not None:
            return text
    return None


def image_size(
    aspect_ratio: str | None, width: int | None, height: int | None, side: int = 1024
) -> tuple[int, int]:
    """Width and height: explicit values, else the ratio scaled to ``side`` (multiples of 32)."""
    if width and height:
        return int(width), int(height)
    ratio_w, _, ratio_h = (aspect_ratio or "1:1").partition(":")
    try:
        rw, rh = float(ratio_w), float(ratio_h)
    except ValueError:
        raise BadRequestError(f"aspect_ratio must look like 16:9, not {aspect_ratio!r}") from None
    if rw <= 0 or rh <= 0:
        raise BadRequestError(f"aspect_ratio must be positive, not {aspect_ratio!r}")
    scale = side / max(rw, rh)
    return int(width or max(32, round(rw * scale / 32) * 32)), int(
        height or max(32, round(rh * scale / 32) * 32)
    )


class TextDelta:
    """Turns successive full texts into the new part of each (a stream of increments)."""

    def __init__(self) -> None:
        self.text = ""

    def feed(self, text: str | None) -> str:
        if not text:
            return ""
        # A rewritten earlier part cannot be taken back from the caller; only new text is sent.
        start = len(os.path.commonprefix([self.text, text]))
        self.text = text
        return text[start:]


@dataclass(frozen=True)
class SpaceSession:
    """A Space ready to take jobs: its base URL, the headers to send it and its config."""

    base: str
    headers: dict[str, str]
    config: SpaceConfig


class SpaceProvider(AsyncGeneratorProvider, ProviderModelMixin):
    """One Hugging Face Space, reached only through the HuggingSpace aggregator.

    ``space`` is its Hub id: the Hub says where it runs and whether it is up
    (``_host.resolve_space``); ``space_url=`` or ``HF_SPACES_ENDPOINT`` point it elsewhere.
    ``url`` is the Space's page on the Hub.
    """

    include_in_any = False
    parent = "HuggingSpace"
    working = True
    space: ClassVar[str] = ""
    api_name: ClassVar[str] = "infer"
    #: Whether the Space runs on ZeroGPU (then a user token raises the quota) when the Hub
    #: does not say (its hardware wins when it does).
    zerogpu: ClassVar[bool] = False

    @classmethod
    async def space_headers(
        cls,
        session: Any,
        cookies: Mapping[str, str] | None = None,
        api_key: str | None = None,
        space: str | None = None,
    ) -> dict[str, str]:
        """Headers for the Space's requests (the ZeroGPU token when the user is known)."""
        if cookies is None:
            cookies = get_cookies("huggingface.co", False)
        return await zerogpu_headers(session, space or cls.space, cookies, api_key)

    @classmethod
    async def connect(
        cls,
        session: Any,
        space: str | None = None,
        *,
        space_url: str | None = None,
        cookies: Mapping[str, str] | None = None,
        api_key: str | None = None,
    ) -> SpaceSession:
        """Find the Space (waking it if asleep), its ZeroGPU headers and its ``/config``."""
        space = space or cls.space
        host = await resolve_space(session, space, space_url=space_url, api_key=api_key)
        zerogpu = host.zerogpu if host.hardware else cls.zerogpu
        headers = await cls.space_headers(session, cookies, api_key, space) if zerogpu else {}
        try:
            config = await space_config(session, host.url, headers)
        except (NetworkError, ResponseStatusError):
            # The host the Hub gave may be stale (the Space slept or moved): ask again next time.
            forget_space(space)
            raise
        return SpaceSession(host.url, headers, config)

    @classmethod
    async def image_chunks(
        cls, updates: AsyncIterator[GradioUpdate], prompt: str, base: str, api_prefix: str
    ) -> AsyncIterator[Any]:
        """Progress as ``Reasoning``, previews as ``ImagePreview``, the result as ``ImageResponse``."""
        async for update in updates:
            if update.kind == "queue":
                yield Reasoning(label="In queue", status=update.status)
            elif update.kind in ("progress", "log"):
                yield Reasoning(label="Generating", status=update.status)
            elif update.kind == "generating":
                url = last_file_url(base, api_prefix, update.data)
                if url:
                    yield ImagePreview(url, alt=prompt)
            elif update.kind == "completed":
                url = last_file_url(base, api_prefix, update.data)
                if not url:
                    raise ResponseError(
                        f"{cls.__name__}: the Space returned no image", provider=cls.__name__
                    )
                yield Reasoning(label="Finished", status="")
                yield ImageResponse(url, alt=prompt)

    @classmethod
    async def run_image_job(
        cls,
        prompt: str,
        build_data: Any,
        *,
        upload_media: MediaListType | None = None,
        cookies: Mapping[str, str] | None = None,
        api_key: str | None = None,
        space_url: str | None = None,
        call: bool = False,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Upload ``upload_media`` (if any), run the Space's endpoint with ``build_data(files)``.

        Other keyword arguments (a caller's ``media`` for a text-to-image Space included)
        only configure the session.
        """
        if not prompt.strip():
            raise BadRequestError(f"{cls.__name__}: an empty prompt", provider=cls.__name__)
        async with cls.open_session(**kwargs) as session:
            space = await cls.connect(
                session, space_url=space_url, cookies=cookies, api_key=api_key
            )
            base, headers, prefix = space.base, space.headers, space.config.api_prefix
            files = await load_media(session, upload_media)
            uploaded = await upload(session, base, prefix, files, headers=headers) if files else []
            data = build_data(uploaded)
            if call:
                updates = call_events(
                    session,
                    base,
                    cls.api_name,
                    data,
                    headers=headers,
                    provider=cls.__name__,
                    api_prefix=prefix,
                )
            else:
                updates = queue_events(
                    session, base, cls.api_name, data, headers=headers, provider=cls.__name__
                )
            async with (
                aclosing(updates),
                aclosing(cls.image_chunks(updates, prompt, base, prefix)) as chunks,
            ):
                async for chunk in chunks:
                    yield chunk
