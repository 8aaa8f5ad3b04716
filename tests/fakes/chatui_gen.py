"""What the fake chat-ui does once a message is accepted: files, prompt, MCP tools, the stream.

Each step follows the real chat-ui source (huggingface/chat-ui, cited per function):
uploads are hashed and sniffed as ``uploadFile.ts`` does, read back as
``downloadFile.ts``/``preprocessMessages.ts`` do and turned into what the model sees
as ``prepareFiles.ts`` does; MCP servers are merged and filtered as ``runMcpFlow.ts``
does and tool updates are shaped as ``toolInvocation.ts`` emits them; the stream
wrapper (null padding, 4 KB after ``finalAnswer``, the stop marker) follows
``src/routes/conversation/[id]/+server.ts``.

The "model" is scripted: it calls a tool when a selected server offers one that fits
the prompt ("image"/"draw" → the Hugging Face server's image tool, "search" → Exa's
``web_search_exa``) unless ``ChatUI.model_uses_tools`` is off.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONFIGURED_MCP_SERVERS",
    "IMAGE_TOOL",
    "SEARCH_TOOL",
    "chatui_sha",
    "sniff",
    "model_view",
    "effective_servers",
    "tool_round",
    "pad",
]

# chart/env/prod.yaml: MCP_SERVERS.
CONFIGURED_MCP_SERVERS: list[dict[str, str]] = [
    {
        "name": "Web Search (Exa)",
        "url": "https://mcp.exa.ai/mcp?tools=web_search_exa,get_code_context_exa,crawling_exa",
    },
    {"name": "Hugging Face", "url": "https://hf.co/mcp?login"},
]
SEARCH_TOOL = "web_search_exa"
IMAGE_TOOL = "gr1_flux1_schnell_infer"
_TOOLS_OF = {"Web Search (Exa)": SEARCH_TOOL, "Hugging Face": IMAGE_TOOL}

# src/lib/constants/mime.ts: TEXT_MIME_ALLOWLIST.
_TEXT_ALLOWLIST = ("text/*", "application/json", "application/xml", "application/csv")

# What the `file-type` package (used by uploadFile.ts) recognises from the first bytes;
# text formats (plain text, SVG, JSON...) are not among them.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"BM", "image/bmp"),
)


def sniff(data: bytes) -> str | None:
    """The type ``file-type`` would detect, or ``None`` (uploadFile.ts then keeps the sent type)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for offset, magic, mime in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mime
    return None


def chatui_sha(data: bytes) -> str:
    """uploadFile.ts: ``sha256(await file.text())`` — the UTF-8 text of the bytes, BOM dropped."""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_allowed(mime: str) -> bool:
    # prepareFiles.ts: type/subtype match against TEXT_MIME_ALLOWLIST with "*" wildcards.
    kind, _, sub = (mime or "").lower().partition("/")
    for allowed in _TEXT_ALLOWLIST:
        a_kind, _, a_sub = allowed.partition("/")
        if a_kind in ("*", kind) and a_sub in ("*", sub):
            return True
    return False


@dataclass
class ModelView:
    """What reached the model for one user turn (prepareFiles.ts)."""

    text: str
    images: list[str] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class FileNotFound(Exception):
    """downloadFile.ts: ``error(404, "File not found")`` while preparing the prompt."""


def model_view(
    content: str,
    files: list[dict[str, Any]],
    bucket: dict[tuple[str, str], tuple[bytes, str]],
    conv_id: str,
    multimodal: bool,
) -> ModelView:
    """preprocessMessages.ts + prepareFiles.ts for one user message."""
    view = ModelView(text=content)
    docs: list[str] = []
    for file in files:
        stored = bucket.get((conv_id, file["value"]))
        if stored is None:
            raise FileNotFound(file["value"])
        blob, mime = stored  # downloadFile.ts: the mime is the one stored at upload
        name = f"{conv_id}-{file['value']}"  # downloadFile.ts: the bucket file name
        if mime.startswith("image/"):
            if multimodal:
                view.images.append(mime)
            else:
                view.dropped.append(mime)
        elif _text_allowed(mime):
            body = blob.decode("utf-8", errors="replace")
            view.documents.append({"name": name, "mime": mime, "text": body})
            docs.append(f'<document name="{name}" type="{mime}">\n{body}\n</document>')
        else:
            view.dropped.append(mime)
    if docs:
        view.text = "\n\n".join(docs) + "\n\n" + content
    return view


def effective_servers(
    names: list[str] | None, custom: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """runMcpFlow.ts: env servers, request servers merged by name, then the name filter."""
    by_name = {s["name"]: dict(s) for s in CONFIGURED_MCP_SERVERS}
    for server in custom:
        by_name[server["name"]] = {
            "name": server["name"],
            "url": server["url"],
            "headers": {h["key"]: h["value"] for h in server.get("headers") or []},
        }
    servers = list(by_name.values())
    if names is not None:
        servers = [s for s in servers if s["name"] in names]
    # urlSafety.ts: only http(s) URLs survive.
    return [s for s in servers if str(s["url"]).startswith(("https://", "http://"))]


def _search_text(query: str) -> str:
    # exa-labs/exa-mcp-server src/tools/webSearch.ts: records joined by "\n\n---\n\n".
    results = [
        ("Llamas - Example Encyclopedia", "https://example.org/llamas"),
        ("Alpaca facts", "https://example.com/alpaca?ref=1"),
    ]
    return "\n\n---\n\n".join(
        f"Title: {title}\nURL: {url}\nPublished: 2026-01-02\nAuthor: N/A\n"
        f"Highlights:\nAbout {query}."
        for title, url in results
    )


@dataclass
class ToolScript:
    """How the scripted model and its tools behave (``ChatUI`` holds one)."""

    uses_tools: bool = True
    fail: bool = False
    image_url: str = ""
    image_blocks: bool = True


async def tool_round(
    send: Any, servers: list[dict[str, Any]], prompt: str, script: ToolScript, image: bytes
) -> dict[str, Any]:
    """One round of tool calls as toolInvocation.ts emits it; what the tools produced."""
    wanted = []
    lowered = prompt.lower()
    for server in servers:
        tool = _TOOLS_OF.get(server["name"])
        if tool == IMAGE_TOOL and ("image" in lowered or "draw" in lowered):
            wanted.append((tool, {"prompt": prompt[-200:]}))
        elif tool == SEARCH_TOOL and "search" in lowered:
            wanted.append((tool, {"query": prompt[-100:]}))
    produced: dict[str, Any] = {"calls": [name for name, _ in wanted], "texts": []}
    if not script.uses_tools or not wanted:
        produced["calls"] = []
        return produced
    calls = [(str(uuid.uuid4()), name, params) for name, params in wanted]
    for call_id, name, params in calls:
        await send(
            {
                "type": "tool",
                "subtype": "call",
                "uuid": call_id,
                "call": {"name": name, "parameters": params},
            }
        )
        await send({"type": "tool", "subtype": "eta", "uuid": call_id, "eta": 10})
    for call_id, name, params in calls:
        await send(
            {"type": "tool", "subtype": "progress", "uuid": call_id, "progress": 1, "total": 2}
        )
        if script.fail:
            await send(
                {
                    "type": "tool",
                    "subtype": "error",
                    "uuid": call_id,
                    "message": "Space is sleeping",
                }
            )
            continue
        if name == IMAGE_TOOL:
            # gradio/mcp.py postprocess_output_data: an image block, then "Image URL: ...".
            line = f"Image URL: {script.image_url}"
            blocks: list[dict[str, Any]] = [{"type": "text", "text": line}]
            if script.image_blocks:
                data = base64.b64encode(image).decode()
                blocks.insert(0, {"type": "image", "data": data, "mimeType": "image/png"})
            text = line
        else:
            text = _search_text(str(params["query"]))
            blocks = [{"type": "text", "text": text}]
        produced["texts"].append(text)
        result = {
            "status": "success",
            "call": {"name": name, "parameters": params},
            "outputs": [{"text": text, "content": blocks}],
            "display": True,
        }
        await send({"type": "tool", "subtype": "result", "uuid": call_id, "result": result})
    return produced


def pad(token: str) -> str:
    """+server.ts: stream tokens are right-padded with NUL to 16 characters."""
    return token.ljust(16, "\0")


async def sleep_unless(stop: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``; True when the stop marker arrived meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True


def dumps(update: dict[str, Any]) -> bytes:
    return (json.dumps(update) + "\n").encode()
