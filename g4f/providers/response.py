"""Typed chunks a provider yields besides plain ``str`` text."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "ResponseType",
    "HiddenResponse",
    "FinishReason",
    "Usage",
    "ToolCalls",
    "Reasoning",
    "Sources",
    "TitleGeneration",
    "MediaResponse",
    "ImageResponse",
    "VideoResponse",
    "ImagePreview",
    "JsonConversation",
    "ProviderInfo",
    "AuthResult",
    "RequestLogin",
    "is_content",
]


class ResponseType:
    """Base of every typed chunk."""

    def __str__(self) -> str:
        return ""

    def get_dict(self) -> dict[str, Any]:
        """The chunk's set fields as a dict (gpt4free's ``get_dict()``); classes whose data
        is not plain attributes override it."""
        return {k: v for k, v in vars(self).items() if v is not None and not k.startswith("_")}


class HiddenResponse(ResponseType):
    """A chunk that carries data for the framework, never text for the user."""


class FinishReason(HiddenResponse):
    """Why generation ended: ``stop``, ``length``, ``tool_calls``, ``content_filter``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"FinishReason({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FinishReason) and other.reason == self.reason

    __hash__ = ResponseType.__hash__


class Usage(HiddenResponse):
    """Token counts; extra provider fields are kept as attributes."""

    def __init__(
        self,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        total_tokens: int | None = None,
        **extra: Any,
    ) -> None:
        self.prompt_tokens = int(prompt_tokens or 0)
        self.completion_tokens = int(completion_tokens or 0)
        self.total_tokens = int(
            total_tokens
            if total_tokens is not None
            else self.prompt_tokens + self.completion_tokens
        )
        self.extra = extra

    def get_dict(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }

    def __repr__(self) -> str:
        return f"Usage({self.get_dict()!r})"


class ToolCalls(HiddenResponse):
    """Complete tool calls in the OpenAI shape ``[{"id", "type", "function": {"name", "arguments"}}]``."""

    def __init__(self, list: Iterable[Mapping[str, Any]]) -> None:  # noqa: A002 - g4f name
        self.list = [dict(item) for item in list]

    def get_list(self) -> list[dict[str, Any]]:
        return self.list

    def __repr__(self) -> str:
        return f"ToolCalls({self.list!r})"


class Reasoning(ResponseType):
    """Thinking text (``token``) or a progress note (``status``, ``label``)."""

    def __init__(
        self,
        token: str | None = None,
        status: str | None = None,
        label: str | None = None,
        is_thinking: str | None = None,
    ) -> None:
        self.token = token
        self.status = status
        self.label = label
        self.is_thinking = is_thinking

    def __str__(self) -> str:
        if self.token is not None:
            return self.token
        if self.label and self.status:
            return f"{self.label}: {self.status}"
        return self.status or self.label or ""

    def __repr__(self) -> str:
        parts = [
            f"{k}={v!r}"
            for k, v in (("token", self.token), ("status", self.status), ("label", self.label))
            if v is not None
        ]
        return f"Reasoning({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reasoning) and (other.token, other.status, other.label) == (
            self.token,
            self.status,
            self.label,
        )

    __hash__ = ResponseType.__hash__


class Sources(ResponseType):
    """Web sources: a list of ``{"title", "url"}``."""

    def __init__(self, sources: Iterable[Mapping[str, Any]]) -> None:
        self.list = [
            {"title": s.get("title", ""), "url": s.get("url") or s.get("link", "")} for s in sources
        ]

    def __str__(self) -> str:
        return "\n\n" + "\n".join(f"[{s['title'] or s['url']}]({s['url']})" for s in self.list)

    def __repr__(self) -> str:
        return f"Sources({self.list!r})"


class TitleGeneration(HiddenResponse):
    """A conversation title proposed by the service."""

    def __init__(self, title: str) -> None:
        self.title = title

    def __repr__(self) -> str:
        return f"TitleGeneration({self.title!r})"


class MediaResponse(ResponseType):
    """Generated media: one or more URLs (``http(s)://`` or ``data:`` URIs)."""

    kind = "media"

    def __init__(
        self, urls: str | Iterable[str], alt: str = "", options: Mapping[str, Any] | None = None
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else [u for u in urls if u]
        self.alt = alt
        # Options may hold cookies for fetching; they are never rendered.
        self.options = dict(options or {})

    @classmethod
    def from_bytes(cls, data: bytes, mime: str, alt: str = "") -> MediaResponse:
        """A response holding ``data`` as a ``data:`` URI (nothing is written to disk)."""
        return cls(f"data:{mime};base64,{base64.b64encode(data).decode()}", alt)

    def get_list(self) -> list[str]:
        return list(self.urls)

    def __str__(self) -> str:
        return "\n".join(
            f"[{self.alt or self.kind}]({u})" for u in self.urls if not u.startswith("data:")
        ) or (f"[{self.alt or self.kind}]")

    def __repr__(self) -> str:
        shown = [u if not u.startswith("data:") else u[:30] + "…" for u in self.urls]
        return f"{type(self).__name__}({shown!r}, alt={self.alt!r})"


class ImageResponse(MediaResponse):
    """Generated images."""

    kind = "image"


class VideoResponse(MediaResponse):
    """Generated videos."""

    kind = "video"


class ImagePreview(ImageResponse, HiddenResponse):
    """An intermediate image while a job runs (not the final result)."""

    def __str__(self) -> str:
        return ""


class JsonConversation(HiddenResponse):
    """Conversation state a provider hands back so the next call can continue it."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def get_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def to_json(self) -> str:
        return json.dumps(self.get_dict())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(keys={sorted(self.get_dict())!r})"


class ProviderInfo(HiddenResponse):
    """Which provider (and model) actually answered."""

    def __init__(
        self, name: str = "", model: str = "", label: str = "", url: str = "", **extra: Any
    ) -> None:
        self.name = name
        self.model = model
        self.label = label or name
        self.url = url
        self.extra = extra

    def get_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, "label": self.label, "url": self.url}

    def __repr__(self) -> str:
        return f"ProviderInfo(name={self.name!r}, model={self.model!r})"


class AuthResult(HiddenResponse):
    """Credentials of an authed provider (cookies, headers...). Its repr never shows values."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def get_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __repr__(self) -> str:
        return f"AuthResult(keys={sorted(self.get_dict())!r})"


class RequestLogin(HiddenResponse):
    """Tells the user that a login is needed and where."""

    def __init__(self, label: str, login_url: str = "") -> None:
        self.label = label
        self.login_url = login_url

    def __str__(self) -> str:
        return f"[Login to {self.label}]({self.login_url})" if self.login_url else ""

    def __repr__(self) -> str:
        return f"RequestLogin({self.label!r}, {self.login_url!r})"


def is_content(chunk: object) -> bool:
    """Whether a chunk counts as content for the retry contract (the provider has started)."""
    if isinstance(chunk, str):
        return bool(chunk)
    if isinstance(chunk, Reasoning):
        return bool(chunk.token)
    if isinstance(chunk, ImagePreview):
        return False
    return isinstance(chunk, (MediaResponse, ToolCalls))


# --- Tool updates: tools a service runs for the answer (HuggingChat's MCP servers) ---


class ToolUpdate(Reasoning):
    """Progress of a tool the service runs while answering (not a tool call for the caller).

    Shown by the chat pipeline as a progress note (``label`` "Tool" and a ``status``
    line); ``uuid`` ties the updates of one call together and ``name`` is the tool.
    """

    def __init__(self, uuid: str, name: str = "", status: str = "") -> None:
        super().__init__(status=status or None, label="Tool")
        self.uuid = uuid
        self.name = name

    def get_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("token", "is_thinking")}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uuid={self.uuid!r}, name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_dict() == self.get_dict()  # type: ignore[attr-defined]

    __hash__ = ResponseType.__hash__


class ToolCallUpdate(ToolUpdate):
    """A tool was called with ``parameters`` (its primitive arguments)."""

    def __init__(self, uuid: str, name: str, parameters: Mapping[str, Any] | None = None) -> None:
        super().__init__(uuid, name, f"Calling {name or 'a tool'}")
        self.parameters = dict(parameters or {})


class ToolEtaUpdate(ToolUpdate):
    """The service's estimate of how long the call takes, in seconds."""

    def __init__(self, uuid: str, name: str, eta: float) -> None:
        super().__init__(uuid, name, f"{name or 'tool'}: about {eta:g} s")
        self.eta = eta


class ToolProgressUpdate(ToolUpdate):
    """Progress the tool reported (``progress`` of ``total`` when known, and a message)."""

    def __init__(
        self,
        uuid: str,
        name: str,
        progress: float,
        total: float | None = None,
        message: str = "",
    ) -> None:
        shown = f"{progress:g}/{total:g}" if total else f"{progress:g}"
        super().__init__(uuid, name, f"{name or 'tool'}: {message or shown}")
        self.progress = progress
        self.total = total
        self.message = message


class ToolResultUpdate(ToolUpdate):
    """The tool finished; ``text`` is its textual output (media come as their own chunks)."""

    def __init__(self, uuid: str, name: str, text: str = "") -> None:
        super().__init__(uuid, name, f"{name or 'tool'} finished")
        self.text = text


class ToolErrorUpdate(ToolUpdate):
    """The tool failed with ``message``."""

    def __init__(self, uuid: str, name: str, message: str) -> None:
        super().__init__(uuid, name, f"{name or 'tool'} failed: {message}")
        self.message = message


__all__ += [
    "ToolUpdate",
    "ToolCallUpdate",
    "ToolEtaUpdate",
    "ToolProgressUpdate",
    "ToolResultUpdate",
    "ToolErrorUpdate",
]
