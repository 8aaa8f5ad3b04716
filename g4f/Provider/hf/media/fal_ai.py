"""fal-ai (huggingface_hub ``inference/_providers/fal_ai.py``).

Text-to-image is one synchronous call to ``/fal-ai/{providerId}`` answered with
``images[].url``. Video and image-to-image go through fal's queue
(``?_subdomain=queue``): the submit reply names ``request_id`` and ``response_url``;
``{response_url path}/status`` is polled until ``COMPLETED`` (any other status is
waited out, within the deadline), then the result is fetched from the path itself.
LoRA adapters of the mapping are sent as ``loras: [{path, scale}]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlparse

from ....errors import ResponseError
from ....inputs import join_url, quote_path
from ._base import (
    IMAGE_TO_IMAGE,
    IMAGE_TO_VIDEO,
    MEDIA_TASKS,
    TEXT_TO_IMAGE,
    MediaBackend,
    MediaJob,
    get_json,
    media_from_json,
    poll,
    read_object,
)

__all__ = ["FalAI"]

_QUEUE = {"_subdomain": "queue"}
#: fal's SD-based LoRA runner also needs its base model named (fal's flux-lora does not).
_SD_LORA = ("fal-ai/lora", "stabilityai/stable-diffusion-xl-base-1.0")


class FalAI(MediaBackend):
    """fal-ai: synchronous images, queued video and image-to-*."""

    provider = "fal-ai"
    tasks = frozenset(MEDIA_TASKS)
    video_aspect_ratio = True

    def params(self, job: MediaJob) -> dict[str, str] | None:
        return None if job.task == TEXT_TO_IMAGE else dict(_QUEUE)

    def body(self, job: MediaJob) -> dict[str, Any]:
        data = job.base_data()
        if not job.is_video:
            width, height = data.pop("width", None), data.pop("height", None)
            if width and height:
                data.setdefault("image_size", {"width": width, "height": height})
        if job.task in (IMAGE_TO_IMAGE, IMAGE_TO_VIDEO):
            data["image_url"] = job.image
            if job.task == IMAGE_TO_IMAGE:
                data["image_urls"] = [job.image]
        if job.lora_url:
            data["loras"] = [{"path": job.lora_url, "scale": 1}]
            if job.provider_id == _SD_LORA[0]:
                data["model_name"] = _SD_LORA[1]
        return data

    def queue_path(self, job: MediaJob, submitted: Mapping[str, Any]) -> str:
        """The job's path on the router: fal's ``response_url`` path (its app may be shorter)."""
        path = urlparse(str(submitted.get("response_url") or "")).path.rstrip("/")
        if path:
            return quote_path(path, error=ResponseError)
        return join_url(
            "",
            *self.model_path(job),
            "requests",
            str(submitted.get("request_id")),
            error=ResponseError,
        )

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        data = await read_object(job, response)
        if job.task == TEXT_TO_IMAGE and "request_id" not in data:
            yield media_from_json(job, data)
            return
        if not data.get("request_id"):
            raise job.fail("the queue reply has no request_id")
        url = f"{self.base(job)}{self.queue_path(job, data)}"
        first = {"status": data.get("status") or "IN_QUEUE"}
        async for item in poll(
            session, job, f"{url}/status", first, _status, {"COMPLETED"}, params=_QUEUE
        ):
            if not isinstance(item, Mapping):
                yield item
        yield media_from_json(job, await get_json(session, job, url, _QUEUE))


def _status(state: Mapping[str, Any]) -> Any:
    return state.get("status")
