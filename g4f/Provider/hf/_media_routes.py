"""The router's per-provider media routes used by HuggingFaceMedia.

Each route sends one generation job to one inference provider behind
``{HF_ROUTER_ENDPOINT}/{provider}/...`` and yields ``Reasoning`` progress notes
followed by exactly one ``ImageResponse`` or ``VideoResponse``:

- fal-ai: a queue (submit, poll the status until ``COMPLETED``, fetch the result);
- replicate: ``Prefer: wait`` predictions, polled when the wait ends early;
- together and other OpenAI-style image APIs: ``/v1/images/generations``;
- novita and other video APIs, hf-inference: one POST answered by JSON or bytes.

Binary replies become ``data:`` URIs (nothing is written to disk).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from ...config import hf_router_endpoint
from ...errors import ResponseError, TimeoutError
from ...inputs import join_url, quote_path
from ...providers.response import ImageResponse, MediaResponse, Reasoning, VideoResponse

__all__ = ["MediaJob", "run_route", "media_from_json", "media_from_bytes"]

TEXT_TO_IMAGE = "text-to-image"
TEXT_TO_VIDEO = "text-to-video"

#: Seconds between two status polls of a queued job.
POLL_INTERVAL = 0.5

_FAL_RUNNING = {"IN_QUEUE", "IN_PROGRESS"}
_REPLICATE_RUNNING = {"starting", "processing"}


@dataclass
class MediaJob:
    """One generation request for one provider."""

    provider: str
    provider_id: str
    task: str
    prompt: str
    headers: dict[str, str]
    width: int | None = None
    height: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    deadline: float = 0.0
    poll_interval: float = POLL_INTERVAL

    @property
    def is_video(self) -> bool:
        return self.task == TEXT_TO_VIDEO

    @property
    def response_class(self) -> type[MediaResponse]:
        return VideoResponse if self.is_video else ImageResponse

    def base_data(self) -> dict[str, Any]:
        """The fields every route sends (caller extras override)."""
        data: dict[str, Any] = {"prompt": self.prompt}
        if self.width and self.height:
            data.update(width=self.width, height=self.height)
        data.update(self.extra)
        return data

    def remaining(self) -> float:
        """Seconds left before the overall deadline (a TimeoutError when none)."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(
                f"{self.provider}: the media job did not finish in time", provider=self.provider
            )
        return left


def _url(*segments: str) -> str:
    """A router URL; the provider and its model id come from the Hub, hence ResponseError."""
    return join_url(hf_router_endpoint(), *segments, error=ResponseError)


def route_url(job: MediaJob) -> str:
    """Where a job is submitted for its provider."""
    model = job.provider_id.split("/")
    if job.provider == "fal-ai":
        return _url(job.provider, *model)
    if job.provider == "replicate":
        if ":" in job.provider_id:
            return _url(job.provider, "v1", "predictions")
        return _url(job.provider, "v1", "models", *model, "predictions")
    if job.provider == "novita":
        return _url(job.provider, "v3", "hf", *model)
    if job.provider == "hf-inference":
        return _url(job.provider, "models", *model)
    if job.is_video:
        return _url(job.provider, *model)
    return _url(job.provider, "v1", "images", "generations")


def route_body(job: MediaJob) -> dict[str, Any]:
    """The JSON body a job is submitted with."""
    data = job.base_data()
    if job.provider == "fal-ai" and not job.is_video:
        width, height = data.pop("width", None), data.pop("height", None)
        if width and height:
            data.setdefault("image_size", {"width": width, "height": height})
        return data
    if job.provider == "replicate":
        if ":" in job.provider_id:
            return {"version": job.provider_id.split(":", 1)[1], "input": data}
        return {"input": data}
    if job.provider == "hf-inference":
        prompt = data.pop("prompt")
        return {"inputs": prompt, "parameters": data}
    if job.is_video or job.provider == "novita":
        return data
    return {"model": job.provider_id, "response_format": "url", **data}


def _urls(value: Any) -> list[str]:
    """URLs from a string, a ``{url}`` object, or a list of either."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Mapping):
        if value.get("b64_json"):
            return [f"data:image/png;base64,{value['b64_json']}"]
        url = value.get("url") or value.get("video_url") or value.get("image_url")
        return [url] if isinstance(url, str) and url else []
    if isinstance(value, list):
        return [url for item in value for url in _urls(item)]
    return []


def media_from_json(job: MediaJob, data: Any) -> MediaResponse:
    """The media chunk of a JSON reply, in any of the providers' shapes."""
    if isinstance(data, Mapping):
        for key in ("video", "videos", "images", "image", "data", "output"):
            urls = _urls(data.get(key))
            if urls:
                cls = VideoResponse if key.startswith("video") else job.response_class
                return cls(urls, alt=job.prompt)
    shown = str(list(data)[:8]) if isinstance(data, Mapping) else type(data).__name__
    raise ResponseError(
        f"{job.provider}: the reply holds no media (fields: {shown})", provider=job.provider
    )


def media_from_bytes(job: MediaJob, data: bytes, content_type: str) -> MediaResponse:
    """A binary image/video reply as a ``data:`` URI chunk."""
    if not data:
        raise ResponseError(f"{job.provider}: empty media reply", provider=job.provider)
    if content_type.startswith("video/"):
        return VideoResponse.from_bytes(data, content_type, alt=job.prompt)
    if content_type.startswith("image/"):
        return ImageResponse.from_bytes(data, content_type, alt=job.prompt)
    raise ResponseError(
        f"{job.provider}: unexpected reply type {content_type or 'unknown'}", provider=job.provider
    )


async def _read_media(job: MediaJob, response: Any) -> MediaResponse:
    if response.content_type in ("application/json", "text/json") or response.content_type.endswith(
        "+json"
    ):
        return media_from_json(job, await response.json())
    return media_from_bytes(job, await response.read(), response.content_type)


async def _get_json(session: Any, job: MediaJob, url: str) -> Any:
    headers = {k: v for k, v in job.headers.items() if k.lower() != "prefer"}
    async with session.get(url, headers=headers, timeout=job.remaining()) as response:
        await response.raise_for_status()
        return await response.json()


async def _fal_queue(
    session: Any, job: MediaJob, submitted: Mapping[str, Any]
) -> AsyncIterator[Any]:
    """Poll a fal-ai queue job until it completes, then fetch its result."""
    request_id = submitted.get("request_id")
    if not request_id:
        raise ResponseError("fal-ai: the queue reply has no request_id", provider=job.provider)
    base = _url("fal-ai")
    path = urlparse(str(submitted.get("response_url") or "")).path.rstrip("/")
    if path:
        path = quote_path(path, error=ResponseError)
    else:
        path = join_url("", *job.provider_id.split("/"), "requests", str(request_id))
    params = "?_subdomain=queue"
    status = str(submitted.get("status") or "IN_QUEUE")
    started = time.monotonic()
    while status != "COMPLETED":
        if status not in _FAL_RUNNING:
            raise ResponseError(
                f"fal-ai: the job ended with status {status}", provider=job.provider
            )
        yield _progress(status, started)
        await asyncio.sleep(min(job.poll_interval, job.remaining()))
        state = await _get_json(session, job, f"{base}{path}/status{params}")
        status = str(state.get("status") if isinstance(state, Mapping) else "")
        if (
            isinstance(state, Mapping)
            and state.get("queue_position") is not None
            and status == "IN_QUEUE"
        ):
            yield Reasoning(label="In queue", status=f"position {state['queue_position']}")
    yield Reasoning(label="Completed", status=f"{time.monotonic() - started:.1f}s")
    yield media_from_json(job, await _get_json(session, job, f"{base}{path}{params}"))


def _progress(status: str, started: float) -> Reasoning:
    label = "In queue" if status in ("IN_QUEUE", "starting") else "Generating"
    return Reasoning(label=label, status=f"{time.monotonic() - started:.1f}s")


async def _replicate_poll(
    session: Any, job: MediaJob, prediction: Mapping[str, Any]
) -> AsyncIterator[Any]:
    """Follow a replicate prediction that was still running when ``Prefer: wait`` ended."""
    started = time.monotonic()
    while True:
        status = str(prediction.get("status") or "")
        if prediction.get("output") or status == "succeeded":
            yield media_from_json(job, prediction)
            return
        if status not in _REPLICATE_RUNNING:
            reason = prediction.get("error") or f"status {status or 'unknown'}"
            raise ResponseError(
                f"replicate: the prediction failed: {reason}", provider=job.provider
            )
        yield _progress(status, started)
        await asyncio.sleep(min(job.poll_interval, job.remaining()))
        url = _url("replicate", "v1", "predictions", str(prediction.get("id") or ""))
        prediction = await _get_json(session, job, url)
        if not isinstance(prediction, Mapping):
            raise ResponseError("replicate: unexpected prediction reply", provider=job.provider)


async def run_route(session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
    """Chunks of a submitted job, given the OK submit ``response``."""
    if job.provider == "fal-ai" and response.content_type == "application/json":
        data = await response.json()
        if (
            isinstance(data, Mapping)
            and "request_id" in data
            and not _urls(data.get("images") or data.get("video"))
        ):
            async for chunk in _fal_queue(session, job, data):
                yield chunk
            return
        yield media_from_json(job, data)
        return
    if job.provider == "replicate" and response.content_type == "application/json":
        data = await response.json()
        if not isinstance(data, Mapping):
            raise ResponseError("replicate: unexpected prediction reply", provider=job.provider)
        async for chunk in _replicate_poll(session, job, data):
            yield chunk
        return
    yield await _read_media(job, response)


def submit_params(job: MediaJob) -> dict[str, str] | None:
    """Query parameters of the submit request (fal-ai goes through its queue)."""
    return {"_subdomain": "queue"} if job.provider == "fal-ai" else None
