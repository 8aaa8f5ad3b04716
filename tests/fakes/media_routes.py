"""The provider routes of the fake media router (tests/fakes/media.py holds the Hub and state).

Each handler follows the huggingface_hub 2.x provider helper named above it
(``src/huggingface_hub/inference/_providers/<name>.py``): the path the helper builds,
the body it sends (checked: a missing field is a 400 as the provider would answer),
and the reply shape its ``get_response`` reads, including the polling of the queued
providers. Replies point at ``/files/...`` on the fake's own origin.
"""

from __future__ import annotations

import asyncio
import base64
import re
from typing import Any

from aiohttp import web

from .media import MODELS, PNG, check, json_body, state_of
from .media import base_url as _base
from .server import hf_error

__all__ = ["add_provider_routes"]

_IMAGE_INPUT = ("image-to-image", "image-to-video")
_SIZE = re.compile(r"^\d+x\d+$")


def task_of(provider: str, provider_id: str) -> str:
    """The mapping task of a provider's model id (text-to-image when unknown)."""
    for mapping in MODELS.values():
        entry = mapping.get(provider)
        if entry and entry["providerId"] == provider_id:
            return entry["task"]
    return "text-to-image"


def _file(request: web.Request, task: str, name: str) -> str:
    suffix = "mp4" if task.endswith("video") else "png"
    return f"{_base(request)}/files/{name}.{suffix}"


def _bad(message: str) -> web.Response:
    return hf_error(400, message, shape="openai")


def _advance(request: web.Request, job_id: str) -> str:
    """``running``, ``done`` or ``failed`` for one poll of a scripted job."""
    state = state_of(request)
    job = state.jobs.get(job_id)
    if job is None:
        return "missing"
    job["polls"] += 1
    if job["polls"] <= state.job_polls:
        return "running"
    return "failed" if state.job_failure else "done"


def _new_job(request: web.Request, prefix: str, task: str) -> str:
    state = state_of(request)
    job_id = f"{prefix}-{next(state.ids)}"
    state.jobs[job_id] = {"polls": 0, "task": task}
    return job_id


# --- fal-ai (fal_ai.py): FalAITask posts to /{providerId} and reads images[0].url at once;
# FalAIQueueTask adds ?_subdomain=queue, then polls {response_url path}/status until
# COMPLETED (any other status is waited out) and GETs {response_url path}.
async def fal_submit(request: web.Request) -> web.Response:
    if (error := await check(request, "fal-ai")) is not None:
        return error
    body = await json_body(request)
    provider_id = request.match_info["path"]
    task = task_of("fal-ai", provider_id)
    if task in _IMAGE_INPUT and not body.get("image_url"):
        return _bad(f"{provider_id}: image_url is required")
    if task not in _IMAGE_INPUT and not body.get("prompt"):
        return _bad(f"{provider_id}: prompt is required")
    if request.query.get("_subdomain") != "queue":
        return web.json_response(_fal_result(request, task))
    state = state_of(request)
    request_id = f"req-{next(state.ids)}"
    state.fal_jobs[request_id] = {"polls": 0, "task": task}
    # fal's queue answers with its own host and the app's short path (owner/app).
    app_path = "/".join(provider_id.split("/")[:2])
    queue_url = f"https://queue.fal.run/{app_path}/requests/{request_id}"
    return web.json_response(
        {
            "request_id": request_id,
            "status": "IN_QUEUE",
            "response_url": queue_url,
            "status_url": f"{queue_url}/status",
        }
    )


def _fal_result(request: web.Request, task: str) -> dict[str, Any]:
    if task.endswith("video"):
        return {"video": {"url": _file(request, task, "v"), "content_type": "video/mp4"}}
    image = {"url": _file(request, task, "a"), "width": 64, "height": 64}
    return {"images": [image], "seed": 7}


def _fal_job(request: web.Request) -> dict[str, Any] | None:
    if request.query.get("_subdomain") != "queue":
        return None
    return state_of(request).fal_jobs.get(request.match_info["request_id"])


async def fal_status(request: web.Request) -> web.Response:
    if (error := await check(request, "fal-status")) is not None:
        return error
    state = state_of(request)
    job = _fal_job(request)
    if job is None:
        return hf_error(404, "Request not found")
    job["polls"] += 1
    polls = job["polls"]
    if state.fal_polls is None or polls <= state.fal_polls // 2:
        return web.json_response({"status": "IN_QUEUE", "queue_position": 1})
    if polls <= state.fal_polls:
        status = state.fal_odd_status or "IN_PROGRESS"
        return web.json_response({"status": status, "logs": [{"message": "step"}]})
    job["done"] = True
    return web.json_response({"status": "COMPLETED", "logs": []})


async def fal_result(request: web.Request) -> web.Response:
    if (error := await check(request, "fal-result")) is not None:
        return error
    job = _fal_job(request)
    if job is None or not job.get("done"):
        return hf_error(400, "Request is still in progress")
    return web.json_response(_fal_result(request, job["task"]))


# --- replicate (replicate.py): Prefer: wait, {"input": {...}} (+ "version" for
# "owner/model:version" ids), output a URL or a list; image inputs in image/images/...
async def replicate_predict(request: web.Request) -> web.StreamResponse:
    if (error := await check(request, "replicate")) is not None:
        return error
    body = await json_body(request)
    state = state_of(request)
    model = request.match_info.get("model") or str(body.get("version"))
    task = next(
        (
            e["task"]
            for m in MODELS.values()
            if (e := m.get("replicate"))
            and (e["providerId"] == model or e["providerId"].endswith(f":{model}"))
        ),
        "text-to-image",
    )
    if not isinstance(body.get("input"), dict):
        return _bad("input is required")
    if task in _IMAGE_INPUT and not body["input"].get("image"):
        return _bad("input.image is required")
    if request.headers.get("Prefer") != "wait":
        return hf_error(400, "the fake wants Prefer: wait")
    url = _file(request, task, "v" if task.endswith("video") else "r")
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
    if (error := await check(request, "replicate-get")) is not None:
        return error
    state = state_of(request)
    state.replicate_polls += 1
    if state.replicate_polls < 2:
        return web.json_response({"id": "p2", "status": "processing", "output": None})
    return web.json_response(
        {"id": "p2", "status": "succeeded", "output": f"{_base(request)}/files/v.mp4"}
    )


# --- together (together.py): images at /v1/images/generations (response_format "base64"
# → data[0].b64_json); image-to-image sends image_url (FLUX.1 Kontext) or
# reference_images; video at /v2/videos, polled at /v2/videos/{id} (queued → in_progress
# → completed, outputs.video_url).
async def together_images(request: web.Request) -> web.Response:
    if (error := await check(request, "together")) is not None:
        return error
    body = await json_body(request)
    model = str(body.get("model") or "")
    if not model:
        return _bad("model is required")
    task = task_of("together", model)
    if task == "image-to-image":
        kontext = "kontext" in model.lower() and "flux.1" in model.lower()
        if kontext and not body.get("image_url"):
            return _bad(f"{model} takes its input image as image_url")
        if not kontext and not body.get("reference_images"):
            return _bad(f"{model} takes its input images as reference_images")
    elif not body.get("prompt"):
        return _bad("prompt is required")
    return _images_reply(request, body, model, "t")


def _images_reply(
    request: web.Request, body: dict[str, Any], model: str, name: str
) -> web.Response:
    fmt = body.get("response_format") or "url"
    if fmt in ("base64", "b64_json"):
        item: dict[str, Any] = {"index": 0, "b64_json": base64.b64encode(PNG).decode()}
    elif fmt == "url":
        item = {"index": 0, "url": f"{_base(request)}/files/{name}.png"}
    else:
        return _bad(f"unknown response_format {fmt}")
    return web.json_response({"id": "r1", "model": model, "object": "list", "data": [item]})


async def together_video(request: web.Request) -> web.Response:
    if (error := await check(request, "together")) is not None:
        return error
    body = await json_body(request)
    model = str(body.get("model") or "")
    if not model:
        return _bad("model is required")
    task = task_of("together", model)
    if task == "image-to-video":
        frames = body.get("frame_images")
        if not (isinstance(frames, list) and frames and frames[0].get("input_image")):
            return _bad("frame_images[0].input_image is required")
    elif not body.get("prompt"):
        return _bad("prompt is required")
    job_id = _new_job(request, "vid", task)
    return web.json_response({"id": job_id, "object": "video", "model": model, "status": "queued"})


async def together_video_status(request: web.Request) -> web.Response:
    if (error := await check(request, "together-status")) is not None:
        return error
    job_id = request.match_info["id"]
    step = _advance(request, job_id)
    if step == "missing":
        return hf_error(404, "video job not found")
    body: dict[str, Any] = {"id": job_id, "object": "video"}
    if step == "running":
        body["status"] = "queued" if state_of(request).jobs[job_id]["polls"] == 1 else "in_progress"
    elif step == "failed":
        body.update(status="failed", error={"message": state_of(request).job_failure})
    else:
        body.update(status="completed", outputs={"video_url": f"{_base(request)}/files/tv.mp4"})
    return web.json_response(body)


# --- wavespeed (wavespeed.py): POST /api/v3/{providerId}; the reply's data.urls.get is
# polled (its path, through the router) until data.status == "completed"; the media is
# data.outputs[0]. created / processing mean running, failed carries data.error.
async def wavespeed_submit(request: web.Request) -> web.Response:
    if (error := await check(request, "wavespeed")) is not None:
        return error
    body = await json_body(request)
    model = request.match_info["model"]
    task = task_of("wavespeed", model)
    if task in _IMAGE_INPUT and not body.get("image"):
        return _bad("image is required")
    if task not in _IMAGE_INPUT and not body.get("prompt"):
        return _bad("prompt is required")
    job_id = _new_job(request, "ws", task)
    result = f"https://api.wavespeed.ai/api/v3/predictions/{job_id}/result"
    data = {"id": job_id, "model": model, "outputs": [], "urls": {"get": result}}
    return web.json_response(
        {"code": 200, "message": "success", "data": {**data, "status": "created"}}
    )


async def wavespeed_result(request: web.Request) -> web.Response:
    if (error := await check(request, "wavespeed-result")) is not None:
        return error
    job_id = request.match_info["id"]
    step = _advance(request, job_id)
    if step == "missing":
        return hf_error(404, "prediction not found")
    data: dict[str, Any] = {"id": job_id, "outputs": []}
    if step == "running":
        data["status"] = "processing"
    elif step == "failed":
        data.update(status="failed", error=state_of(request).job_failure)
    else:
        task = state_of(request).jobs[job_id]["task"]
        data.update(status="completed", outputs=[_file(request, task, "w")])
    return web.json_response({"code": 200, "message": "success", "data": data})


# --- zai-org (zai_org.py): POST /api/paas/v4/async/images/generations with size "WxH"
# and the x-source-channel / Accept-Language headers; poll /api/paas/v4/async-result/{id}
# (task_status PROCESSING → SUCCESS with image_result[0].url, or FAIL).
async def zai_submit(request: web.Request) -> web.Response:
    if (error := await check(request, "zai-org")) is not None:
        return error
    body = await json_body(request)
    if request.headers.get("x-source-channel") != "hugging_face":
        return _bad("x-source-channel header is required")
    if not body.get("model") or not body.get("prompt"):
        return _bad("model and prompt are required")
    if "size" in body and not _SIZE.match(str(body["size"])):
        return _bad(f"size must be WIDTHxHEIGHT, got {body['size']!r}")
    job_id = _new_job(request, "zai", "text-to-image")
    return web.json_response(
        {"id": job_id, "request_id": job_id, "model": body["model"], "task_status": "PROCESSING"}
    )


async def zai_result(request: web.Request) -> web.Response:
    if (error := await check(request, "zai-result")) is not None:
        return error
    job_id = request.match_info["id"]
    step = _advance(request, job_id)
    if step == "missing":
        return hf_error(404, "task not found")
    body: dict[str, Any] = {"id": job_id, "request_id": job_id}
    if step == "running":
        body["task_status"] = "PROCESSING"
    elif step == "failed":
        body["task_status"] = "FAIL"
    else:
        body.update(task_status="SUCCESS", image_result=[{"url": f"{_base(request)}/files/z.png"}])
    return web.json_response(body)


# --- nscale (nscale.py) and other OpenAI-style image APIs: /v1/images/generations.
# nscale takes size "WxH" and answers response_format "b64_json" with data[0].b64_json.
async def images_generations(request: web.Request) -> web.Response:
    provider = request.match_info["provider"]
    if (error := await check(request, provider)) is not None:
        return error
    body = await json_body(request)
    if not body.get("prompt") or not body.get("model"):
        return _bad("prompt and model are required")
    if provider == "nscale":
        if "size" in body and not _SIZE.match(str(body["size"])):
            return _bad(f"size must be WIDTHxHEIGHT, got {body['size']!r}")
        if "width" in body or "height" in body:
            return _bad("nscale takes size, not width/height")
    if provider == "nebius":
        body = {**body, "response_format": "b64_json"}
    return _images_reply(request, body, str(body["model"]), "t")


# --- novita (novita.py): /v3/hf/{providerId} → {"video": {"video_url": ...}}.
async def novita_video(request: web.Request) -> web.Response:
    if (error := await check(request, "novita")) is not None:
        return error
    await json_body(request)
    return web.json_response({"video": {"video_url": f"{_base(request)}/files/n.mp4"}})


# --- hf-inference (hf_inference.py): /models/{id} with {inputs, parameters} → bytes.
async def hf_inference(request: web.Request) -> web.Response:
    if (error := await check(request, "hf-inference")) is not None:
        return error
    await json_body(request)
    return web.Response(body=PNG, content_type="image/png")


def add_provider_routes(router: web.UrlDispatcher) -> None:
    """Register every provider route (specific paths before the generic ones)."""
    router.add_get("/fal-ai/{app:[^/]+/[^/]+}/requests/{request_id}/status", fal_status)
    router.add_get("/fal-ai/{app:[^/]+/[^/]+}/requests/{request_id}", fal_result)
    router.add_post("/fal-ai/{path:.+}", fal_submit)
    router.add_post("/replicate/v1/models/{model:.+}/predictions", replicate_predict)
    router.add_post("/replicate/v1/predictions", replicate_predict)
    router.add_get("/replicate/v1/predictions/{id}", replicate_get)
    router.add_post("/together/v1/images/generations", together_images)
    router.add_post("/together/v2/videos", together_video)
    router.add_get("/together/v2/videos/{id}", together_video_status)
    router.add_post("/wavespeed/api/v3/{model:.+}", wavespeed_submit)
    router.add_get("/wavespeed/api/v3/predictions/{id}/result", wavespeed_result)
    router.add_post("/zai-org/api/paas/v4/async/images/generations", zai_submit)
    router.add_get("/zai-org/api/paas/v4/async-result/{id}", zai_result)
    router.add_post("/{provider}/v1/images/generations", images_generations)
    router.add_post("/novita/v3/hf/{model:.+}", novita_video)
    router.add_post("/hf-inference/models/{model:.+}", hf_inference)
