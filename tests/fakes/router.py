"""A fake Inference Providers router (PROTOCOLS.md §A-§C) on 127.0.0.1.

Routes: ``POST /v1/chat/completions`` (JSON and SSE, stream variants (a)-(g) of §A),
``GET /v1/models``, ``POST /hf-inference/models/{id}`` (TGI JSON and SSE with
``details``, or image bytes), ``POST /together/v1/images/generations`` and
``GET /files/{name}`` (the image URLs it hands out). Misbehaviour comes from the
server's FaultQueue (error statuses in both HF body shapes, Retry-After, 503
``estimated_time``, HTML 504, cut connections, stalls, malformed lines, in-band
errors). Requests addressed to the retired ``api-inference.huggingface.co`` host
get its 410; every request's host is logged so tests can assert none went there.
"""

from __future__ import annotations

import asyncio
import json
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import (
    FakeServer,
    Fault,
    cut_connection,
    fault_response,
    hf_error,
    open_sse,
    write_sse,
)

__all__ = [
    "FakeRouter",
    "ServedFake",
    "ChatScript",
    "TgiScript",
    "ToolCallScript",
    "TOKEN",
    "LEGACY_HOST",
    "png_bytes",
    "png_size",
]

TOKEN = "hf_fakeRouterToken0123456789"
LEGACY_HOST = "api-inference.huggingface.co"
LEGACY_MESSAGE = (
    "https://api-inference.huggingface.co is no longer supported. "
    "Please use https://router.huggingface.co instead."
)
POLICIES = ("fastest", "cheapest", "preferred")


def png_bytes(width: int, height: int, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid RGB PNG of the given size (one colour)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR."""
    if not data.startswith(b"\x89PNG"):
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


@dataclass
class ToolCallScript:
    """One tool call the fake model makes; ``arguments`` is streamed in ``pieces`` parts."""

    name: str
    arguments: str
    id: str = "call_1"
    pieces: int = 3


@dataclass
class ChatScript:
    """What the fake chat model answers and how the stream is laid out.

    ``variant``: "novita" (role chunk, content chunks, finish chunk, usage chunk with
    ``choices: []``) or "tgi" (§A (a): every chunk repeats ``delta.role``, ``"usage":
    null``, ``"id": ""``, the last content chunk carries the finish reason).
    ``reasoning_field``: "reasoning", "reasoning_content", "reasoning_text" or "think"
    (inline ``<think>`` tags in the content). ``done_no_space`` sends ``data:[DONE]``
    (e), ``keepalive`` interleaves SSE comments (f), ``always_usage`` sends usage
    even when ``include_usage`` was not asked (g). ``ignore_stream`` answers JSON even
    to a stream request, as some backends do; ``duplicate_done`` sends ``[DONE]`` twice.
    """

    content: str = "Paris is the capital of France."
    reasoning: str = ""
    reasoning_field: str = "reasoning_content"
    tool_calls: list[ToolCallScript] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, int] = field(
        default_factory=lambda: {"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19}
    )
    variant: str = "novita"
    done_no_space: bool = False
    keepalive: bool = False
    always_usage: bool = False
    chunk_size: int = 5
    backend: str = "novita"
    ignore_stream: bool = False
    duplicate_done: bool = False


@dataclass
class TgiScript:
    """What the fake TGI model generates: ``text`` tokens, then the special ``eos``.

    Generation stops at ``max_new_tokens`` (finish ``length``). ``details_in_stream``
    False drops ``details`` from the stream so the client must rely on special tokens.
    """

    text: str = " Deep learning is a branch of machine learning."
    eos: str | None = "</s>"
    details_in_stream: bool = True
    input_length: int = 17


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or []


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s*\S+|\s+$", text)


def _default_catalogue() -> list[dict[str, Any]]:
    def entry(model_id: str, *providers: dict[str, Any], vision: bool = False) -> dict[str, Any]:
        modalities = ["text", "image"] if vision else ["text"]
        return {
            "id": model_id,
            "object": "model",
            "created": 1737000000,
            "owned_by": model_id.split("/")[0],
            "architecture": {"input_modalities": modalities, "output_modalities": ["text"]},
            "providers": list(providers),
        }

    return [
        entry(
            "openai/gpt-oss-120b",
            {
                "provider": "groq",
                "status": "live",
                "context_length": 131072,
                "supports_tools": True,
            },
            {"provider": "cerebras", "status": "live"},
        ),
        entry(
            "meta-llama/Llama-3.3-70B-Instruct",
            {
                "provider": "together",
                "status": "live",
                "context_length": 131072,
                "pricing": {"input": 0.88, "output": 0.88},
                "supports_tools": True,
                "supports_structured_output": True,
            },
            {"provider": "novita", "status": "error", "context_length": 4096},
        ),
        entry(
            "deepseek-ai/DeepSeek-R1",
            {
                "provider": "together",
                "status": "live",
                "context_length": 163840,
                "supports_tools": False,
            },
            {"provider": "novita", "status": "live"},
        ),
        entry("Qwen/Qwen2.5-Coder-32B-Instruct", {"provider": "nebius", "status": "live"}),
        entry(
            "meta-llama/Llama-3.2-11B-Vision-Instruct",
            {"provider": "together", "status": "live", "context_length": 8192},
            vision=True,
        ),
    ]


class ServedFake:
    """A fake service with its own :class:`FakeServer`; use as a context manager."""

    server: FakeServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.server.requests

    @property
    def faults(self) -> Any:
        return self.server.faults

    def hosts(self) -> set[str]:
        """Every Host header the fake has seen (without ports)."""
        return {str(r["host"]).split(":")[0] for r in self.requests}

    def __enter__(self) -> Any:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


class FakeRouter(ServedFake):
    """The fake router's state: scripts, accepted token, recorded request bodies."""

    def __init__(self, token: str | None = TOKEN) -> None:
        self.token = token
        self.chat = ChatScript()
        #: When set, picks the script for each chat request from its JSON body (e.g. text
        #: once a ``tool`` message is in the history); otherwise ``chat`` answers.
        self.chat_responder: Callable[[dict[str, Any]], ChatScript] | None = None
        self.tgi = TgiScript()
        self.catalogue: list[dict[str, Any]] = _default_catalogue()
        self.text_models: set[str] = {
            "Qwen/QwQ-32B",
            "meta-llama/Llama-3.3-70B-Instruct",
            "mistralai/Mistral-Nemo-Instruct-2407",
            "deepseek-ai/DeepSeek-R1",
            "HuggingFaceH4/zephyr-7b-beta",
            "openai-community/gpt2",
            "openai/gpt-oss-120b",
            "unknown/eos-model",
        }
        self.image_models: set[str] = {
            "stabilityai/stable-diffusion-3.5-large",
            "black-forest-labs/FLUX.1-dev",
            "black-forest-labs/FLUX.1-schnell",
        }
        self.together_models: set[str] = {
            "black-forest-labs/FLUX.1-dev",
            "black-forest-labs/FLUX.1-schnell",
        }
        self.chat_bodies: list[dict[str, Any]] = []
        self.tgi_bodies: list[dict[str, Any]] = []
        self.image_bodies: list[dict[str, Any]] = []
        self.together_bodies: list[dict[str, Any]] = []
        self.app = web.Application(middlewares=[_legacy_host])
        self.app["router"] = self
        self.app.router.add_post("/v1/chat/completions", _chat)
        self.app.router.add_get("/v1/models", _models)
        self.app.router.add_post("/hf-inference/models/{model:.+}", _hf_inference)
        self.app.router.add_post("/together/v1/images/generations", _together)
        self.app.router.add_get("/files/{name}", _file)
        self.server = FakeServer(self.app)

    def check_auth(self, request: web.Request, required: bool = True) -> web.Response | None:
        """401 in the HF string shape unless the Bearer token is the accepted one."""
        header = request.headers.get("Authorization")
        if header is None and not required:
            return None
        if self.token is not None and header != f"Bearer {self.token}":
            return hf_error(401, "Invalid credentials in Authorization header")
        return None


@web.middleware
async def _legacy_host(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.host.split(":")[0] == LEGACY_HOST:
        return hf_error(410, LEGACY_MESSAGE)
    return await handler(request)


def _fake(request: web.Request) -> FakeRouter:
    return request.app["router"]


def _gate(
    request: web.Request, auth: str | None = "required"
) -> tuple[Fault | None, web.Response | None]:
    """The request's fault, and the response that ends it early (a fault status, or a 401)."""
    fault = request.app["faults"].take(request.path)
    if fault is not None and fault.status is not None:
        return fault, fault_response(fault)
    if auth is not None:
        return fault, _fake(request).check_auth(request, required=auth == "required")
    return fault, None


def _check_model(fake: FakeRouter, model: str) -> tuple[web.Response | None, str]:
    """An error for an unknown model or backend, else the backend that answers."""
    base, _, suffix = model.partition(":")
    entry = next((m for m in fake.catalogue if m["id"] == base), None)
    if entry is None:
        message = f"The requested model '{base}' is not supported by any provider you have enabled."
        return hf_error(400, message, shape="openai", code="model_not_supported"), ""
    backends = [p["provider"] for p in entry.get("providers", [])]
    if suffix and suffix not in POLICIES:
        if suffix not in backends:
            return hf_error(400, f"Model not supported by provider {suffix}"), ""
        return None, suffix
    return None, backends[0] if backends else fake.chat.backend


def _tool_deltas(script: ChatScript) -> list[dict[str, Any]]:
    deltas = []
    for index, call in enumerate(script.tool_calls):
        size = max(1, -(-len(call.arguments) // max(1, call.pieces)))
        deltas.append(
            {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
        )
        deltas += [
            {"index": index, "function": {"arguments": p}} for p in _pieces(call.arguments, size)
        ]
    return deltas


def _finish(script: ChatScript) -> str:
    return script.finish_reason or ("tool_calls" if script.tool_calls else "stop")


def _visible_content(script: ChatScript) -> str:
    if script.reasoning and script.reasoning_field == "think":
        return f"<think>{script.reasoning}</think>{script.content}"
    return script.content


def _stream_deltas(script: ChatScript) -> list[dict[str, Any]]:
    """The deltas of a streamed answer, before any framing."""
    deltas: list[dict[str, Any]] = []
    if script.reasoning and script.reasoning_field != "think":
        deltas += [
            {script.reasoning_field: p} for p in _pieces(script.reasoning, script.chunk_size)
        ]
    deltas += [{"content": p} for p in _pieces(_visible_content(script), script.chunk_size)]
    deltas += [{"tool_calls": [d]} for d in _tool_deltas(script)]
    return deltas


def _chat_chunks(script: ChatScript, model: str, include_usage: bool) -> list[dict[str, Any]]:
    """Stream chunk objects in the script's variant."""
    tgi = script.variant == "tgi"
    base: dict[str, Any] = {
        "id": "" if tgi else "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
    }
    base["model"] = model
    if tgi:
        base["system_fingerprint"] = "3.2.1-native"
        base["usage"] = None
    else:
        base["sla_metrics"] = {"ttft_ms": 12}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if tgi:
            delta = {"role": "assistant", **delta}
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**base, "choices": [choice]}

    deltas = _stream_deltas(script)
    chunks = [] if tgi else [chunk({"role": "assistant"})]
    if tgi and deltas:
        chunks += [chunk(d) for d in deltas[:-1]] + [chunk(deltas[-1], _finish(script))]
    else:
        chunks += [chunk(d) for d in deltas] + [chunk({}, _finish(script))]
    if include_usage or script.always_usage:
        usage_chunk = {**base, "choices": [], "usage": script.usage}
        chunks.append(usage_chunk)
    return chunks


def _chat_completion(script: ChatScript, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": _visible_content(script),
        "reasoning": None,
    }
    if script.reasoning and script.reasoning_field != "think":
        message[script.reasoning_field] = script.reasoning
    if script.tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "index": i,
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for i, c in enumerate(script.tool_calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1769718266,
        "model": model,
        "system_fingerprint": "fp_fake",
        "choices": [
            {"index": 0, "finish_reason": _finish(script), "logprobs": None, "message": message}
        ],
        "usage": script.usage,
    }


def _inband_payload(fault: Fault) -> dict[str, Any]:
    if fault.shape == "openai":
        return {
            "error": {"message": fault.inband_error, "type": "server_error", "code": fault.code}
        }
    return {"error": fault.inband_error, "error_type": fault.extra.get("error_type", "generation")}


async def _stream_events(
    request: web.Request,
    events: list[Any],
    fault: Fault | None,
    *,
    headers: dict[str, str] | None = None,
    space: bool = True,
    keepalive: bool = False,
    done: str | None = "[DONE]",
    repeat_done: int = 1,
) -> web.StreamResponse:
    """Write ``events`` as SSE, applying a stream fault (cut, stall, malformed, in-band error)."""
    response = await open_sse(request, headers)
    for index, event in enumerate(events):
        if fault is not None:
            if fault.cut_after is not None and index == fault.cut_after:
                cut_connection(request)
                return response
            if fault.stall is not None and index == 1:
                await asyncio.sleep(fault.stall)
            if fault.malformed and index == 1:
                await response.write(b'data: {"choices": [ {"delta": \n\n')
            if fault.inband_error is not None and index == 1:
                await write_sse(response, _inband_payload(fault), space=space)
                await response.write_eof()
                return response
        if keepalive:
            await response.write(b": keep-alive\n\n")
        await write_sse(response, event, space=space)
    for _ in range(repeat_done if done is not None else 0):
        await write_sse(response, done, space=space)
    await response.write_eof()
    return response


async def _chat(request: web.Request) -> web.StreamResponse:
    fake = _fake(request)
    fault, early = _gate(request)
    if early is not None:
        return early
    try:
        body = await request.json()
    except ValueError:
        return hf_error(400, "Failed to deserialize the JSON body", shape="openai")
    fake.chat_bodies.append(body)
    model = str(body.get("model", ""))
    error, backend = _check_model(fake, model)
    if error is not None:
        return error
    script = fake.chat if fake.chat_responder is None else fake.chat_responder(body)
    headers = {"x-inference-provider": backend, "x-request-id": f"req-{len(fake.chat_bodies)}"}
    if not body.get("stream") or script.ignore_stream:
        if fault is not None and fault.cut_after is not None:
            response = web.StreamResponse(headers={"Content-Type": "application/json", **headers})
            await response.prepare(request)
            await response.write(json.dumps(_chat_completion(script, model))[:40].encode())
            cut_connection(request)
            return response
        return web.json_response(_chat_completion(script, model), headers=headers)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return await _stream_events(
        request,
        _chat_chunks(script, model, include_usage),
        fault,
        headers=headers,
        space=not script.done_no_space,
        keepalive=script.keepalive,
        repeat_done=2 if script.duplicate_done else 1,
    )


async def _models(request: web.Request) -> web.StreamResponse:
    _, early = _gate(request, auth=None)
    if early is not None:
        return early
    return web.json_response({"object": "list", "data": _fake(request).catalogue})


def _validate_tgi(parameters: dict[str, Any]) -> web.Response | None:
    temperature = parameters.get("temperature")
    if temperature is not None and temperature <= 0:
        message = "Input validation error: `temperature` must be strictly positive"
        return hf_error(422, message, extra={"error_type": "validation"})
    top_p = parameters.get("top_p")
    if top_p is not None and not 0 < top_p < 1:
        message = "Input validation error: `top_p` must be > 0.0 and < 1.0"
        return hf_error(422, message, extra={"error_type": "validation"})
    return None


def _tgi_events(
    script: TgiScript, max_new: int, inputs: str
) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
    tokens = _tokens(script.text)
    finish = "eos_token" if script.eos else "length"
    if len(tokens) >= max_new:
        tokens, finish = tokens[:max_new], "length"
    text = "".join(tokens)
    details = {
        "finish_reason": finish,
        "generated_tokens": len(tokens) + (1 if finish == "eos_token" else 0),
        "seed": None,
        "input_length": script.input_length,
    }
    events = [
        {
            "index": i + 1,
            "token": {"id": 1000 + i, "text": tok, "logprob": -0.25, "special": False},
            "generated_text": None,
            "details": None,
        }
        for i, tok in enumerate(tokens)
    ]
    if finish == "eos_token":
        eos = {"id": 2, "text": script.eos, "logprob": 0.0, "special": True}
        events.append(
            {"index": len(tokens) + 1, "token": eos, "generated_text": None, "details": None}
        )
    if events:
        events[-1]["generated_text"] = text
        events[-1]["details"] = details if script.details_in_stream else None
    return events, text, details


async def _hf_inference(request: web.Request) -> web.StreamResponse:
    fake = _fake(request)
    fault, early = _gate(request, auth="optional")
    if early is not None:
        return early
    model = request.match_info["model"]
    body = await request.json()
    parameters = body.get("parameters") or {}
    if model in fake.image_models:
        fake.image_bodies.append({"model": model, **body})
        width, height = int(parameters.get("width", 512)), int(parameters.get("height", 512))
        headers = {"x-compute-time": "1.5", "x-compute-type": "cpu"}
        return web.Response(
            body=png_bytes(width, height), content_type="image/png", headers=headers
        )
    if model not in fake.text_models:
        return web.Response(status=404, text="Not Found")
    fake.tgi_bodies.append({"model": model, **body})
    invalid = _validate_tgi(parameters)
    if invalid is not None:
        return invalid
    events, text, details = _tgi_events(
        fake.tgi, int(parameters.get("max_new_tokens", 100)), body.get("inputs", "")
    )
    if parameters.get("return_full_text"):
        text = str(body.get("inputs", "")) + text
    if not body.get("stream"):
        answer: dict[str, Any] = {"generated_text": text}
        if parameters.get("details"):
            answer["details"] = details
        return web.json_response([answer])
    return await _stream_events(request, events, fault, space=False, done=None)


async def _together(request: web.Request) -> web.StreamResponse:
    fake = _fake(request)
    fault, early = _gate(request)
    if early is not None:
        return early
    body = await request.json()
    fake.together_bodies.append(body)
    if body.get("model") not in fake.together_models:
        return hf_error(404, f"Model {body.get('model')} not found")
    count = int(body.get("n", 1))
    base = f"http://{request.host}"
    if body.get("response_format") == "b64_json":
        import base64

        data = png_bytes(int(body.get("width", 64)), int(body.get("height", 64)))
        items = [{"index": i, "b64_json": base64.b64encode(data).decode()} for i in range(count)]
    else:
        size = f"{body.get('width', 1024)}x{body.get('height', 1024)}"
        items = [{"index": i, "url": f"{base}/files/img{i}-{size}.png"} for i in range(count)]
    return web.json_response(
        {"id": "r1", "model": body.get("model"), "object": "list", "data": items}
    )


async def _file(request: web.Request) -> web.StreamResponse:
    match = re.search(r"-(\d+)x(\d+)\.png$", request.match_info["name"])
    width, height = (int(match.group(1)), int(match.group(2))) if match else (8, 8)
    return web.Response(body=png_bytes(width, height), content_type="image/png")
