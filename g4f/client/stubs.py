"""OpenAI-shaped response objects (plain classes: importing them is cheap)."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionDelta",
    "ChatCompletionDeltaChoice",
    "ChatCompletionChoice",
    "UsageModel",
    "ToolCallModel",
    "Image",
    "ImagesResponse",
    "ClientModel",
    "ModelsPage",
]


class _Model:
    """Attribute access plus ``model_dump()`` / ``dict()`` like the OpenAI SDK objects."""

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        data = asdict(self)  # type: ignore[call-overload]
        return _drop_none(data) if exclude_none else data

    def dict(self) -> dict[str, Any]:  # noqa: A003 - g4f/pydantic v1 name
        return self.model_dump()

    @classmethod
    def model_construct(cls, **fields: Any) -> Any:
        """Build from field values, as pydantic's ``model_construct`` (gpt4free code calls it)."""
        return cls(**fields)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


@dataclass
class UsageModel(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass
class ToolCallFunction(_Model):
    name: str = ""
    arguments: str = ""


@dataclass
class ToolCallModel(_Model):
    id: str = ""
    type: str = "function"
    function: ToolCallFunction = field(default_factory=ToolCallFunction)
    index: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any], index: int | None = None) -> ToolCallModel:
        function = data.get("function") or {}
        arguments = function.get("arguments", "")
        if not isinstance(arguments, str):
            import json

            arguments = json.dumps(arguments)
        return cls(
            id=str(data.get("id") or f"call_{uuid.uuid4().hex[:24]}"),
            type=str(data.get("type") or "function"),
            function=ToolCallFunction(name=str(function.get("name", "")), arguments=arguments),
            index=data.get("index", index),
        )


@dataclass
class ChatCompletionMessage(_Model):
    role: str = "assistant"
    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCallModel] | None = None


@dataclass
class ChatCompletionChoice(_Model):
    index: int = 0
    message: ChatCompletionMessage = field(default_factory=ChatCompletionMessage)
    finish_reason: str | None = None
    logprobs: Any = None


@dataclass
class ChatCompletion(_Model):
    """A whole answer, as ``openai.types.chat.ChatCompletion``, plus ``provider``."""

    id: str = field(default_factory=completion_id)
    object: str = "chat.completion"
    created: int = field(default_factory=lambda: int(time.time()))
    model: str = ""
    provider: str | None = None
    choices: list[ChatCompletionChoice] = field(default_factory=list)
    usage: UsageModel = field(default_factory=UsageModel)
    conversation: Any = None
    sources: list[dict[str, Any]] | None = None
    media: list[str] | None = None

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        data = super().model_dump(exclude_none)
        conversation = self.conversation
        data["conversation"] = (
            conversation.get_dict() if hasattr(conversation, "get_dict") else conversation
        )
        return _drop_none(data) if exclude_none else data


@dataclass
class ChatCompletionDelta(_Model):
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCallModel] | None = None


@dataclass
class ChatCompletionDeltaChoice(_Model):
    index: int = 0
    delta: ChatCompletionDelta = field(default_factory=ChatCompletionDelta)
    finish_reason: str | None = None
    logprobs: Any = None


@dataclass
class ChatCompletionChunk(_Model):
    """One streamed piece, as ``openai.types.chat.ChatCompletionChunk``, plus ``provider``."""

    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    provider: str | None = None
    choices: list[ChatCompletionDeltaChoice] = field(default_factory=list)
    usage: UsageModel | None = None
    #: Non-OpenAI extras for g4f users (conversation state, media URLs, sources...).
    extra: dict[str, Any] | None = None

    def model_dump(self, exclude_none: bool = False) -> dict[str, Any]:
        data = super().model_dump(exclude_none)
        if self.extra and "conversation" in self.extra:
            conversation = self.extra["conversation"]
            data.setdefault("extra", {})["conversation"] = (
                conversation.get_dict() if hasattr(conversation, "get_dict") else conversation
            )
        return data


@dataclass
class Image(_Model):
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None

    def save(self, path: str) -> str:
        """Write this image to ``path`` (only there); returns the path."""
        from .images import save_media

        return save_media(self, path)


@dataclass
class ImagesResponse(_Model):
    """``openai.types.ImagesResponse`` plus ``model`` and ``provider``."""

    data: list[Image] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))
    model: str | None = None
    provider: str | None = None

    def save(self, path: str) -> list[str]:
        """Write every item: to ``path`` for one item, else ``path`` with ``-N`` before the suffix."""
        import os

        if len(self.data) == 1:
            return [self.data[0].save(path)]
        root, ext = os.path.splitext(path)
        return [item.save(f"{root}-{i + 1}{ext}") for i, item in enumerate(self.data)]


@dataclass
class ClientModel(_Model):
    id: str = ""
    object: str = "model"
    created: int = 0
    owned_by: str = ""
    providers: list[str] = field(default_factory=list)
    #: "chat", "image" or "video" (g4f's addition, for pickers).
    type: str = "chat"
    #: Whether a chat model also reads images.
    vision: bool = False


@dataclass
class ModelsPage(_Model):
    data: list[ClientModel] = field(default_factory=list)
    object: str = "list"

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
