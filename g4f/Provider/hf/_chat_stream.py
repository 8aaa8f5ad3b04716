"""HuggingChat's answer stream: chat-ui ``MessageUpdate`` JSON lines → g4f chunks.

One JSON object per line (PROTOCOLS.md §E). Tokens are right-padded with ``\\0``
(a side-channel defence) and are stripped here. ``finalAnswer`` ends the answer:
reading stops there, so the 4 KB of spaces chat-ui sends after it are never
waited for. A stream that ends without ``finalAnswer`` is an error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from ...debug import logger
from ...errors import NetworkError, ResponseError, error_from_response
from ...providers.response import (
    FinishReason,
    ImageResponse,
    ProviderInfo,
    Reasoning,
    Sources,
    TitleGeneration,
    VideoResponse,
)

__all__ = ["iter_message_updates"]

_PROVIDER = "HuggingChat"


def _clean(token: Any) -> str:
    return str(token or "").replace("\0", "")


def _status_error(update: Mapping[str, Any]) -> Exception:
    message = str(update.get("message") or "generation failed")
    status = update.get("statusCode")
    if isinstance(status, int) and status >= 400:
        return error_from_response(status, json.dumps({"error": message}), provider=_PROVIDER)
    return ResponseError(f"{_PROVIDER}: {message}", provider=_PROVIDER)


def _tool_progress(update: Mapping[str, Any]) -> Reasoning | None:
    subtype = update.get("subtype")
    call = update.get("call") if isinstance(update.get("call"), Mapping) else {}
    name = str(call.get("name") or update.get("name") or "tool")
    if subtype == "call":
        return Reasoning(status=f"Calling {name}", label="Tool")
    if subtype == "error":
        return Reasoning(
            status=f"Tool failed: {update.get('message', '')}".rstrip(": "), label="Tool"
        )
    if subtype == "result":
        return Reasoning(status="Tool finished", label="Tool")
    return None


def _media(
    update: Mapping[str, Any], file_url: Callable[[str], str], prompt: str, options: dict[str, Any]
) -> Any:
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


async def iter_message_updates(
    lines: AsyncIterator[str],
    *,
    file_url: Callable[[str], str],
    prompt: str = "",
    file_options: dict[str, Any] | None = None,
) -> AsyncIterator[Any]:
    """Chunks of one answer from the JSON lines of a chat-ui message stream.

    ``file_url(sha)`` builds the URL of a generated file; ``file_options`` (the
    session cookies) travel with the media chunk so the file can be fetched.
    """
    sources: Sources | None = None
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
        elif kind == "file":
            media = _media(update, file_url, prompt, dict(file_options or {}))
            if media is not None:
                yield media
        elif kind == "webSearch":
            found = update.get("sources")
            if isinstance(found, list) and found:
                sources = Sources(s for s in found if isinstance(s, Mapping))
        elif kind == "routerMetadata":
            if update.get("model"):
                yield ProviderInfo(_PROVIDER, str(update["model"]), route=update.get("route"))
        elif kind == "tool":
            progress = _tool_progress(update)
            if progress is not None:
                yield progress
        elif kind == "finalAnswer":
            if not streamed and update.get("text"):
                yield str(update["text"])
            if sources is not None:
                yield sources
            yield FinishReason("stop")
            return
    raise NetworkError(
        f"{_PROVIDER}: the answer stream ended without a final answer", provider=_PROVIDER
    )
