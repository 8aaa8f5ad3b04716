"""Fake Hub + router media routes (PROTOCOLS.md §C, §D), served by one aiohttp app.

Point both ``HF_ENDPOINT`` and ``HF_ROUTER_ENDPOINT`` at it. It holds:

- Hub: ``/api/models/{id}?expand[]=inferenceProviderMapping`` (dict form) and the
  ``/api/models?inference=warm&expand[]=...`` listing (list form);
- fal-ai: a queue (submit → ``IN_QUEUE`` → ``IN_PROGRESS`` → ``COMPLETED`` over polls,
  result fetched separately; a job can be made to never finish);
- replicate: ``Prefer: wait`` predictions (output as a string or a list), a prediction
  still ``processing`` when the wait ends (then polled), and a hold that never answers;
- together (``/v1/images/generations``, url or b64_json), novita video, hf-inference bytes;
- ``/files/...``: the PNG and MP4 bytes the result URLs point at;
- a status per provider (``state.fail[provider] = 402``) to script failures.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .server import FakeServer, cut_connection, fault_response, hf_error

__all__ = [
    "MediaState",
    "make_media_app",
    "media_server",
    "serve_media",
    "PNG",
    "MP4",
    "TOKEN",
    "MODELS",
]

TOKEN = "hf_fakeMediaToken0123456789"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64

CREDITS = (
    "You have depleted your monthly included credits. Purchase pre-paid credits to continue "
    "using Inference Providers. Alternatively, subscribe to PRO to get 20x more included usage."
)


def _entry(provider_id: str, task: str, status: str = "live") -> dict[str, str]:
    return {"status": status, "providerId": provider_id, "task": task}


#: model id → provider → mapping entry (dict form, mapping order matters).
MODELS: dict[str, dict[str, dict[str, str]]] = {
    "black-forest-labs/FLUX.1-dev": {
        "fal-ai": _entry("fal-ai/flux/dev", "text-to-image"),
        "together": _entry("black-forest-labs/FLUX.1-dev", "text-to-image"),
        "nebius": _entry("black-forest-labs/flux-dev", "text-to-image"),
        "hf-inference": _entry("black-forest-labs/FLUX.1-dev", "text-to-image", "staging"),
    },
    "black-forest-labs/FLUX.1-schnell": {
        "hf-inference": _entry("black-forest-labs/FLUX.1-schnell", "text-to-image"),
    },
    "stabilityai/stable-diffusion-3.5-large": {
        "replicate": _entry("stability-ai/stable-diffusion-3.5-large", "text-to-image"),
    },
    "Wan-AI/Wan2.1-T2V-14B": {
        "fal-ai": _entry("fal-ai/wan-t2v", "text-to-video"),
        "replicate": _entry("wan-video/wan-2.1-t2v-480p", "text-to-video"),
        "novita": _entry("wan-t2v", "text-to-video"),
    },
    "tencent/HunyuanVideo": {
        "replicate": _entry(
            "tencent/hunyuan-video:6c9132aee14409cd6568d030453f1ba50f5f3412b844fe67f78a9eb62d55664f",
            "text-to-video",
        ),
    },
    "Lightricks/LTX-Video": {
        "fal-ai": _entry("fal-ai/ltx-video", "text-to-video", "staging"),
    },
    "deepseek-ai/DeepSeek-R1": {
        "together": _entry("deepseek-ai/DeepSeek-R1", "conversational"),
    },
}


@dataclass
class MediaState:
    """What the fake does and what it saw."""

    #: provider → HTTP status to answer its submit route with.
    fail: dict[str, int] = field(default_factory=dict)
    #: fal polls before a job completes; ``None`` = never.
    fal_polls: int | None = 2
    #: replicate: "wait" (answer at once), "list" (output list), "processing" (poll), "hold".
    replicate_mode: str = "wait"
    #: together: "url" or "b64_json".
    together_format: str = "url"
    bodies: list[tuple[str, Any]] = field(default_factory=list)
    fal_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    replicate_polls: int = 0
    hold_disconnected: asyncio.Event | None = None
    disconnected: bool = False
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def submitted(self, prefix: str) -> list[Any]:
        """Bodies posted to routes starting with ``prefix``."""
        return [body for path, body in self.bodies if path.startswith(prefix)]


def _state(request: web.Request) -> MediaState:
    return request.app["media"]


def _base(request: web.Request) -> str:
    return f"http://{request.host}"


def _authorized(request: web.Request) -> bool:
    return request.headers.get("Authorization") == f"Bearer {TOKEN}"


async def _check(request: web.Request, provider: str) -> web.Response | None:
    """The error response a request should get, if any (auth, scripted fault, scripted status).

    A fault's ``stall`` delays the answer; ``cut_after`` (any value) drops the connection.
    """
    fault = request.app["faults"].take(request.path)
    if fault is not None:
        if fault.stall:
            await asyncio.sleep(fault.stall)
        if fault.cut_after is not None:
            cut_connection(request)
            return web.Response(status=500)
        if (response := fault_response(fault)) is not None:
            return response
    if not _authorized(request):
        return hf_error(401, "Invalid credentials in Authorization header")
    status = _state(request).fail.get(provider)
    if status == 402:
        return hf_error(402, CREDITS)
    if status == 400:
        return hf_error(400, f"Model not supported by provider {provider}")
    if status:
        return hf_error(status, f"{provider} failed", shape="openai")
    return None


async def hub_model(request: web.Request) -> web.Response:
    model = request.match_info["model"]
    if request.headers.get("Authorization") not in (None, f"Bearer {TOKEN}"):
        return hf_error(401, "Invalid credentials in Authorization header")
    if model not in MODELS:
        return hf_error(404, "Repository not found")
    body: dict[str, Any] = {"_id": "x", "id": model}
    if request.query.get("expand[]") == "inferenceProviderMapping":
        body["inferenceProviderMapping"] = MODELS[model]
    return web.json_response(body)


async def hub_list(request: web.Request) -> web.Response:
    if (fault := request.app["faults"].take(request.path)) and (response := fault_response(fault)):
        return response
    items = [
        {
            "_id": "x",
            "id": model,
            "inferenceProviderMapping": [{"provider": p, **e} for p, e in mapping.items()],
        }
        for model, mapping in MODELS.items()
    ]
    return web.json_response(items)


async def _json_body(request: web.Request) -> Any:
    body = json.loads(await request.read() or b"null")
    _state(request).bodies.append((request.path, body))
    return body


async def fal_submit(request: web.Request) -> web.Response:
    if (error := await _check(request, "fal-ai")) is not None:
        return error
    if request.query.get("_subdomain") != "queue":
        return hf_error(400, "fal-ai routes need the queue subdomain")
    body = await _json_body(request)
    state = _state(request)
    app_path = "/".join(request.match_info["path"].split("/")[:2])
    request_id = f"req-{next(state.ids)}"
    video = "t2v" in request.path or "video" in request.path
    state.fal_jobs[request_id] = {"polls": 0, "video": video, "prompt": body.get("prompt")}
    return web.json_response(
        {
            "request_id": request_id,
            "status": "IN_QUEUE",
            # fal answers with its own queue host and the app's short path.
            "response_url": f"https://queue.fal.run/{app_path}/requests/{request_id}",
            "status_url": f"https://queue.fal.run/{app_path}/requests/{request_id}/status",
        }
    )


async def fal_status(request: web.Request) -> web.Response:
    if (error := await _check(request, "fal-status")) is not None:
        return error
    state = _state(request)
    job = state.fal_jobs.get(request.match_info["request_id"])
    if job is None:
        return hf_error(404, "Request not found")
    job["polls"] += 1
    polls = job["polls"]
    if state.fal_polls is None or polls <= state.fal_polls // 2:
        return web.json_response({"status": "IN_QUEUE", "queue_position": 1, "request_id": "x"})
    if polls <= state.fal_polls:
        return web.json_response({"status": "IN_PROGRESS", "logs": [{"message": "step"}]})
    job["done"] = True
    return web.json_response({"status": "COMPLETED", "logs": []})


async def fal_result(request: web.Request) -> web.Response:
    if (error := await _check(request, "fal-result")) is not None:
        return error
    job = _state(request).fal_jobs.get(request.match_info["request_id"])
    if job is None or not job.get("done"):
        return hf_error(400, "Request is still in progress")
    if job["video"]:
        return web.json_response(
            {"video": {"url": f"{_base(request)}/files/v.mp4", "content_type": "video/mp4"}}
        )
    return web.json_response(
        {"images": [{"url": f"{_base(request)}/files/a.png", "width": 64, "height": 64}], "seed": 7}
    )


async def replicate_predict(request: web.Request) -> web.StreamResponse:
    if (error := await _check(request, "replicate")) is not None:
        return error
    await _json_body(request)
    state = _state(request)
    if request.headers.get("Prefer") != "wait":
        return hf_error(400, "the fake wants Prefer: wait")
    url = f"{_base(request)}/files/v.mp4"
    if state.replicate_mode == "hold":
        try:
            for _ in range(500):
                if request.transport is None or request.transport.is_closing():
                    break
                await asyncio.sleep(0.02)
        finally:
            state.disconnected = True
        return web.json_response({"id": "p0", "status": "processing", "output": None})
    if state.replicate_mode == "processing":
        return web.json_response({"id": "p2", "status": "processing", "output": None})
    output: Any = [url, f"{_base(request)}/files/v2.mp4"] if state.replicate_mode == "list" else url
    return web.json_response({"id": "p1", "status": "succeeded", "output": output})


async def replicate_get(request: web.Request) -> web.Response:
    if (error := await _check(request, "replicate-get")) is not None:
        return error
    state = _state(request)
    state.replicate_polls += 1
    if state.replicate_polls < 2:
        return web.json_response({"id": "p2", "status": "processing", "output": None})
    return web.json_response(
        {"id": "p2", "status": "succeeded", "output": f"{_base(request)}/files/v.mp4"}
    )


async def images_generations(request: web.Request) -> web.Response:
    provider = request.match_info["provider"]
    if (error := await _check(request, provider)) is not None:
        return error
    body = await _json_body(request)
    if not body.get("prompt") or not body.get("model"):
        return hf_error(400, "prompt and model are required", shape="openai")
    if _state(request).together_format == "b64_json" or provider == "nebius":
        item = {"b64_json": base64.b64encode(PNG).decode()}
    else:
        item = {"url": f"{_base(request)}/files/t.png"}
    return web.json_response({"id": "r1", "model": body["model"], "object": "list", "data": [item]})


async def novita_video(request: web.Request) -> web.Response:
    if (error := await _check(request, "novita")) is not None:
        return error
    await _json_body(request)
    return web.json_response({"video": {"video_url": f"{_base(request)}/files/n.mp4"}})


async def hf_inference(request: web.Request) -> web.Response:
    if (error := await _check(request, "hf-inference")) is not None:
        return error
    await _json_body(request)
    return web.Response(body=PNG, content_type="image/png")


async def files(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name.endswith(".mp4"):
        return web.Response(body=MP4, content_type="video/mp4")
    return web.Response(body=PNG, content_type="image/png")


def make_media_app(state: MediaState | None = None) -> web.Application:
    """The aiohttp app of the fake Hub + router media routes."""
    app = web.Application()
    app["media"] = state or MediaState()
    app.router.add_get("/api/models", hub_list)
    app.router.add_get("/api/models/{model:.+}", hub_model)
    app.router.add_get("/fal-ai/{app:[^/]+/[^/]+}/requests/{request_id}/status", fal_status)
    app.router.add_get("/fal-ai/{app:[^/]+/[^/]+}/requests/{request_id}", fal_result)
    app.router.add_post("/fal-ai/{path:.+}", fal_submit)
    app.router.add_post("/replicate/v1/models/{model:.+}/predictions", replicate_predict)
    app.router.add_post("/replicate/v1/predictions", replicate_predict)
    app.router.add_get("/replicate/v1/predictions/{id}", replicate_get)
    app.router.add_post("/{provider}/v1/images/generations", images_generations)
    app.router.add_post("/novita/v3/hf/{model:.+}", novita_video)
    app.router.add_post("/hf-inference/models/{model:.+}", hf_inference)
    app.router.add_get("/files/{name}", files)
    return app


def media_server(state: MediaState | None = None) -> FakeServer:
    """A started-on-enter :class:`FakeServer` running the media app."""
    return FakeServer(make_media_app(state))


@contextmanager
def serve_media(state: MediaState, monkeypatch: Any) -> Iterator[FakeServer]:
    """The media fake, with the Hub and router endpoints and a fresh mapping cache pointed at it."""
    from g4f.state import reset_state

    with media_server(state) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", server.url)
        reset_state()
        yield server
