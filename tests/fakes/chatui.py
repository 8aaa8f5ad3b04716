"""A fake chat-ui (HuggingChat) on 127.0.0.1 under ``/chat``, following huggingface/chat-ui.

Every route cites the chat-ui file it follows. Sessions follow ``hooks/handle.ts`` and
``server/auth.ts``: a request without a valid ``hf-chat`` session (coupled to the
``token`` cookie, ``COUPLE_SESSION_WITH_COOKIE_NAME`` in ``chart/env/prod.yaml``) is an
*anonymous* session — its GETs answer 200 like anyone's, ``/api/v2/user`` answers
superjson ``null``, and every POST is refused 401 "You have to be logged in.".
Form POSTs need an Origin (403). Conversations belong to the user; another user reads
them 403 and posts to them 404. Request bodies are parsed like zod does: unknown
fields are stripped (and logged in ``posts[..]["raw"]``), wrong types fail.

Answers stream as JSONL MessageUpdates (``\\0``-padded tokens, keepAlive lines, a
concurrent title, reasoning, ``routerMetadata`` for the ``omni`` router, MCP ``tool``
updates, ``finalAnswer`` then 4 KB of spaces and ``finished``); see
:mod:`tests.fakes.chatui_gen` for files, prompt and tools.

Modes (``ChatUI.mode``): ``normal``, ``cut`` (connection dropped mid-answer),
``no_final`` (the stream ends without ``finalAnswer``), ``html`` (a 200 login page
instead of JSON on create), ``cloudflare`` (403 challenge page), ``error`` (an
in-band ``status: error`` update). The server's FaultQueue also works: ``status``
faults answer any route; on a message POST ``stall``, ``malformed``, ``cut_after``
and ``inband_error`` shape the stream.

The login pages (``/chat`` landing, ``/login`` form, ``/chat/login/callback``) let a
real browser log in: the form post sets ``token``, the callback binds a new
``hf-chat`` session to it. With ``hub_logged_in`` the landing page also sets a
``token`` first, as huggingface.co does for a user logged in to the Hub who has not
finished chat-ui's OAuth yet.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.chatui_gen import (
    FileNotFound,
    ToolScript,
    chatui_sha,
    dumps,
    effective_servers,
    model_view,
    pad,
    sleep_unless,
    sniff,
    tool_round,
)
from tests.fakes.router import png_bytes
from tests.fakes.server import FakeServer, cut_connection, hf_error

__all__ = [
    "ChatUI",
    "ChatUIServer",
    "MODELS",
    "USERNAME",
    "PASSWORD",
    "har_for",
    "extension_export",
]

USERNAME = "alice"
PASSWORD = "correct horse"
LOGGED_OUT = "You have to be logged in."  # src/lib/stores/errors.ts: authOnly
GENERATED = png_bytes(8, 8)

MODELS: list[dict[str, Any]] = [
    {
        "id": "openai/gpt-oss-120b",
        "displayName": "gpt-oss-120b",
        "multimodal": False,
        "supportsReasoning": True,
    },
    {"id": "meta-llama/Llama-3.3-70B-Instruct", "multimodal": False, "supportsReasoning": False},
    {"id": "Qwen/Qwen2.5-VL-32B-Instruct", "multimodal": True, "supportsReasoning": False},
    {"id": "omni", "multimodal": True, "supportsReasoning": False, "isRouter": True},
    {"id": "hidden/model", "multimodal": False, "unlisted": True},
]


@dataclass
class Conversation:
    id: str
    model: str
    session: str  # the owner: the user (token) that created it
    messages: list[dict[str, Any]] = field(default_factory=list)
    title: str = "New Chat"


@dataclass
class ChatUI:
    """State and switches of the fake; ``posts`` logs every accepted message."""

    mode: str = "normal"
    messages_per_minute: int = 1000
    keepalive_every: float = 0.003
    token_gap: float | None = None  # seconds between tokens; default twice keepalive_every
    extra_tokens: int = 0  # more answer tokens (for stop tests)
    linger_after_final: float = 10.0
    tokens_before_cut: int = 2
    hub_logged_in: bool = False
    signin_delay_ms: int = 200
    tools: ToolScript = field(default_factory=ToolScript)
    models: list[dict[str, Any]] = field(default_factory=lambda: [dict(m) for m in MODELS])
    sessions: dict[str, str] = field(default_factory=dict)  # hf-chat → token
    conversations: dict[str, Conversation] = field(default_factory=dict)
    bucket: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    creates: list[dict[str, Any]] = field(default_factory=list)
    stops: list[dict[str, Any]] = field(default_factory=list)
    sent_at: dict[str, list[float]] = field(default_factory=dict)
    running: dict[str, asyncio.Event] = field(default_factory=dict)
    logins: int = 0

    def new_session(self) -> dict[str, str]:
        """Register a logged-in session; its two cookies."""
        pair = {"hf-chat": str(uuid.uuid4()), "token": "tok_" + secrets.token_hex(16)}
        self.sessions[pair["hf-chat"]] = pair["token"]
        return pair

    def user_of(self, request: web.Request) -> str | None:
        """auth.ts findUser: the user of a session whose coupled ``token`` matches, else None."""
        session, token = request.cookies.get("hf-chat"), request.cookies.get("token")
        if session and token and self.sessions.get(session) == token:
            return token
        return None

    def session_of(self, request: web.Request) -> str | None:
        """The logged-in ``hf-chat`` session of a request, or None (anonymous)."""
        return request.cookies.get("hf-chat") if self.user_of(request) else None

    def model_info(self, model: str) -> dict[str, Any]:
        return next((m for m in self.models if m["id"] == model), {})


def _superjson(value: Any) -> dict[str, Any]:
    return {"json": value, "meta": {"values": {}}} if value is not None else {"json": None}


def _kit_error(status: int, message: str) -> web.Response:
    """SvelteKit ``error(status, message)`` from an endpoint: ``{"message": ...}``."""
    return web.json_response({"message": message}, status=status)


def _hook_error(request: web.Request, status: int, message: str) -> web.Response:
    """hooks/handle.ts errorResponse: JSON when the request speaks JSON, else text."""
    wants_json = "application/json" in request.headers.get("Accept", "") or (
        "application/json" in request.headers.get("Content-Type", "")
    )
    if wants_json:
        return web.json_response({"error": message}, status=status)
    return web.Response(text=message, status=status)


def _object_id(value: str) -> bool:
    return len(value) == 24 and all(c in "0123456789abcdef" for c in value)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


class ZodError(Exception):
    """A body that zod's ``.parse`` rejects (an unexpected error: 500 in SvelteKit)."""


def parse_message_data(raw: Any) -> dict[str, Any]:
    """The zod schema of ``POST /conversation/[id]`` (+server.ts): unknown keys stripped."""
    if not isinstance(raw, dict):
        raise ZodError("data is not an object")
    out: dict[str, Any] = {}

    def opt(key: str, check: Any) -> None:
        if key in raw and raw[key] is not None:
            if not check(raw[key]):
                raise ZodError(f"invalid {key}")
            out[key] = raw[key]

    opt("id", lambda v: _is_uuid(v) and len(v.split("-")) == 5)
    opt("generationId", _is_uuid)
    opt("inputs", lambda v: isinstance(v, str) and len(v) >= 1)
    opt("is_retry", lambda v: isinstance(v, bool))
    opt("resumeElicitationId", _is_uuid)
    opt(
        "selectedMcpServerNames",
        lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
    )
    opt("timezone", lambda v: isinstance(v, str))
    if "inputs" in out:
        out["inputs"] = out["inputs"].replace("\r\n", "\n")
    servers = raw.get("selectedMcpServers")
    parsed: list[dict[str, Any]] = []
    if servers is not None:
        if not isinstance(servers, list):
            raise ZodError("invalid selectedMcpServers")
        for server in servers:
            if (
                not isinstance(server, dict)
                or not isinstance(server.get("name"), str)
                or not isinstance(server.get("url"), str)
            ):
                raise ZodError("invalid selectedMcpServers item")
            headers = server.get("headers") or []
            if not isinstance(headers, list) or not all(
                isinstance(h, dict)
                and isinstance(h.get("key"), str)
                and isinstance(h.get("value"), str)
                for h in headers
            ):
                raise ZodError("invalid selectedMcpServers headers")
            parsed.append(
                {
                    "name": server["name"],
                    "url": server["url"],
                    "headers": [{"key": h["key"], "value": h["value"]} for h in headers],
                }
            )
    out["selectedMcpServers"] = parsed  # .default([])
    return out


def _answer(model: str, inputs: str, turn: int) -> list[str]:
    words = len(inputs.split())
    short = model.rsplit("/", 1)[-1]
    return ["Hel", "lo", f" from {short}", f", turn {turn}", f", {words} words."]


def _origin_check(request: web.Request) -> web.Response | None:
    """hooks/handle.ts CSRF: native form POSTs need an Origin naming this host."""
    kind = request.content_type
    if request.method != "POST" or kind not in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "text/plain",
    ):
        return None
    origin = request.headers.get("Origin")
    if not origin:
        return _hook_error(request, 403, "Non-JSON form requests need to have an origin")
    host = origin.split("://", 1)[-1].split("/", 1)[0]
    if host not in (request.host, "huggingface.co"):
        return _hook_error(request, 403, "Invalid referer for POST request")
    return None


def _subtree(conv: Conversation, message_id: str) -> list[dict[str, Any]]:
    """utils/tree/buildSubtree.ts: the ancestors of a message (those that exist), then it."""
    by_id = {m["id"]: m for m in conv.messages}
    target = by_id.get(message_id)
    if target is None:
        return []
    return [by_id[a] for a in target.get("ancestors", []) if a in by_id] + [target]


def _add_child(conv: Conversation, message: dict[str, Any], parent_id: str) -> str:
    """utils/tree/addChildren.ts (an unknown parent still becomes an ancestor)."""
    by_id = {m["id"]: m for m in conv.messages}
    ancestors = [*by_id.get(parent_id, {}).get("ancestors", []), parent_id]
    new_id = str(uuid.uuid4())
    conv.messages.append({**message, "id": new_id, "ancestors": ancestors, "children": []})
    if parent_id in by_id:
        by_id[parent_id]["children"].append(new_id)
    return new_id


def _add_sibling(conv: Conversation, message: dict[str, Any], sibling_id: str) -> str:
    """utils/tree/addSibling.ts."""
    by_id = {m["id"]: m for m in conv.messages}
    ancestors = list(by_id[sibling_id]["ancestors"])
    new_id = str(uuid.uuid4())
    conv.messages.append({**message, "id": new_id, "ancestors": ancestors, "children": []})
    if ancestors and ancestors[-1] in by_id:
        by_id[ancestors[-1]]["children"].append(new_id)
    return new_id


def build_app(state: ChatUI) -> web.Application:
    """The aiohttp application of the fake."""
    app = web.Application(client_max_size=40 * 1024 * 1024)
    app["chatui"] = state

    def handle(request: web.Request) -> str | None | web.Response:
        """hooks/handle.ts: faults, Cloudflare, CSRF, then the user (None: anonymous).

        A POST by an anonymous session is refused here (loginEnabled on HuggingChat).
        """
        fault = request.app["faults"].take(request.path)
        request["fault"] = fault
        if fault is not None and fault.status is not None:
            return hf_error(fault.status, fault.message, shape=fault.shape, headers=fault.headers)
        if state.mode == "cloudflare":
            page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cloudflare</body></html>"
            return web.Response(
                text=page, status=403, content_type="text/html", headers={"cf-ray": "8f00-AMS"}
            )
        refused = _origin_check(request)
        if refused is not None:
            return refused
        user = state.user_of(request)
        if user is None and request.method == "POST":
            return _hook_error(request, 401, LOGGED_OUT)
        return user

    async def models(request: web.Request) -> web.Response:
        # src/routes/api/v2/models/+server.ts: listed models, superjson, cached 60 s.
        fault = request.app["faults"].take(request.path)
        if fault is not None and fault.status is not None:
            return hf_error(fault.status, fault.message, shape=fault.shape)
        listed = [m for m in state.models if not m.get("unlisted")]
        return web.json_response(
            _superjson(listed), headers={"Cache-Control": "private, max-age=60"}
        )

    async def user(request: web.Request) -> web.Response:
        # src/routes/api/v2/user/+server.ts: the user, or superjson null when anonymous.
        found = handle(request)
        if isinstance(found, web.Response):
            return found
        if found is None:
            return web.json_response(_superjson(None))
        return web.json_response(
            _superjson({"id": found[-24:], "username": USERNAME, "avatarUrl": "", "isAdmin": False})
        )

    async def create(request: web.Request) -> web.Response:
        # src/routes/conversation/+server.ts
        owner = handle(request)
        if isinstance(owner, web.Response):
            return owner
        if state.mode == "html":
            page = "<!DOCTYPE html><html><head><title>HuggingChat</title></head><body>Sign in</body></html>"
            return web.Response(text=page, content_type="text/html")
        try:
            body = json.loads(await request.text())
        except ValueError:
            return _kit_error(500, "An error occurred")
        model = body.get("model") if isinstance(body, dict) else None
        state.creates.append({"model": model, "session": request.cookies.get("hf-chat")})
        # validateModel: z.enum of every configured model id; safeParse failure → 400.
        if model not in {m["id"] for m in state.models} or not isinstance(
            body.get("preprompt", ""), str
        ):
            return _kit_error(400, "Invalid request")
        if state.model_info(model).get("unlisted"):
            return _kit_error(400, "Can't start a conversation with an unlisted model")
        conv = Conversation(secrets.token_hex(12), model, str(owner))
        root = str(uuid.uuid4())
        conv.messages.append(
            {
                "id": root,
                "from": "system",
                "content": body.get("preprompt", ""),
                "children": [],
                "ancestors": [],
            }
        )
        state.conversations[conv.id] = conv
        summary = json.dumps(
            _superjson(
                {
                    "messages": conv.messages,
                    "title": conv.title,
                    "model": model,
                    "rootMessageId": root,
                    "id": conv.id,
                }
            )
        )
        response = web.json_response({"conversationId": conv.id, "conversation": summary})
        response.set_cookie("hf-chat", request.cookies.get("hf-chat", ""), httponly=True)
        return response

    def resolve(request: web.Request) -> tuple[Any, Conversation] | web.Response:
        # src/lib/server/api/utils/resolveConversation.ts: 400 / 404 / 403 (someone else's).
        owner = handle(request)
        if isinstance(owner, web.Response):
            return owner
        conv_id = request.match_info["id"]
        if not _object_id(conv_id):
            return _kit_error(400, "Invalid conversation ID format")
        conv = state.conversations.get(conv_id)
        if conv is None:
            return _kit_error(404, "Conversation not found.")
        if conv.session != owner:
            return _kit_error(
                403,
                "You don't have access to this conversation. If someone gave you this link, "
                "ask them to use the 'share' feature instead.",
            )
        return owner, conv

    async def read_conversation(request: web.Request) -> web.Response:
        # src/routes/api/v2/conversations/[id]/+server.ts
        found = resolve(request)
        if isinstance(found, web.Response):
            return found
        conv = found[1]
        return web.json_response(
            _superjson(
                {
                    "messages": conv.messages,
                    "title": conv.title,
                    "model": conv.model,
                    "rootMessageId": conv.messages[0]["id"],
                    "id": conv.id,
                    "modelId": conv.model,
                    "shared": False,
                }
            )
        )

    async def list_conversations(request: web.Request) -> web.Response:
        # src/routes/api/v2/conversations/+server.ts: an anonymous session lists its own (none).
        owner = handle(request)
        if isinstance(owner, web.Response):
            return owner
        mine = [
            {"id": c.id, "title": c.title}
            for c in state.conversations.values()
            if owner and c.session == owner
        ]
        return web.json_response(_superjson(mine))

    def owned_for_post(request: web.Request) -> tuple[str, Conversation] | web.Response:
        # +server.ts / stop-generating: findOne({_id, ...authCondition}) else 404.
        owner = handle(request)
        if isinstance(owner, web.Response):
            return owner
        conv = state.conversations.get(request.match_info["id"])
        if conv is None or conv.session != owner:
            return _kit_error(404, "Conversation not found")
        return str(owner), conv

    async def post_message(request: web.Request) -> web.StreamResponse:
        # src/routes/conversation/[id]/+server.ts POST
        found = owned_for_post(request)
        if isinstance(found, web.Response):
            return found
        owner, conv = found
        now = time.monotonic()
        recent = [t for t in state.sent_at.get(owner, []) if now - t < 60]
        state.sent_at[owner] = recent + [now]
        if len(recent) + 1 > state.messages_per_minute:
            return _kit_error(429, "You are sending too many messages. Try again later.")
        raw: Any = None
        parts: list[dict[str, Any]] = []
        async for part in await request.multipart():
            blob = await part.read()
            if part.name == "data":
                raw = blob.decode("utf-8", errors="replace")
            elif part.name == "files" and blob:
                kind, _, name = (part.filename or "").partition(";")
                mime = part.headers.get("Content-Type", "")
                parts.append(
                    {
                        "kind": kind,
                        "name": name,
                        "mime": mime,
                        "value": blob.decode("utf-8", errors="replace"),
                    }
                )
        if not raw:
            return _kit_error(400, "Invalid request")
        try:
            decoded = json.loads(raw)
            data = parse_message_data(decoded)
            if any(p["kind"] not in ("base64", "hash") for p in parts):
                raise ZodError("file type")
        except (ValueError, ZodError):
            return _kit_error(500, "An error occurred")
        files: list[dict[str, Any]] = []
        uploads: list[dict[str, Any]] = []
        for p in parts:
            if p["kind"] == "hash":
                files.append(
                    {"type": "hash", "value": p["value"], "mime": p["mime"], "name": p["name"]}
                )
                uploads.append({**p, "bytes": p["value"].encode()})
                continue
            blob = base64.b64decode(p["value"])
            if len(blob) > 10 * 1024 * 1024:
                return _kit_error(413, "File too large, should be <10MB")
            # uploadFile.ts: hash of the text, sniffed type stored, the sent type kept.
            sha = chatui_sha(blob)
            state.bucket[(conv.id, sha)] = (blob, sniff(blob) or p["mime"])
            files.append({"type": "hash", "value": sha, "mime": p["mime"], "name": p["name"]})
            uploads.append({**p, "bytes": blob, "sha": sha})
        parent, inputs, retry = data.get("id"), data.get("inputs"), data.get("is_retry")
        by_id = {m["id"]: m for m in conv.messages}
        if retry and parent:
            target = by_id.get(parent)
            if target is None:
                return _kit_error(404, "Message not found")
            if target["from"] == "user" and inputs:
                user_id = _add_sibling(
                    conv, {"from": "user", "content": inputs, "files": files}, parent
                )
                write_to = _add_child(conv, {"from": "assistant", "content": ""}, user_id)
                prompt = _subtree(conv, user_id)
            elif target["from"] == "assistant":
                write_to = _add_sibling(conv, {"from": "assistant", "content": ""}, parent)
                prompt = _subtree(conv, parent)[:-1]
            else:
                return _kit_error(500, "Failed to create message")
        else:
            if not parent:
                return _kit_error(500, "An error occurred")  # addChildren needs a parent
            user_id = _add_child(
                conv, {"from": "user", "content": inputs or "", "files": files}, parent
            )
            write_to = _add_child(conv, {"from": "assistant", "content": ""}, user_id)
            prompt = _subtree(conv, user_id)
        post = {
            "conversation": conv.id,
            "model": conv.model,
            "raw": decoded,
            "data": data,
            "files": uploads,
            "turn": sum(1 for m in prompt if m["from"] == "user"),
            "history": [(m["from"], m["content"]) for m in prompt],
        }
        state.posts.append(post)
        response = web.StreamResponse(headers={"Content-Type": "application/jsonl"})
        response.set_cookie("hf-chat", request.cookies.get("hf-chat", ""), httponly=True)
        await response.prepare(request)
        stop = asyncio.Event()
        state.running[conv.id] = stop
        try:
            await _generate(
                request,
                state,
                conv,
                data,
                post,
                prompt,
                next(m for m in conv.messages if m["id"] == write_to),
                response,
                stop,
            )
        finally:
            state.running.pop(conv.id, None)
        return response

    async def stop_generating(request: web.Request) -> web.Response:
        # src/routes/conversation/[id]/stop-generating/+server.ts: lenient body, marker, abort.
        found = owned_for_post(request)
        if isinstance(found, web.Response):
            return found
        conv = found[1]
        try:
            body = json.loads(await request.text())
            point = {
                "generationId": body["generationId"],
                "seenContentLength": int(body["seenContentLength"]),
            }
            if not _is_uuid(point["generationId"]) or point["seenContentLength"] < 0:
                point = {}
        except (ValueError, KeyError, TypeError):
            point = {}
        state.stops.append({"conversation": conv.id, **point})
        running = state.running.get(conv.id)
        if running is not None:
            running.set()
        return web.Response()

    async def output(request: web.Request) -> web.Response:
        # src/routes/conversation/[id]/output/[sha256]/+server.ts
        found = owned_for_post(request)
        if isinstance(found, web.Response):
            return found
        stored = state.bucket.get((request.match_info["id"], request.match_info["sha"]))
        if stored is None:
            return _kit_error(404, "File not found")
        return web.Response(body=stored[0], content_type=stored[1] or "application/octet-stream")

    async def gradio_file(request: web.Request) -> web.Response:
        # A Space's file route (gradio): where an MCP image tool's "Image URL:" points.
        return web.Response(body=GENERATED, content_type="image/png")

    async def landing(request: web.Request) -> web.Response:
        # src/routes/+page.svelte behind hooks/handle.ts: the home page is open to anonymous
        # sessions (a simplified page with a "Sign in" link stands in for the app).
        session = state.session_of(request)
        if session is not None:
            page = '<html><body><div><div><nav><div><div><img alt="avatar" src="data:,"></div></div></nav></div></div>Logged in</body></html>'
            return web.Response(text=page, content_type="text/html")
        # With auto_login the page plays the user: it follows "Sign in" by itself.
        script = (
            f"<script>setTimeout(() => location.href = '/login?auto=1', {state.signin_delay_ms})</script>"
            if request.app["auto_login"]
            else ""
        )
        page = f'<html><head><title>HuggingChat</title></head><body><a id="signin" href="/login">Sign in</a>{script}</body></html>'
        response = web.Response(text=page, content_type="text/html")
        if not request.cookies.get("hf-chat"):
            response.set_cookie("hf-chat", str(uuid.uuid4()), httponly=True, path="/chat")
        if state.hub_logged_in and not request.cookies.get("token"):
            # huggingface.co's own login cookie, there before chat-ui's OAuth callback.
            response.set_cookie("token", "hub_" + secrets.token_hex(16), httponly=True, path="/")
        return response

    async def login_form(request: web.Request) -> web.Response:
        # Stands in for the Hub's OAuth page that src/routes/login/+server.ts redirects to.
        auto = request.query.get("auto") == "1"
        script = (
            "<script>setTimeout(() => document.getElementById('submit').click(), 300)</script>"
            if auto
            else ""
        )
        page = (
            "<html><head><title>Log in</title></head><body>"
            '<form method="post" action="/login">'
            f'<input name="username" id="username" value="{USERNAME if auto else ""}">'
            f'<input name="password" id="password" type="password" value="{PASSWORD if auto else ""}">'
            '<button id="submit" type="submit">Log in</button></form>'
            f"{script}</body></html>"
        )
        return web.Response(text=page, content_type="text/html")

    async def login_post(request: web.Request) -> web.Response:
        # The Hub's login: it sets the Hub's `token` cookie, then returns to the callback.
        form = await request.post()
        if form.get("username") != USERNAME or form.get("password") != PASSWORD:
            return web.Response(
                text="<html><body>Wrong credentials</body></html>",
                status=401,
                content_type="text/html",
            )
        token = "tok_" + secrets.token_hex(16)
        response = web.HTTPSeeOther("/chat/login/callback")
        response.set_cookie("token", token, httponly=True, path="/")
        raise response

    async def login_callback(request: web.Request) -> web.Response:
        # src/routes/login/callback/+server.ts: binds a session (and hf-chat) to the user.
        token = request.cookies.get("token")
        if not token:
            raise web.HTTPSeeOther("/login")
        session = str(uuid.uuid4())
        state.sessions[session] = token
        state.logins += 1
        response = web.HTTPSeeOther("/chat")
        response.set_cookie("hf-chat", session, httponly=True, path="/chat")
        raise response

    app.router.add_get("/chat/api/v2/models", models)
    app.router.add_get("/chat/api/v2/user", user)
    app.router.add_post("/chat/conversation", create)
    app.router.add_get("/chat/api/v2/conversations/{id}", read_conversation)
    app.router.add_get("/chat/api/v2/conversations", list_conversations)
    app.router.add_post("/chat/conversation/{id}", post_message)
    app.router.add_post("/chat/conversation/{id}/stop-generating", stop_generating)
    app.router.add_get("/chat/conversation/{id}/output/{sha}", output)
    app.router.add_get("/gradio_api/file={path:.*}", gradio_file)
    app.router.add_get("/chat", landing)
    app.router.add_get("/chat/", landing)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_post)
    app.router.add_get("/chat/login/callback", login_callback)
    return app


class _Writer:
    def __init__(self, response: web.StreamResponse) -> None:
        self.response = response

    async def send(self, update: dict[str, Any]) -> None:
        if update.get("type") == "stream":
            update = {**update, "token": pad(update["token"])}
        await self.response.write(dumps(update))


async def _keepalive(stream: _Writer, every: float, stop: asyncio.Event) -> None:
    # textGeneration/index.ts keepAlive: a status line while the answer is produced.
    try:
        while not stop.is_set():
            await stream.send({"type": "status", "status": "keepAlive"})
            await sleep_unless(stop, every)
    except (ConnectionError, RuntimeError):
        return


async def _generate(
    request: web.Request,
    state: ChatUI,
    conv: Conversation,
    data: dict[str, Any],
    post: dict[str, Any],
    prompt: list[dict[str, Any]],
    target: dict[str, Any],
    response: web.StreamResponse,
    stop: asyncio.Event,
) -> None:
    """The stream of +server.ts around textGeneration/index.ts (MCP flow, else generate)."""
    stream = _Writer(response)
    fault = request.get("fault")
    info = state.model_info(conv.model)
    await stream.send({"type": "status", "status": "started"})
    try:
        views = [
            model_view(
                m["content"],
                m.get("files") or [],
                state.bucket,
                conv.id,
                bool(info.get("multimodal")),
            )
            for m in prompt
            if m["from"] == "user"
        ]
    except FileNotFound:
        # downloadFile.ts error(404) inside the stream: an error status without a message.
        await stream.send({"type": "status", "status": "error", "statusCode": 404})
        return
    view = views[-1] if views else None
    post["view"] = (
        None
        if view is None
        else {
            "text": view.text,
            "images": view.images,
            "documents": view.documents,
            "dropped": view.dropped,
        }
    )
    inputs = view.text if view is not None else ""
    if fault is not None and fault.stall:
        await asyncio.sleep(fault.stall)  # silence: no keepAlive either
    alive_stop = asyncio.Event()
    alive = asyncio.create_task(_keepalive(stream, state.keepalive_every, alive_stop))
    try:
        await _answer_stream(
            request, state, conv, data, post, inputs, target, stream, stop, fault, info
        )
    except ConnectionError:
        return  # the client went away: +server.ts cancel() persists what there is
    finally:
        alive_stop.set()
        await alive
    # The real server closes soon after; a client that keeps reading past finalAnswer
    # gets this stray token and then hangs while the connection lingers.
    try:
        await asyncio.sleep(0.1)
        await stream.send({"type": "stream", "token": "AFTER-FINAL"})
        await asyncio.sleep(state.linger_after_final)
    except (ConnectionError, RuntimeError):
        return


async def _answer_stream(
    request: web.Request,
    state: ChatUI,
    conv: Conversation,
    data: dict[str, Any],
    post: dict[str, Any],
    inputs: str,
    target: dict[str, Any],
    stream: _Writer,
    stop: asyncio.Event,
    fault: Any,
    info: dict[str, Any],
) -> None:
    if fault is not None and fault.malformed:
        await stream.response.write(b'{"type": "stream", "token": \n')
    if fault is not None and fault.inband_error:
        await stream.send({"type": "status", "status": "error", "message": fault.inband_error})
        return
    servers = effective_servers(data.get("selectedMcpServerNames"), data["selectedMcpServers"])
    post["servers"] = [s["name"] for s in servers]
    routed = "moonshotai/Kimi-K2.6"
    extra: list[str] = []
    if servers:
        # runMcpFlow.ts: router metadata (route + model), the tool round, then the provider.
        if info.get("isRouter"):
            await stream.send({"type": "routerMetadata", "route": "agentic", "model": routed})
        produced = await tool_round(stream.send, servers, inputs, state.tools, GENERATED)
        post["tool_calls"] = produced["calls"]
        if info.get("isRouter"):
            await stream.send(
                {"type": "routerMetadata", "route": "", "model": "", "provider": "groq"}
            )
        if produced["texts"]:
            extra.append(f" I used {len(produced['texts'])} tool result(s).")
    elif info.get("isRouter"):
        # textGeneration/generate.ts: route, model and provider in one update.
        await stream.send(
            {"type": "routerMetadata", "route": "casual", "model": routed, "provider": "groq"}
        )
    if info.get("supportsReasoning"):
        await stream.send({"type": "reasoning", "subtype": "status", "status": "Thinking"})
        await stream.send({"type": "reasoning", "subtype": "stream", "token": "User greets."})
    if state.mode == "error":
        await stream.send(
            {
                "type": "status",
                "status": "error",
                "message": "Model is overloaded",
                "statusCode": 503,
            }
        )
        return
    tokens = _answer(conv.model, inputs.split("</document>\n\n")[-1], post["turn"])
    tokens += [f" more {i}." for i in range(state.extra_tokens)] + extra
    if data.get("is_retry"):
        siblings = [
            m
            for m in conv.messages
            if m["from"] == "assistant" and m["ancestors"] == target["ancestors"]
        ]
        tokens.append(f" (variant {len(siblings)})")
    gap = state.token_gap if state.token_gap is not None else state.keepalive_every * 2
    streamed = ""
    interrupted = False
    for index, token in enumerate(tokens):
        cut_at = fault.cut_after if fault is not None and fault.cut_after is not None else None
        if (state.mode == "cut" and index == state.tokens_before_cut) or cut_at == index:
            await asyncio.sleep(0.02)
            cut_connection(request)
            return
        if stop.is_set():
            interrupted = True
            break
        await stream.send({"type": "stream", "token": token})
        streamed += token
        target["content"] = streamed
        if index == 0 and conv.title == "New Chat":
            conv.title = f"Chat about {len(inputs.split())} words"
            await stream.send({"type": "title", "title": conv.title})
        if await sleep_unless(stop, gap):
            interrupted = True
            break
    if state.mode == "no_final":
        return
    if interrupted:
        # +server.ts emitInterruptedFinalAnswer + stopTruncation.ts: clamp to the stop point.
        marker = state.stops[-1] if state.stops else {}
        if marker.get("generationId") and marker.get("generationId") == data.get("generationId"):
            streamed = streamed[: marker["seenContentLength"]]
        target["content"], target["interrupted"] = streamed, True
        await stream.send({"type": "finalAnswer", "text": streamed, "interrupted": True})
        return
    target["content"] = streamed
    state.answers.append(streamed)
    await stream.send({"type": "finalAnswer", "text": streamed, "interrupted": False})
    await stream.response.write(b" " * 4096)
    await stream.send({"type": "status", "status": "finished"})


class ChatUIServer(FakeServer):
    """A :class:`FakeServer` running the fake chat-ui; ``state`` is its :class:`ChatUI`."""

    def __init__(self, state: ChatUI | None = None, auto_login: bool = False) -> None:
        self.state = state or ChatUI()
        app = build_app(self.state)
        app["auto_login"] = auto_login
        super().__init__(app)

    @property
    def base(self) -> str:
        return f"{self.url}/chat"


def har_for(cookies: dict[str, str], url: str = "https://huggingface.co/chat/") -> dict[str, Any]:
    """A browser HAR capture whose requests to huggingface.co carry ``cookies``."""
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "entries": [
                {
                    "request": {
                        "method": "GET",
                        "url": url,
                        "headers": [{"name": ":authority", "value": "huggingface.co"}],
                        "cookies": [
                            {"name": k, "value": v, "httpOnly": True} for k, v in cookies.items()
                        ],
                    },
                    "response": {"status": 200, "cookies": []},
                }
            ],
        }
    }


def extension_export(
    cookies: dict[str, str], domain: str = ".huggingface.co"
) -> list[dict[str, Any]]:
    """A browser-extension cookie export (Cookie-Editor style) of ``cookies``."""
    return [
        {
            "domain": domain,
            "name": k,
            "value": v,
            "path": "/",
            "hostOnly": False,
            "secure": True,
            "expirationDate": time.time() + 86400,
        }
        for k, v in cookies.items()
    ]
