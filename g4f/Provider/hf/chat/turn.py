"""One HuggingChat turn: find or create the conversation, post the message, stream, stop.

A turn continues the conversation of the caller's state when chat-ui still lets this
session read it, and otherwise starts a new one with the whole history: a deleted
conversation answers 404 and another user's answers 403 on reads
(``api/utils/resolveConversation.ts``) and 404 on posts
(``routes/conversation/[id]/+server.ts``). A stream the caller stops reading (closed
or cancelled) is stopped on the service too (``[id]/stop-generating/+server.ts``).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ....debug import logger
from ....errors import BadRequestError, InvalidRequestError, ModelNotFoundError
from ....providers.helper import format_prompt, get_last_user_message
from ....providers.response import FinishReason
from ....typing import Messages
from .api import create_conversation, last_message, read_messages, stop_generation

__all__ = ["Turn", "open_turn", "stop_on_close"]

_PROVIDER = "HuggingChat"
#: Seconds a stop request may take when the caller stops reading.
STOP_TIMEOUT = 5.0


@dataclass
class Turn:
    """Where and what one message posts: the ``data`` fields of chat-ui's message form."""

    conversation_id: str
    parent_id: str | None
    inputs: str | None
    is_new: bool
    is_retry: bool = False
    known_files: list[str] = field(default_factory=list)
    generation_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def data(self, names: list[str] | None, servers: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "id": self.parent_id,
            "is_retry": self.is_retry or None,
            "generationId": self.generation_id,
            "selectedMcpServerNames": names,
            "selectedMcpServers": servers or None,
        }

    def state(self, uploaded: list[str]) -> dict[str, Any]:
        files = list(dict.fromkeys([*self.known_files, *uploaded]))
        entry: dict[str, Any] = {
            "conversationId": self.conversation_id,
            "messageId": self.parent_id,
        }
        if files:
            entry["files"] = files
        return entry


async def _new_conversation(
    session: Any, base: str, chat_model: str, on_unknown_model: Callable[[], Awaitable[Any]]
) -> tuple[str, str | None]:
    try:
        conversation_id, root = await create_conversation(session, base, chat_model)
    except (BadRequestError, ModelNotFoundError) as exc:
        if exc.status_code != 400:
            raise
        # The zod enum of routes/conversation/+server.ts: the model is not (or no longer) served.
        await on_unknown_model()
        raise ModelNotFoundError(
            f"{_PROVIDER}: {chat_model} is not served by HuggingChat (the model list is refreshed)",
            provider=_PROVIDER,
            status_code=400,
        ) from exc
    if root is None:
        messages = await read_messages(session, base, conversation_id)
        root = last_message(messages or [])
    return conversation_id, root


async def open_turn(
    session: Any,
    base: str,
    entry: Mapping[str, Any] | None,
    *,
    chat_model: str,
    messages: Messages,
    regenerate: bool,
    on_unknown_model: Callable[[], Awaitable[Any]],
    inputs: str | None = None,
) -> Turn:
    """The turn for ``messages``: continuing ``entry`` (the caller's state) when possible.

    ``regenerate`` asks for another answer to the last message (``is_retry`` on the
    last assistant message); ``inputs`` overrides the text sent (image prompts).
    """
    if entry:
        found = await read_messages(session, base, str(entry["conversationId"]))
        known = [str(s) for s in entry.get("files") or [] if isinstance(s, str)]
        if found is not None and regenerate:
            answer = last_message(found, "assistant")
            if answer is None:
                raise InvalidRequestError(
                    f"{_PROVIDER}: nothing to regenerate: the conversation has no answer yet",
                    provider=_PROVIDER,
                )
            return Turn(str(entry["conversationId"]), answer, None, False, True, known)
        parent = last_message(found or [])
        if found is not None and parent is not None:
            text = inputs if inputs is not None else get_last_user_message(messages)
            return Turn(str(entry["conversationId"]), parent, text, False, known_files=known)
    elif regenerate:
        raise InvalidRequestError(
            f"{_PROVIDER}: action='variant' regenerates an answer of a conversation: "
            "pass the conversation= of that answer",
            provider=_PROVIDER,
        )
    conversation_id, root = await _new_conversation(session, base, chat_model, on_unknown_model)
    text = inputs if inputs is not None else format_prompt(messages)
    return Turn(conversation_id, root, text, True)


async def stop_on_close(
    chunks: AsyncIterator[Any], session: Any, base: str, turn: Turn
) -> AsyncIterator[Any]:
    """``chunks``, and a stop request to the service when the caller stops reading early."""
    seen = 0
    done = False
    try:
        async for chunk in chunks:
            if type(chunk) is str:
                seen += len(chunk)
            elif isinstance(chunk, FinishReason):
                done = True
            yield chunk
        done = True
    except Exception:
        done = True  # the stream failed: nothing is generating any more
        raise
    finally:
        if not done:
            await _stop(session, base, turn, seen)


async def _stop(session: Any, base: str, turn: Turn, seen: int) -> None:
    import asyncio

    try:
        taken = await asyncio.wait_for(
            stop_generation(session, base, turn.conversation_id, turn.generation_id, seen),
            STOP_TIMEOUT,
        )
        logger.debug("%s: generation stopped (%s)", _PROVIDER, "taken" if taken else "refused")
    except (Exception, asyncio.CancelledError) as exc:  # a failed stop never hides the close
        logger.debug("%s: the stop request failed (%s)", _PROVIDER, type(exc).__name__)
