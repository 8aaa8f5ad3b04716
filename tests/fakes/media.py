"""Fake Hub + router media routes, served by one aiohttp app.

Point both ``HF_ENDPOINT`` and ``HF_ROUTER_ENDPOINT`` at it (or, for
``huggingface_hub.InferenceClient``, proxy ``huggingface.co`` and
``router.huggingface.co`` to it: tests/fakes/hf_client.py). Every route follows the
huggingface_hub 2.x file named in its comment (``src/huggingface_hub/...``); the wire
reference is docs/protocols/media.md. Route handlers per provider live in
tests/fakes/media_routes.py.

``MediaState`` scripts failures (``fail[provider] = 402``), the poll sequences of the
queued providers and the reply formats, and records every submitted body.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
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
    "LORA",
    "GATED",
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
BAD_CREDENTIALS = "Invalid credentials in Authorization header"


def _entry(provider_id: str, task: str, status: str = "live", **extra: str) -> dict[str, str]:
    return {"status": status, "providerId": provider_id, "task": task, **extra}


LORA = "someone/flux-watercolor-lora"
#: A gated model: the Hub answers its model API with ``X-Error-Code: GatedRepo``.
GATED = "someone/gated-image-model"

#: model id → provider → mapping entry (the Hub's dict form; mapping order matters).
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
    "Wan-AI/Wan2.2-T2V-A14B": {
        "together": _entry("Wan-AI/Wan2.2-T2V-A14B", "text-to-video"),
        "wavespeed": _entry("wavespeed-ai/wan-2.2/t2v-480p", "text-to-video"),
    },
    "Qwen/Qwen-Image": {
        "wavespeed": _entry("wavespeed-ai/qwen-image/text-to-image", "text-to-image"),
        "fal-ai": _entry("fal-ai/qwen-image", "text-to-image"),
    },
    "zai-org/CogView4-6B": {
        "zai-org": _entry("cogview-4-250304", "text-to-image"),
    },
    "stabilityai/stable-diffusion-xl-base-1.0": {
        "nscale": _entry("stabilityai/stable-diffusion-xl-base-1.0", "text-to-image"),
    },
    "black-forest-labs/FLUX.1-Kontext-dev": {
        "fal-ai": _entry("fal-ai/flux-kontext/dev", "image-to-image"),
        "replicate": _entry("black-forest-labs/flux-kontext-dev", "image-to-image"),
        "together": _entry("black-forest-labs/FLUX.1-kontext-dev", "image-to-image"),
        "wavespeed": _entry("wavespeed-ai/flux-kontext-dev", "image-to-image"),
    },
    "Wan-AI/Wan2.2-I2V-A14B": {
        "fal-ai": _entry("fal-ai/wan/v2.2-a14b/image-to-video", "image-to-video"),
        "replicate": _entry("wan-video/wan-2.2-i2v-fast", "image-to-video"),
        "together": _entry("Wan-AI/Wan2.2-I2V-A14B", "image-to-video"),
        "wavespeed": _entry("wavespeed-ai/wan-2.2/i2v-480p", "image-to-video"),
    },
    LORA: {
        "fal-ai": _entry(
            "fal-ai/flux-lora",
            "text-to-image",
            adapter="lora",
            adapterWeightsPath="watercolor.safetensors",
        ),
        "replicate": _entry(
            "black-forest-labs/flux-dev-lora",
            "text-to-image",
            adapter="lora",
            adapterWeightsPath="watercolor.safetensors",
        ),
    },
}


@dataclass
class MediaState:
    """What the fake does and what it saw."""

    #: provider → HTTP status to answer its submit route with.
    fail: dict[str, int] = field(default_factory=dict)
    #: fal queue polls before a job completes; ``None`` = never.
    fal_polls: int | None = 2
    #: A status fal reports while running besides IN_QUEUE / IN_PROGRESS (clients wait it out).
    fal_odd_status: str | None = None
    #: replicate: "wait" (answer at once), "list" (output list), "processing" (poll), "hold".
    replicate_mode: str = "wait"
    #: Polls before a together video / wavespeed task / zai image completes.
    job_polls: int = 2
    #: Status a together / wavespeed / zai job ends with instead of completing.
    job_failure: str | None = None
    bodies: list[tuple[str, Any]] = field(default_factory=list)
    fal_jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    replicate_polls: int = 0
    disconnected: bool = False
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def submitted(self, prefix: str) -> list[Any]:
        """Bodies posted to routes starting with ``prefix``."""
        return [body for path, body in self.bodies if path.startswith(prefix)]


def state_of(request: web.Request) -> MediaState:
    return request.app["media"]


def base_url(request: web.Request) -> str:
    """The fake's own origin as the client addressed it (files are served from it)."""
    return f"http://{request.host}"


async def check(request: web.Request, provider: str) -> web.Response | None:
    """The error response a request should get, if any (scripted fault, auth, scripted status).

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
    if request.headers.get("Authorization") != f"Bearer {TOKEN}":
        return hf_error(401, BAD_CREDENTIALS, headers={"X-Error-Message": BAD_CREDENTIALS})
    status = state_of(request).fail.get(provider)
    if status == 402:
        return hf_error(402, CREDITS)
    if status == 400:
        return hf_error(400, f"Model not supported by provider {provider}")
    if status:
        return hf_error(status, f"{provider} failed", shape="openai")
    return None


async def json_body(request: web.Request) -> Any:
    body = await request.json()
    state_of(request).bodies.append((request.path, body))
    return body


def expanded(request: web.Request) -> list[str]:
    """The ``expand`` fields asked for: huggingface_hub sends ``expand=``, huggingface.js ``expand[]=``."""
    return request.query.getall("expand", []) + request.query.getall("expand[]", [])


# huggingface_hub hf_api.py (ModelInfo: inferenceProviderMapping in dict form for one
# model, list form in listings) and utils/_http.py (hf_raise_for_status: the Hub's
# X-Error-Code values RepoNotFound / GatedRepo, X-Error-Message for bad credentials).
async def hub_model(request: web.Request) -> web.Response:
    model = request.match_info["model"]
    if (fault := request.app["faults"].take(request.path)) and (response := fault_response(fault)):
        return response
    if request.headers.get("Authorization") not in (None, f"Bearer {TOKEN}"):
        return hf_error(401, BAD_CREDENTIALS, headers={"X-Error-Message": BAD_CREDENTIALS})
    if model == GATED:
        message = "Access to model someone/gated-image-model is restricted."
        headers = {"X-Error-Code": "GatedRepo", "X-Error-Message": message}
        return hf_error(403, message, headers=headers)
    if model not in MODELS:
        # The Hub answers 401 for a missing repo as for a private one.
        headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
        return hf_error(401, "Repository not found", headers=headers)
    task = next(iter(MODELS[model].values()))["task"]
    tag = "text-generation" if task == "conversational" else task
    body: dict[str, Any] = {"_id": "x", "id": model, "modelId": model, "pipeline_tag": tag}
    if "inferenceProviderMapping" in expanded(request):
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


async def files(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name.endswith(".mp4"):
        return web.Response(body=MP4, content_type="video/mp4")
    return web.Response(body=PNG, content_type="image/png")


def make_media_app(state: MediaState | None = None) -> web.Application:
    """The aiohttp app of the fake Hub + router media routes."""
    from .media_routes import add_provider_routes

    app = web.Application()
    app["media"] = state or MediaState()
    app.router.add_get("/api/models", hub_list)
    app.router.add_get("/api/models/{model:.+}", hub_model)
    add_provider_routes(app.router)
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
