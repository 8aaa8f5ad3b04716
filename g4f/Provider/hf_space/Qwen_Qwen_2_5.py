"""Qwen2.5 chat on its Space: Gradio's queue protocol with streamed Chatbot diffs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar

from ...errors import BadRequestError
from ...providers.helper import get_last_user_message, get_system_prompt, to_string
from ...providers.response import FinishReason, Reasoning
from ...typing import Messages
from ._gradio import queue_events
from ._space import SpaceProvider, TextDelta, first_chat_text

__all__ = ["Qwen_Qwen_2_5"]

_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."


def _history(messages: Messages, example: Any) -> list[Any]:
    """Earlier user/assistant turns (the last user turn excluded) in the Chatbot's own format.

    The Space's example value tells which one: ``[user, bot]`` pairs (Gradio 4 and 5
    "tuples"), messages with string content (Gradio 5 "messages"), or messages whose
    content is a list of parts (Gradio 6).
    """
    turns = [m for m in messages if m.get("role") in ("user", "assistant")]
    while turns and turns[-1].get("role") == "user":
        turns.pop()
    first = example[0] if isinstance(example, list) and example else None
    if isinstance(first, (list, tuple)):
        pairs: list[list[str | None]] = []
        for message in turns:
            text = to_string(message.get("content"))
            if message["role"] == "user" or not pairs or pairs[-1][1] is not None:
                pairs.append([text, None] if message["role"] == "user" else [None, text])
            else:
                pairs[-1][1] = text
        return pairs
    parts = isinstance(first, Mapping) and isinstance(first.get("content"), list)
    history: list[Any] = []
    for message in turns:
        text = to_string(message.get("content"))
        content: Any = [{"type": "text", "text": text}] if parts else text
        history.append({"role": str(message["role"]), "content": content})
    return history


class Qwen_Qwen_2_5(SpaceProvider):
    """Chat with Qwen2.5 (72B by default); the answer streams as the Space types it."""

    label = "Qwen Qwen-2.5"
    url = "https://huggingface.co/spaces/Qwen/Qwen2.5"
    space = "Qwen/Qwen2.5"
    api_name = "model_chat"
    default_model = "qwen-2.5-72b"
    models: ClassVar[list[str]] = ["qwen-2.5-72b", "qwen-2.5-32b", "qwen-2.5-7b"]
    model_aliases: ClassVar[dict[str, str]] = {
        "Qwen/Qwen2.5-72B-Instruct": "qwen-2.5-72b",
        "Qwen/Qwen2.5-32B-Instruct": "qwen-2.5-32b",
        "Qwen/Qwen2.5-7B-Instruct": "qwen-2.5-7b",
    }
    #: The Space's model selector value for each model.
    choices: ClassVar[dict[str, str]] = {
        "qwen-2.5-72b": "72B",
        "qwen-2.5-32b": "32B",
        "qwen-2.5-7b": "7B",
    }

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        space_url: str | None = None,
        cookies: Mapping[str, str] | None = None,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Stream the answer to the last user message, with the earlier turns as history."""
        model = cls.get_model(model)
        query = get_last_user_message(messages)
        if not query.strip():
            raise BadRequestError(f"{cls.__name__}: no user message", provider=cls.__name__)
        system = get_system_prompt(messages) or _DEFAULT_SYSTEM
        delta = TextDelta()
        async with cls.open_session(**kwargs) as session:
            # Hub cookies and token go to the Hub only (ZeroGPU token), never to the Space.
            space = await cls.connect(
                session, space_url=space_url, cookies=cookies, api_key=api_key
            )
            example = space.config.chat_example
            data = [query, _history(messages, example), system, cls.choices[model]]
            updates = queue_events(
                session,
                space.base,
                cls.api_name,
                data,
                headers=space.headers,
                provider=cls.__name__,
            )
            async with aclosing(updates):
                async for update in updates:
                    if update.kind in ("queue", "progress"):
                        yield Reasoning(
                            label="In queue" if update.kind == "queue" else "Generating",
                            status=update.status,
                        )
                    elif update.kind in ("generating", "completed"):
                        text = delta.feed(first_chat_text(update.data))
                        if text:
                            yield text
        yield FinishReason("stop")
