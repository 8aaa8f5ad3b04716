"""HuggingChat's HTTP steps against chat-ui (``docs/protocols/huggingchat.md``).

Create a conversation, read its messages, ask who is logged in, build the multipart
message, stop a generation, parse the model list. Every JSON answer is checked for
the login page chat-ui serves to sessions that are not logged in, which becomes
:class:`MissingAuthError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ....config import hf_endpoint
from ....debug import logger
from ....errors import MissingAuthError, is_html
from ....inputs import join_url
from ....requests import FormFile
from ....requests.sse import decode_json_line

__all__ = [
    "chat_base",
    "origin_of",
    "read_json",
    "create_conversation",
    "read_messages",
    "last_message",
    "current_user",
    "stop_generation",
    "message_form",
    "parse_models",
]

_PROVIDER = "HuggingChat"
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


async def create_conversation(session: Any, base: str, model: str) -> tuple[str, str | None]:
    """``POST /conversation``: the new conversation's id and its root message id.

    The answer embeds the conversation (a superjson string) so no read is needed for
    the first message. An unknown or retired model answers 400 "Invalid request"
    (:class:`BadRequestError`, the zod enum of ``routes/conversation/+server.ts``).
    """
    async with session.post(join_url(base, "conversation"), json={"model": model}) as response:
        data = await read_json(response, "creating a conversation")
    conversation_id = data.get("conversationId") if isinstance(data, Mapping) else None
    if not isinstance(conversation_id, str) or not conversation_id:
        raise MissingAuthError(f"{_PROVIDER}: no conversation id in the answer", provider=_PROVIDER)
    embedded = data.get("conversation")
    try:
        summary = _unwrap(json.loads(embedded)) if isinstance(embedded, str) else None
    except ValueError:
        summary = None
    messages = summary.get("messages") if isinstance(summary, Mapping) else None
    return conversation_id, _last_id(messages)


def _last_id(messages: Any) -> str | None:
    if isinstance(messages, list) and messages and isinstance(messages[-1], Mapping):
        message_id = messages[-1].get("id")
        return str(message_id) if message_id else None
    return None


async def read_messages(session: Any, base: str, conversation_id: str) -> list[Any] | None:
    """The conversation's messages; ``None`` when it is gone (404) or another user's (403).

    ``resolveConversation.ts`` answers 403 for a conversation that exists but belongs
    to someone else; both cases mean "start a new conversation", never a login problem.
    """
    url = join_url(base, "api", "v2", "conversations", conversation_id)
    async with session.get(url) as response:
        if response.status == 404 or (
            response.status == 403 and not is_html("", response.content_type)
        ):
            logger.debug(
                "%s: conversation not readable (%d); starting a new one", _PROVIDER, response.status
            )
            return None
        data = _unwrap(await read_json(response, "reading the conversation"))
    messages = data.get("messages") if isinstance(data, Mapping) else None
    return messages if isinstance(messages, list) else []


def last_message(messages: list[Any], role: str | None = None) -> str | None:
    """Id of the last message (of ``role``: ``user``/``assistant``) in chat-ui's message list."""
    for message in reversed(messages):
        if isinstance(message, Mapping) and (role is None or message.get("from") == role):
            return str(message.get("id") or "") or None
    return None


async def current_user(session: Any, base: str) -> str | None:
    """The logged-in user's name from ``/api/v2/user`` (superjson ``null`` when anonymous)."""
    async with session.get(
        join_url(base, "api", "v2", "user"), headers={"accept": "application/json"}
    ) as response:
        data = _unwrap(await read_json(response, "reading the user"))
    if isinstance(data, Mapping):
        name = data.get("username") or data.get("id")
        return str(name) if name else None
    return None


async def stop_generation(
    session: Any, base: str, conversation_id: str, generation_id: str, seen: int
) -> bool:
    """``POST /conversation/{id}/stop-generating`` with the stop point; whether it was taken."""
    async with session.post(
        join_url(base, "conversation", conversation_id, "stop-generating"),
        json={"generationId": generation_id, "seenContentLength": max(0, seen)},
        headers={"origin": origin_of(base)},
    ) as response:
        return 200 <= response.status < 300


def message_form(data: Mapping[str, Any], files: list[FormFile] | None = None) -> list[FormFile]:
    """The multipart body of ``POST /conversation/{id}``: the ``data`` JSON and ``files`` parts.

    ``data`` holds only fields of the route's zod schema (``inputs``, ``id``,
    ``is_retry``, ``generationId``, ``selectedMcpServerNames``, ``selectedMcpServers``);
    chat-ui would strip anything else.
    """
    body = {k: v for k, v in data.items() if v is not None}
    return [FormFile("data", json.dumps(body, separators=(",", ":")))] + list(files or [])


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
