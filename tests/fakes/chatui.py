"""A fake chat-ui (HuggingChat, PROTOCOLS.md §E and §G) on 127.0.0.1, under ``/chat``.

It enforces what the real service does: the ``hf-chat`` session cookie coupled to
the ``token`` cookie (401 "You have to be logged in." otherwise), the Origin check
on form POSTs (403), a per-session message rate limit (429), conversations owned
by their session, parent message ids that must exist, and generated files that
are only served with the session cookies. Answers stream as JSONL MessageUpdates:
``\\0``-padded tokens, keepAlive lines every few ms, a title produced concurrently,
reasoning, files, web sources, ``finalAnswer`` followed by 4 KB of spaces (and the
connection then lingers, so a client that keeps reading hangs).

Modes (``ChatUI.mode``): ``normal``, ``cut`` (connection dropped mid-answer),
``no_final`` (the stream ends without ``finalAnswer``), ``html`` (a 200 login page
instead of JSON on create), ``cloudflare`` (403 challenge page), ``error`` (an
in-band ``status: error`` update). The server's FaultQueue also works: ``status``
faults answer any authenticated route; on a message POST ``stall`` (seconds of
silence after ``started``), ``malformed`` (an undecodable line), ``cut_after`` (tokens
before the cut) and ``inband_error`` shape the stream.

The login pages (``/chat`` landing, ``/login`` form, ``/chat/login/callback``) let a
real browser log in: the form post sets ``token``, the callback binds a new
``hf-chat`` session to it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.router import png_bytes
from tests.fakes.server import FakeServer, cut_connection, hf_error

__all__ = [
    "ChatUI",
    "ChatUIServer",
    "IMAGE_TOOL_ID",
    "MODELS",
    "USERNAME",
    "PASSWORD",
    "har_for",
    "extension_export",
]

IMAGE_TOOL_ID = "000000000000000000000001"
USERNAME = "alice"
PASSWORD = "correct horse"
LOGGED_OUT = "You have to be logged in."

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
    session: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    title: str = "New Chat"


@dataclass
class ChatUI:
    """State and switches of the fake; ``posts`` logs every accepted message."""

    mode: str = "normal"
    messages_per_minute: int = 1000
    keepalive_every: float = 0.003
    token_gap: float | None = None  # seconds between tokens; default twice keepalive_every
    linger_after_final: float = 10.0
    tokens_before_cut: int = 2
    sessions: dict[str, str] = field(default_factory=dict)  # hf-chat → token
    conversations: dict[str, Conversation] = field(default_factory=dict)
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    creates: list[dict[str, Any]] = field(default_factory=list)
    sent_at: dict[str, list[float]] = field(default_factory=dict)
    logins: int = 0

    def new_session(self) -> dict[str, str]:
        """Register a logged-in session; its two cookies."""
        pair = {"hf-chat": str(uuid.uuid4()), "token": "tok_" + secrets.token_hex(16)}
        self.sessions[pair["hf-chat"]] = pair["token"]
        return pair

    def session_of(self, request: web.Request) -> str | None:
        session, token = request.cookies.get("hf-chat"), request.cookies.get("token")
        if session and token and self.sessions.get(session) == token:
            return session
        return None


def _superjson(value: Any) -> dict[str, Any]:
    return {"json": value, "meta": {"values": {}}}


def _wants_json(request: web.Request) -> bool:
    return "json" in request.headers.get("Accept", "") or request.content_type == "application/json"


def _logged_out(request: web.Request) -> web.Response:
    if _wants_json(request) or request.path.startswith("/chat/api/"):
        return web.json_response({"error": LOGGED_OUT}, status=401)
    return web.Response(text=LOGGED_OUT, status=401)


def _answer(model: str, inputs: str, turn: int) -> list[str]:
    words = len(inputs.split())
    short = model.rsplit("/", 1)[-1]
    return ["Hel", "lo", f" from {short}", f", turn {turn}", f", {words} words."]


def _pad(token: str) -> str:
    return token + "\0" * max(0, 16 - len(token))


class _Stream:
    def __init__(self, response: web.StreamResponse) -> None:
        self.response = response

    async def send(self, update: dict[str, Any]) -> None:
        await self.response.write((json.dumps(update) + "\n").encode())


def _origin_ok(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    host = origin.split("://", 1)[-1].split("/", 1)[0]
    return host == request.host or host == "huggingface.co"


def build_app(state: ChatUI) -> web.Application:
    """The aiohttp application of the fake."""
    app = web.Application(client_max_size=20 * 1024 * 1024)
    app["chatui"] = state

    def guard(request: web.Request) -> str | web.Response:
        """The logged-in session, or the error answer; stream faults wait in ``request["fault"]``."""
        fault = request.app["faults"].take(request.path)
        request["fault"] = fault
        if fault is not None and fault.status is not None:
            return hf_error(fault.status, fault.message, shape=fault.shape, headers=fault.headers)
        if state.mode == "cloudflare":
            page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cloudflare</body></html>"
            return web.Response(
                text=page, status=403, content_type="text/html", headers={"cf-ray": "8f00-AMS"}
            )
        session = state.session_of(request)
        if session is None:
            return _logged_out(request)
        return session

    async def models(request: web.Request) -> web.Response:
        fault = request.app["faults"].take(request.path)
        if fault is not None and fault.status is not None:
            return hf_error(fault.status, fault.message, shape=fault.shape)
        return web.json_response(
            _superjson(MODELS), headers={"Cache-Control": "private, max-age=60"}
        )

    async def create(request: web.Request) -> web.Response:
        session = guard(request)
        if isinstance(session, web.Response):
            return session
        if state.mode == "html":
            page = "<!DOCTYPE html><html><head><title>HuggingChat</title></head><body>Sign in</body></html>"
            return web.Response(text=page, content_type="text/html")
        body = await request.json()
        model = body.get("model")
        state.creates.append({"model": model, "session": session})
        if model not in {m["id"] for m in MODELS}:
            return web.json_response({"message": "Invalid model"}, status=400)
        conv = Conversation(secrets.token_hex(12), model, session)
        conv.messages.append(
            {
                "id": str(uuid.uuid4()),
                "from": "system",
                "content": body.get("preprompt", ""),
                "children": [],
                "ancestors": [],
            }
        )
        state.conversations[conv.id] = conv
        summary = json.dumps(_superjson({"id": conv.id, "model": model, "title": conv.title}))
        response = web.json_response({"conversationId": conv.id, "conversation": summary})
        response.set_cookie("hf-chat", session, httponly=True)
        return response

    def owned(request: web.Request) -> tuple[str, Conversation] | web.Response:
        """The session and its conversation named in the path, or the error answer."""
        session = guard(request)
        if isinstance(session, web.Response):
            return session
        conv = state.conversations.get(request.match_info["id"])
        if conv is None or conv.session != session:
            return web.json_response({"message": "Conversation not found"}, status=404)
        return session, conv

    async def read_conversation(request: web.Request) -> web.Response:
        found = owned(request)
        if isinstance(found, web.Response):
            return found
        conv = found[1]
        return web.json_response(
            _superjson(
                {"id": conv.id, "title": conv.title, "model": conv.model, "messages": conv.messages}
            )
        )

    async def list_conversations(request: web.Request) -> web.Response:
        session = guard(request)
        if isinstance(session, web.Response):
            return session
        mine = [
            {"id": c.id, "title": c.title}
            for c in state.conversations.values()
            if c.session == session
        ]
        return web.json_response(_superjson(mine))

    async def post_message(request: web.Request) -> web.StreamResponse:
        if not _origin_ok(request):
            return web.json_response(
                {"error": "Non-JSON form requests need to have an origin"}, status=403
            )
        found = owned(request)
        if isinstance(found, web.Response):
            return found
        session, conv = found
        now = time.monotonic()
        recent = [t for t in state.sent_at.get(session, []) if now - t < 60]
        if len(recent) >= state.messages_per_minute:
            return web.json_response(
                {"error": "You are sending too many messages. Try again later."}, status=429
            )
        state.sent_at[session] = recent + [now]
        data: dict[str, Any] = {}
        files: list[dict[str, Any]] = []
        async for part in await request.multipart():
            raw = await part.read()
            if part.name == "data":
                data = json.loads(raw)
            elif part.name == "files":
                kind, _, name = (part.filename or "").partition(";")
                files.append(
                    {
                        "kind": kind,
                        "name": name,
                        "bytes": base64.b64decode(raw) if kind == "base64" else raw,
                    }
                )
        parent = data.get("id")
        if parent not in {m["id"] for m in conv.messages}:
            return web.json_response({"message": "Parent message not found"}, status=400)
        turn = sum(1 for m in conv.messages if m["from"] == "user") + 1
        state.posts.append(
            {
                "conversation": conv.id,
                "model": conv.model,
                "data": data,
                "files": files,
                "turn": turn,
            }
        )
        user_id = str(uuid.uuid4())
        conv.messages.append(
            {
                "id": user_id,
                "from": "user",
                "content": data.get("inputs", ""),
                "ancestors": [parent],
                "children": [],
            }
        )
        response = web.StreamResponse(headers={"Content-Type": "application/jsonl"})
        response.set_cookie("hf-chat", session, httponly=True)
        await response.prepare(request)
        await _stream_answer(request, state, conv, data, turn, user_id, _Stream(response))
        return response

    async def output(request: web.Request) -> web.Response:
        found = owned(request)
        if isinstance(found, web.Response):
            return found
        blob = state.files.get((request.match_info["id"], request.match_info["sha"]))
        if blob is None:
            return web.json_response({"message": "File not found"}, status=404)
        return web.Response(body=blob, content_type="image/png")

    async def landing(request: web.Request) -> web.Response:
        session = state.session_of(request)
        if session is not None:
            page = '<html><body><div><div><nav><div><div><img alt="avatar" src="data:,"></div></div></nav></div></div>Logged in</body></html>'
            return web.Response(text=page, content_type="text/html")
        # With auto_login the page plays the user: it follows "Sign in" by itself.
        script = (
            "<script>setTimeout(() => location.href = '/login?auto=1', 200)</script>"
            if request.app["auto_login"]
            else ""
        )
        page = f'<html><head><title>HuggingChat</title></head><body><a id="signin" href="/login">Sign in</a>{script}</body></html>'
        response = web.Response(text=page, content_type="text/html")
        if not request.cookies.get("hf-chat"):
            response.set_cookie("hf-chat", str(uuid.uuid4()), httponly=True, path="/chat")
        return response

    async def login_form(request: web.Request) -> web.Response:
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
    app.router.add_post("/chat/conversation", create)
    app.router.add_get("/chat/api/v2/conversations/{id}", read_conversation)
    app.router.add_get("/chat/api/v2/conversations", list_conversations)
    app.router.add_post("/chat/conversation/{id}", post_message)
    app.router.add_get("/chat/conversation/{id}/output/{sha}", output)
    app.router.add_get("/chat", landing)
    app.router.add_get("/chat/", landing)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login_post)
    app.router.add_get("/chat/login/callback", login_callback)
    return app


async def _keepalive(stream: _Stream, every: float, stop: asyncio.Event) -> None:
    try:
        while not stop.is_set():
            await stream.send({"type": "status", "status": "keepAlive"})
            try:
                await asyncio.wait_for(stop.wait(), every)
            except asyncio.TimeoutError:
                pass
    except ConnectionError:
        return


async def _stream_answer(
    request: web.Request,
    state: ChatUI,
    conv: Conversation,
    data: dict[str, Any],
    turn: int,
    user_id: str,
    stream: _Stream,
) -> None:
    inputs = str(data.get("inputs", ""))
    tokens = _answer(conv.model, inputs, turn)
    text = "".join(tokens)
    reasoning = next((m.get("supportsReasoning") for m in MODELS if m["id"] == conv.model), False)
    fault = request.get("fault")
    await stream.send({"type": "status", "status": "started"})
    if fault is not None and fault.stall:
        await asyncio.sleep(fault.stall)  # silence: no keepAlive either
    stop = asyncio.Event()
    alive = asyncio.create_task(_keepalive(stream, state.keepalive_every, stop))
    try:
        if fault is not None and fault.malformed:
            await stream.response.write(b'{"type": "stream", "token": \n')
        if fault is not None and fault.inband_error:
            await stream.send({"type": "status", "status": "error", "message": fault.inband_error})
            return
        if conv.model == "omni":
            await stream.send(
                {
                    "type": "routerMetadata",
                    "route": "casual",
                    "model": "moonshotai/Kimi-K2.6",
                    "provider": "groq",
                }
            )
        if reasoning:
            await stream.send({"type": "reasoning", "subtype": "status", "status": "Thinking"})
            await stream.send(
                {"type": "reasoning", "subtype": "stream", "token": _pad("User greets.")}
            )
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
        for index, token in enumerate(tokens):
            cut_at = fault.cut_after if fault is not None and fault.cut_after is not None else None
            if (state.mode == "cut" and index == state.tokens_before_cut) or cut_at == index:
                await asyncio.sleep(0.02)
                cut_connection(request)
                return
            await stream.send({"type": "stream", "token": _pad(token)})
            if index == 0 and turn == 1:
                conv.title = f"Chat about {len(inputs.split())} words"
                await stream.send({"type": "title", "title": conv.title})
            await asyncio.sleep(
                state.token_gap if state.token_gap is not None else state.keepalive_every * 2
            )
        if IMAGE_TOOL_ID in (data.get("tools") or []):
            blob = png_bytes(8, 8)
            sha = hashlib.sha256(blob).hexdigest()
            state.files[(conv.id, sha)] = blob
            await stream.send(
                {
                    "type": "tool",
                    "subtype": "call",
                    "uuid": "t1",
                    "call": {"name": "image_generation", "parameters": {}},
                }
            )
            await stream.send(
                {"type": "file", "name": "image.png", "sha": sha, "mime": "image/png"}
            )
        if data.get("web_search"):
            sources = [{"title": "Example", "link": "https://example.org/a"}]
            await stream.send(
                {
                    "type": "webSearch",
                    "subtype": "sources",
                    "messageType": "sources",
                    "sources": sources,
                }
            )
        if state.mode == "no_final":
            return
        conv.messages.append(
            {
                "id": str(uuid.uuid4()),
                "from": "assistant",
                "content": text,
                "ancestors": [user_id],
                "children": [],
            }
        )
        state.answers.append(text)
        await stream.send({"type": "status", "status": "finished"})
        await stream.send({"type": "finalAnswer", "text": text, "interrupted": False})
        await stream.response.write(b" " * 4096)
    finally:
        stop.set()
        await alive
    # The real server closes soon after; a client that keeps reading past finalAnswer
    # gets this stray token and then hangs while the connection lingers.
    try:
        await asyncio.sleep(0.1)
        await stream.send({"type": "stream", "token": "AFTER-FINAL"})
        await asyncio.sleep(state.linger_after_final)
    except ConnectionError:
        return


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
