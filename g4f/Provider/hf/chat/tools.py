"""HuggingChat's tools: MCP servers chosen per request, and their ``tool`` updates as chunks.

chat-ui has no built-in tools any more; tools are MCP servers. HuggingChat configures
two (``chart/env/prod.yaml``): :data:`WEB_SEARCH` (Exa) and :data:`HUGGING_FACE`
(the Hub's MCP server, whose Space tools generate images). A message picks servers
with ``selectedMcpServerNames`` and may add its own with ``selectedMcpServers``;
without the field every configured server is on (``textGeneration/mcp/runMcpFlow.ts``).

Tool runs stream back as ``tool`` updates (``call``, ``eta``, ``progress``,
``result``, ``error``; ``textGeneration/mcp/toolInvocation.ts``). An image a tool
made is an MCP image block in the result (gradio also adds an ``Image URL: ...``
text line); Exa's search results are ``Title:``/``URL:`` records in the result text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ...._secrets import add_secret
from ....errors import InvalidRequestError
from ....providers.response import (
    ImageResponse,
    Sources,
    ToolCallUpdate,
    ToolErrorUpdate,
    ToolEtaUpdate,
    ToolProgressUpdate,
    ToolResultUpdate,
)

__all__ = ["WEB_SEARCH", "HUGGING_FACE", "mcp_selection", "ToolTracker"]

_PROVIDER = "HuggingChat"
#: Names of the MCP servers HuggingChat configures (chart/env/prod.yaml).
WEB_SEARCH = "Web Search (Exa)"
HUGGING_FACE = "Hugging Face"
_IMAGE_URL = re.compile(r"^(?:SVG )?Image URL:\s*(https?://\S+)\s*$", re.M)
_TITLE = re.compile(r"^Title:\s*(.*)$")
_URL = re.compile(r"^URL:\s*(https?://\S+)\s*$")


def _custom_server(entry: Mapping[str, Any]) -> dict[str, Any]:
    name, url = entry.get("name"), entry.get("url")
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequestError(f"{_PROVIDER}: an MCP server needs a name", provider=_PROVIDER)
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
        raise InvalidRequestError(
            f"{_PROVIDER}: MCP server {name!r} needs an http(s) url", provider=_PROVIDER
        )
    headers = entry.get("headers") or {}
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise InvalidRequestError(
            f"{_PROVIDER}: headers of MCP server {name!r} must map strings to strings",
            provider=_PROVIDER,
        )
    for value in headers.values():
        add_secret(value)  # usually a token: never in a log line or an error
    return {
        "name": name.strip(),
        "url": url,
        "headers": [{"key": k, "value": v} for k, v in headers.items()],
    }


def mcp_selection(
    mcp_servers: Iterable[Any] | None, *, web_search: bool = False, image: bool = False
) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """``(selectedMcpServerNames, selectedMcpServers)`` for a message.

    ``mcp_servers`` lists configured server names and/or custom servers
    (``{"name", "url", "headers"}``); ``None`` leaves the service's default (all
    configured servers) unless web search or an image asks for a server, in which
    case only the servers needed are selected. ``[]`` turns every tool off.
    """
    if mcp_servers is None and not web_search and not image:
        return None, []
    if isinstance(mcp_servers, (str, bytes, Mapping)):
        raise InvalidRequestError(
            f"{_PROVIDER}: mcp_servers must be a list of server names or server dicts",
            provider=_PROVIDER,
        )
    names: list[str] = []
    custom: list[dict[str, Any]] = []
    for entry in mcp_servers or []:
        if isinstance(entry, str) and entry.strip():
            names.append(entry.strip())
        elif isinstance(entry, Mapping):
            server = _custom_server(entry)
            custom.append(server)
            names.append(server["name"])
        else:
            raise InvalidRequestError(
                f"{_PROVIDER}: an MCP server is a name or a dict, not {type(entry).__name__}",
                provider=_PROVIDER,
            )
    if web_search:
        names.append(WEB_SEARCH)
    if image:
        names.append(HUGGING_FACE)
    return list(dict.fromkeys(names)), custom


def _sources(text: str) -> list[dict[str, str]]:
    """``Title:``/``URL:`` records of a search result (exa-mcp-server's web search format)."""
    found: list[dict[str, str]] = []
    title = ""
    for line in text.splitlines():
        line = line.strip()
        if match := _TITLE.match(line):
            title = match.group(1).strip()
        elif match := _URL.match(line):
            found.append({"title": title if title != "N/A" else "", "url": match.group(1)})
            title = ""
    return found


def _number(value: Any, default: float = 0.0) -> float:
    return (
        float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    )


class ToolTracker:
    """Turns ``tool`` updates into typed chunks; remembers what the tools produced."""

    def __init__(self, prompt: str = "") -> None:
        self.prompt = prompt
        self.names: dict[str, str] = {}
        self.calls = 0
        self.images = 0
        self.sources = 0
        self.errors: list[str] = []
        self._seen_urls: set[str] = set()

    def feed(self, update: Mapping[str, Any]) -> list[Any]:
        subtype = update.get("subtype")
        uuid = str(update.get("uuid") or "")
        if subtype == "call":
            call = update.get("call") if isinstance(update.get("call"), Mapping) else {}
            name = str(call.get("name") or "")
            self.names[uuid] = name
            self.calls += 1
            params = call.get("parameters")
            return [ToolCallUpdate(uuid, name, params if isinstance(params, Mapping) else None)]
        name = self.names.get(uuid, "")
        if subtype == "eta":
            return [ToolEtaUpdate(uuid, name, _number(update.get("eta")))]
        if subtype == "progress":
            total = update.get("total")
            return [
                ToolProgressUpdate(
                    uuid,
                    name,
                    _number(update.get("progress")),
                    _number(total) if total is not None else None,
                    str(update.get("message") or ""),
                )
            ]
        if subtype == "error":
            return [self._error(uuid, name, update.get("message"))]
        if subtype == "result":
            result = update.get("result") if isinstance(update.get("result"), Mapping) else {}
            if result.get("status") == "error":
                return [self._error(uuid, name, result.get("message"))]
            return self._result(uuid, name, result.get("outputs"))
        return []

    def why_missing(self) -> str:
        """Why a requested image or sources did not come: the tool errors, or what happened."""
        if self.errors:
            return "; ".join(self.errors)
        return "the tools returned none" if self.calls else "no tool was used"

    def _error(self, uuid: str, name: str, message: Any) -> ToolErrorUpdate:
        text = str(message or "the tool failed")
        self.errors.append(f"{name or 'tool'}: {text}")
        return ToolErrorUpdate(uuid, name, text)

    def _result(self, uuid: str, name: str, outputs: Any) -> list[Any]:
        chunks: list[Any] = []
        texts: list[str] = []
        for output in outputs if isinstance(outputs, list) else []:
            if not isinstance(output, Mapping):
                continue
            text = output.get("text") if isinstance(output.get("text"), str) else ""
            texts.append(text)
            blocks = output.get("content") if isinstance(output.get("content"), list) else []
            images = [
                f"data:{b['mimeType']};base64,{b['data']}"
                for b in blocks
                if isinstance(b, Mapping)
                and b.get("type") == "image"
                and isinstance(b.get("data"), str)
                and str(b.get("mimeType", "")).startswith("image/")
            ]
            # The block is the image itself; the "Image URL:" line only stands in without one.
            images = images or _IMAGE_URL.findall(text)
            for url in images:
                self.images += 1
                chunks.append(ImageResponse(url, alt=self.prompt))
            found = [s for s in _sources(text) if s["url"] not in self._seen_urls]
            if found:
                self._seen_urls.update(s["url"] for s in found)
                self.sources += len(found)
                chunks.append(Sources(found))
        return [ToolResultUpdate(uuid, name, "\n".join(texts)), *chunks]
