"""HuggingChat's answer stream: chat-ui ``MessageUpdate`` JSON lines → g4f chunks.

One JSON object per line (``src/lib/types/MessageUpdate.ts``; the route is
``src/routes/conversation/[id]/+server.ts``). Tokens are right-padded with ``\\0``
(a side-channel defence) and are stripped here. ``finalAnswer`` ends the answer:
reading stops there, so the 4 KB of spaces and the ``finished`` status chat-ui sends
after it are never waited for. A stream that ends without ``finalAnswer`` is an error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from ....debug import logger
from ....errors import (
    MissingCapabilityError,
    NetworkError,
    ResponseError,
    error_from_response,
)
from ....providers.response import (
    FinishReason,
    ImageResponse,
    MediaResponse,
    ProviderInfo,
    Reasoning,
    TitleGeneration,
    VideoResponse,
    is_content,
)
from .tools import ToolTracker

__all__ = ["iter_message_updates", "require_capabilities"]

_PROVIDER = "HuggingChat"


def _clean(token: Any) -> str:
    return str(token or "").replace("\0", "")


def _status_error(update: Mapping[str, Any]) -> Exception:
    message = str(update.get("message") or "generation failed")
    status = update.get("statusCode")
    if status == 404 and not update.get("message"):
        # downloadFile.ts: a file the message names is not in the conversation.
        return ResponseError(
            f"{_PROVIDER}: a file of the message is not in the conversation (404)",
            provider=_PROVIDER,
            status_code=404,
        )
    if isinstance(status, int) and status >= 400:
        return error_from_response(status, json.dumps({"error": message}), provider=_PROVIDER)
    return ResponseError(f"{_PROVIDER}: {message}", provider=_PROVIDER)


def _media(
    update: Mapping[str, Any], file_url: Callable[[str], str], prompt: str, options: dict[str, Any]
) -> Any:
    # Legacy "file" updates (still typed in MessageUpdate.ts, stored by +server.ts).
    sha, mime = str(update.get("sha") or ""), str(update.get("mime") or "")
    if not sha:
        return None
    url = file_url(sha)
    if mime.startswith("video/"):
        return VideoResponse(url, alt=prompt, options=options)
    if mime.startswith("image/") or not mime:
        return ImageResponse(url, alt=prompt, options=options)
    logger.debug("%s: skipping a generated file of type %s", _PROVIDER, mime)
    return None


class _Router:
    """routerMetadata updates: route and model first, the provider possibly later."""

    def __init__(self) -> None:
        self.model = ""
        self.route = ""

    def info(self, update: Mapping[str, Any]) -> ProviderInfo | None:
        self.model = str(update.get("model") or "") or self.model
        self.route = str(update.get("route") or "") or self.route
        provider = str(update.get("provider") or "")
        if not self.model and not provider:
            return None
        return ProviderInfo(_PROVIDER, self.model, route=self.route, provider=provider or None)


async def iter_message_updates(
    lines: AsyncIterator[str],
    *,
    file_url: Callable[[str], str],
    prompt: str = "",
    file_options: dict[str, Any] | None = None,
    tools: ToolTracker | None = None,
) -> AsyncIterator[Any]:
    """Chunks of one answer from the JSON lines of a chat-ui message stream.

    ``file_url(sha)`` builds the URL of a generated file; ``file_options`` (the
    session cookies) travel with such a media chunk so the file can be fetched.
    ``tools`` maps ``tool`` updates (and keeps count of the images and sources).
    """
    tools = tools if tools is not None else ToolTracker(prompt)
    router = _Router()
    streamed = False
    async for raw in lines:
        line = raw.strip()
        if not line:
            continue
        try:
            update = json.loads(line)
        except (ValueError, RecursionError):
            logger.debug("%s: skipping an undecodable stream line (%d chars)", _PROVIDER, len(line))
            continue
        if not isinstance(update, dict) or "type" not in update:
            raise ResponseError(
                f"{_PROVIDER}: unexpected stream line: {line[:100]}", provider=_PROVIDER
            )
        kind = update["type"]
        if kind == "stream":
            token = _clean(update.get("token"))
            if token:
                streamed = True
                yield token
        elif kind == "status":
            if update.get("status") == "error":
                raise _status_error(update)
        elif kind == "title":
            yield TitleGeneration(_clean(update.get("title")))
        elif kind == "reasoning":
            if update.get("subtype") == "stream":
                token = _clean(update.get("token"))
                if token:
                    yield Reasoning(token)
            elif update.get("status"):
                yield Reasoning(status=str(update["status"]))
        elif kind == "tool":
            for chunk in tools.feed(update):
                yield chunk
        elif kind == "file":
            media = _media(update, file_url, prompt, dict(file_options or {}))
            if media is not None:
                yield media
        elif kind == "routerMetadata":
            info = router.info(update)
            if info is not None:
                yield info
        elif kind == "elicitation" and update.get("subtype") == "request":
            raise ResponseError(
                f"{_PROVIDER}: a tool asked for input in the web page; answer it there",
                provider=_PROVIDER,
            )
        elif kind == "finalAnswer":
            if not streamed and update.get("text"):
                yield str(update["text"])
            # chat-ui flags an answer cut short (no end-of-sequence token) as interrupted.
            yield FinishReason("length" if update.get("interrupted") else "stop")
            return
    raise NetworkError(
        f"{_PROVIDER}: the answer stream ended without a final answer", provider=_PROVIDER
    )


async def require_capabilities(
    chunks: AsyncIterator[Any], tools: ToolTracker, *, image: bool = False, sources: bool = False
) -> AsyncIterator[Any]:
    """Pass ``chunks`` on, holding content back until the requested image/sources have come.

    Text and reasoning tokens are held (progress notes pass), so an answer that lacks
    them has not "started" for the failover engine: when it ends without them, the held
    content is dropped and :class:`MissingCapabilityError` says what was missing (and
    why, when a tool failed).
    """
    held: list[Any] = []
    async for chunk in chunks:
        missing = [
            what
            for what, wanted, have in (
                ("an image", image, tools.images),
                ("web sources", sources, tools.sources),
            )
            if wanted and not have
        ]
        if missing and is_content(chunk) and not isinstance(chunk, MediaResponse):
            held.append(chunk)
            continue
        if missing and isinstance(chunk, FinishReason):
            raise MissingCapabilityError(
                f"{_PROVIDER}: the answer came without {' and '.join(missing)} "
                f"({tools.why_missing()})",
                provider=_PROVIDER,
            )
        if held and not missing:
            for text in held:
                yield text
            held.clear()
        yield chunk
