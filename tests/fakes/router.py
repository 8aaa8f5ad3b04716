"""A fake Inference Providers router on 127.0.0.1 (wire reference: docs/protocols/router.md).

Routes: ``POST /v1/chat/completions``, the auto route (JSON and SSE in the stream
variants real backends send), ``POST /{provider}/<chat path>``, the per-provider
route (the paths and the provider model ids of huggingface_hub's conversational
helpers, ``inference/_providers/*.py``), ``GET /v1/models``,
``POST /hf-inference/models/{id}`` (TGI JSON and SSE with ``details``, or image
bytes; ``hf_inference.py``), ``POST /together/v1/images/generations``
(``together.py``) and ``GET /files/{name}`` (the image URLs it hands out). Misbehaviour comes from the
server's FaultQueue (error statuses in both HF body shapes, Retry-After, 503
``estimated_time``, HTML 504, cut connections, stalls, malformed lines, in-band
errors). Requests addressed to the retired ``api-inference.huggingface.co`` host
get its 410; every request's host is logged so tests can assert none went there.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.fakes.router_chat import (
    CHAT_MAPPING,
    CHAT_PATHS,
    ChatScript,
    TgiScript,
    ToolCallScript,
    chat_chunks,
    chat_completion,
    default_catalogue,
    png_bytes,
    png_size,
    tgi_events,
)
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
# The benchmark server (tests/bench/_server.py) imports the builder under this name.
_chat_chunks = chat_chunks


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
        self.catalogue: list[dict[str, Any]] = default_catalogue()
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
        self.app.router.add_post("/{provider}/{path:.*chat/completions}", _provider_chat)
        # aiohttp tries the longest static prefix first, so hf-inference's chat path is
        # named before its TGI route (which would take it as a model id).
        self.app.router.add_post(
            "/hf-inference/models/{model:.+}/v1/chat/completions", _provider_chat
        )
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


# huggingface_hub _providers/_common.py (AutoRouterConversationalTask: POST {router}/v1/chat/
# completions with the Hub id, ":policy" / ":provider" suffixes resolved by the router).
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
    return await _answer(request, fake, body, fault, model, backend)


# huggingface_hub _providers/_common.py (BaseConversationalTask: POST {router}/{provider}
# + the provider's chat path, body "model" = the providerId of the Hub mapping) and the
# per-provider paths of cohere.py, deepinfra.py, fireworks_ai.py, groq.py, novita.py,
# zai_org.py (which also sends x-source-channel) and hf_inference.py.
async def _provider_chat(request: web.Request) -> web.StreamResponse:
    fake = _fake(request)
    fault, early = _gate(request)
    if early is not None:
        return early
    provider = request.path.split("/")[1]
    path = request.path[len(provider) + 1 :]
    models = {ids[provider]: hf_id for hf_id, ids in CHAT_MAPPING.items() if provider in ids}
    expected = CHAT_PATHS.get(provider, "/v1/chat/completions")
    if provider == "hf-inference":
        expected = "/models/{}/v1/chat/completions"
        path = re.sub(
            r"^/models/(.+)/v1/chat/completions$", r"/models/{}/v1/chat/completions", path
        )
    if not models or path != expected:
        return web.Response(status=404, text="Not Found")
    if provider == "zai-org" and request.headers.get("x-source-channel") != "hugging_face":
        return hf_error(400, "x-source-channel header is required", shape="openai")
    try:
        body = await request.json()
    except ValueError:
        return hf_error(400, "Failed to deserialize the JSON body", shape="openai")
    fake.chat_bodies.append(body)
    model = str(body.get("model", ""))
    if model not in models:
        # The provider's own API does not know Hub ids, only its own.
        return hf_error(404, f"Model {model} does not exist on {provider}", shape="openai")
    return await _answer(request, fake, body, fault, model, provider)


async def _answer(
    request: web.Request,
    fake: FakeRouter,
    body: dict[str, Any],
    fault: Fault | None,
    model: str,
    backend: str,
) -> web.StreamResponse:
    """A chat answer to ``body`` from ``backend`` (JSON or SSE as asked)."""
    script = fake.chat if fake.chat_responder is None else fake.chat_responder(body)
    headers = {"x-inference-provider": backend, "x-request-id": f"req-{len(fake.chat_bodies)}"}
    if not body.get("stream") or script.ignore_stream:
        if fault is not None and fault.cut_after is not None:
            response = web.StreamResponse(headers={"Content-Type": "application/json", **headers})
            await response.prepare(request)
            await response.write(json.dumps(chat_completion(script, model))[:40].encode())
            cut_connection(request)
            return response
        return web.json_response(chat_completion(script, model), headers=headers)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return await _stream_events(
        request,
        chat_chunks(script, model, include_usage),
        fault,
        headers=headers,
        space=not script.done_no_space,
        keepalive=script.keepalive,
        repeat_done=2 if script.duplicate_done else 1,
    )


# hub-docs docs/inference-providers/hub-api.md (GET /v1/models: {"object": "list", "data"}).
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


# huggingface_hub _providers/hf_inference.py (HFInferenceTask: /models/{id}, {inputs,
# parameters}; text-generation answered as TGI JSON or SSE, text-to-image as bytes).
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
    events, text, details = tgi_events(
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


# huggingface_hub _providers/together.py (TogetherTextToImageTask: /v1/images/generations,
# data[].b64_json for response_format "base64" / "b64_json", data[].url otherwise).
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
    if body.get("response_format") in ("b64_json", "base64"):
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
