"""Client conversations → provider conversation state, in the run-time store.

HuggingChat keeps a conversation on the service (chat-ui's conversation id and the
parent message of the next turn); g4f returns that state as a ``conversation``
chunk. Over HTTP a client identifies its conversation in one of two ways, and any
worker sharing the store continues it:

- ``conversation_id`` in the body (any 1-128 of ``A-Za-z0-9_-``; every chat answer
  carries one: in the JSON body, and as the ``X-Conversation-Id`` header);
- or by resending the history: a request whose ``messages`` are an earlier request's
  messages plus its answer plus new messages continues that conversation (the map
  keeps a digest of each answered history).

Records live :data:`TTL` seconds and are scoped by API key name, so one key cannot
continue another's conversation. A record is written only when the provider returned
state to continue (HuggingChat); otherwise the id is still returned, and a request
that names it simply starts afresh with the history it sends.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from typing import Any

from ..state import get_store
from ..typing import Messages
from ._fields import bad

__all__ = ["ConversationMap", "TTL", "HEADER", "check_conversation_id"]

#: Seconds a conversation record lives after its last turn.
TTL = 24 * 3600.0
HEADER = "X-Conversation-Id"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def check_conversation_id(value: Any) -> str | None:
    """The body's ``conversation_id`` (None when absent), or a 400."""
    if value is None:
        return None
    if not isinstance(value, str) or not _ID.match(value):
        raise bad("'conversation_id' must be 1-128 letters, digits, '_' or '-'", "conversation_id")
    return value


def _text(content: Any) -> Any:
    if isinstance(content, list):
        return [
            p.get("text") if isinstance(p, dict) and p.get("type") == "text" else p for p in content
        ]
    return content


def history_digest(messages: Messages) -> str:
    """A digest of the turns (role and content only: clients add or drop other fields)."""
    canonical = [[m.get("role"), _text(m.get("content"))] for m in messages]
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ConversationMap:
    """Looks up and records conversation state for the chat route."""

    async def resolve(
        self, owner: str, conversation_id: str | None, messages: Messages
    ) -> tuple[str, Any]:
        """``(conversation id, provider state or None)`` for a request."""
        store = get_store()
        if conversation_id is None and len(messages) > 1:
            found = await store.aget(f"hc:tail:{owner}:{history_digest(messages[:-1])}")
            if isinstance(found, str):
                conversation_id = found
        if conversation_id is None:
            return "conv_" + secrets.token_hex(16), None
        record = await store.aget(f"hc:conv:{owner}:{conversation_id}")
        return conversation_id, record.get("state") if isinstance(record, dict) else None

    async def record(
        self, owner: str, conversation_id: str, messages: Messages, answer: str, state: Any
    ) -> None:
        """Remember the provider's state and the answered history.

        Awaited before the answer ends, so a follow-up sent the moment the client has
        the answer finds it on any worker (two writes, one round trip each)."""
        if state is None:
            return
        if hasattr(state, "get_dict"):
            state = state.get_dict()
        tail = history_digest([*messages, {"role": "assistant", "content": answer}])
        store = get_store()
        await store.aset(f"hc:conv:{owner}:{conversation_id}", {"state": state}, TTL)
        await store.aset(f"hc:tail:{owner}:{tail}", conversation_id, TTL)

    async def watch(
        self,
        chunks: AsyncIterator[Any],
        owner: str,
        conversation_id: str,
        messages: Messages,
    ) -> AsyncIterator[Any]:
        """Pass a stream through; when it carried provider state, record it with the answer.

        HuggingChat sends its state before the answer: chunks are looked at only until
        the first content, and a stream without state is then passed on untouched.
        """
        stream = chunks.__aiter__()
        state = None
        parts: list[str] = []
        async for chunk in stream:
            yield chunk
            extra = getattr(chunk, "extra", None)
            if extra and "conversation" in extra:
                state = extra["conversation"]
            elif text := _content(chunk):
                parts.append(text)
                break
        if state is None:
            async for chunk in stream:
                yield chunk
            return
        async for chunk in stream:
            yield chunk
            text = _content(chunk)
            if text:
                parts.append(text)
        await self.record(owner, conversation_id, messages, "".join(parts), state)


def _content(chunk: Any) -> str | None:
    choices = getattr(chunk, "choices", None)
    return choices[0].delta.content if choices else None
