"""HuggingChat's HTTP steps against chat-ui (PROTOCOLS.md §E).

Create a conversation, read its latest message id, build the multipart message
(part ``data`` plus ``files`` parts named ``base64;<name>``), parse the model list.
Every JSON answer is checked for the login page chat-ui serves to sessions that
are not logged in, which becomes :class:`MissingAuthError`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from ...config import hf_endpoint
from ...errors import BadRequestError, MissingAuthError, is_html
from ...inputs import data_uri_bytes, join_url, media_input
from ...requests import FormFile
from ...requests.sse import decode_json_line
from ...typing import Messages

__all__ = [
    "IMAGE_TOOL_ID",
    "chat_base",
    "origin_of",
    "read_json",
    "create_conversation",
    "latest_message_id",
    "message_form",
    "media_files",
    "parse_models",
]

_PROVIDER = "HuggingChat"
#: chat-ui's built-in image generation tool.
IMAGE_TOOL_ID = "000000000000000000000001"
_JSON_LIMIT = 32 * 1024 * 1024


def chat_base() -> str:
    """``{HF_ENDPOINT}/chat``, read at call time."""
    return f"{hf_endpoint()}/chat"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (what chat-ui's CSRF check compares)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def read_json(response: Any, what: str) -> Any:
    """The JSON body of a chat-ui answer; typed errors for error statuses and login pages."""
    await response.raise_for_status()
    text = await response.text(_JSON_LIMIT)
    if is_html(text, response.content_type):
        raise MissingAuthError(
            f"{_PROVIDER}: {what} returned a web page instead of JSON (the session is not logged in)",
            provider=_PROVIDER,
            status_code=response.status,
        )
    return decode_json_line(text, _PROVIDER)


def _unwrap(data: Any) -> Any:
    """The payload of a superjson envelope (``{"json": ..., "meta": ...}``) or the data itself."""
    if isinstance(data, Mapping) and "json" in data:
        return data["json"]
    return data


async def create_conversation(session: Any, base: str, model: str) -> str:
    """``POST /conversation``: a new conversation's id."""
    async with session.post(join_url(base, "conversation"), json={"model": model}) as response:
        data = await read_json(response, "creating a conversation")
    conversation_id = data.get("conversationId") if isinstance(data, Mapping) else None
    if not isinstance(conversation_id, str) or not conversation_id:
        raise MissingAuthError(f"{_PROVIDER}: no conversation id in the answer", provider=_PROVIDER)
    return conversation_id


async def latest_message_id(session: Any, base: str, conversation_id: str) -> str | None:
    """The id of the conversation's last message; ``None`` when the conversation is gone."""
    url = join_url(base, "api", "v2", "conversations", conversation_id)
    async with session.get(url) as response:
        if response.status == 404:
            return None
        data = _unwrap(await read_json(response, "reading the conversation"))
    messages = data.get("messages") if isinstance(data, Mapping) else None
    if isinstance(messages, list) and messages and isinstance(messages[-1], Mapping):
        message_id = messages[-1].get("id")
        return str(message_id) if message_id else None
    return None


def message_form(
    inputs: str,
    parent_id: str | None,
    *,
    web_search: bool = False,
    tools: list[str] | None = None,
    files: list[FormFile] | None = None,
) -> list[FormFile]:
    """The multipart body of ``POST /conversation/{id}``."""
    data = {
        "inputs": inputs,
        "id": parent_id,
        "is_retry": False,
        "is_continue": False,
        "web_search": web_search,
        "tools": tools or [],
    }
    return [FormFile("data", json.dumps(data, separators=(",", ":")))] + list(files or [])


def _item_bytes(data: Any, name: str | None) -> tuple[bytes, str]:
    """``(bytes, filename)`` of one media item (strings are URLs, never file names)."""
    item = media_input(data, name)
    if item.data is not None:
        return item.data, item.name or "image"
    if item.url is not None and item.url[:5].lower() == "data:":
        return data_uri_bytes(item.url), name or "image"
    raise BadRequestError(
        f"{_PROVIDER}: images are uploaded, not linked; pass bytes, a file or a data: URI",
        provider=_PROVIDER,
    )


def _message_images(messages: Messages) -> list[tuple[Any, str | None]]:
    """Image parts (``image_url``) of the trailing user messages."""
    found: list[tuple[Any, str | None]] = []
    index = len(messages) - 1
    while index >= 0 and messages[index].get("role") == "user":
        content = messages[index].get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, Mapping) and part.get("type") == "image_url":
                    url = part.get("image_url")
                    url = url.get("url") if isinstance(url, Mapping) else url
                    if url:
                        found.append((url, None))
        index -= 1
    return list(reversed(found))


def media_files(media: Iterable[Any] | None, messages: Messages) -> list[FormFile]:
    """``files`` parts for the explicit ``media`` and the images of the last user messages."""
    items: list[tuple[Any, str | None]] = _message_images(messages)
    for item in media or []:
        if isinstance(item, (tuple, list)):
            items.append((item[0], item[1] if len(item) > 1 else None))
        else:
            items.append((item, None))
    parts = []
    for data, name in items:
        payload, filename = _item_bytes(data, name)
        text = base64.b64encode(payload).decode()
        parts.append(
            FormFile(
                "files",
                text,
                filename=f"base64;{filename}",
                content_type="application/octet-stream",
            )
        )
    return parts


def parse_models(data: Any) -> list[dict[str, Any]]:
    """Listed models of ``/api/v2/models`` (superjson) or ``/api/models`` (plain list)."""
    items = _unwrap(data)
    if not isinstance(items, list):
        return []
    return [
        dict(item)
        for item in items
        if isinstance(item, Mapping)
        and isinstance(item.get("id"), str)
        and not item.get("unlisted")
    ]
