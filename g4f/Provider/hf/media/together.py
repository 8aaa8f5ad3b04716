"""together (huggingface_hub ``inference/_providers/together.py``).

Images: ``POST /together/v1/images/generations`` with ``response_format: "base64"``,
answered with ``data[0].b64_json``; image-to-image adds the input as ``image_url``
(FLUX.1 Kontext) or ``reference_images`` (every other model).
Video: ``POST /together/v2/videos`` with ``{prompt, model}`` (image-to-video sends the
input as ``frame_images: [{input_image, frame: "first"}]``), then
``GET /together/v2/videos/{id}`` until ``completed``; the result is ``outputs.video_url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ....errors import ResponseError
from ....inputs import join_url
from ._base import (
    IMAGE_TO_IMAGE,
    IMAGE_TO_VIDEO,
    MEDIA_TASKS,
    MediaBackend,
    MediaJob,
    media_from_json,
    poll,
    read_media,
    read_object,
)

__all__ = ["Together"]

#: Job statuses that mean "still running" (a missing status too).
_PENDING = frozenset({"queued", "in_progress", None})


class Together(MediaBackend):
    """together images and videos."""

    provider = "together"
    tasks = frozenset(MEDIA_TASKS)

    def url(self, job: MediaJob) -> str:
        if job.is_video:
            return self.join(job, "v2", "videos")
        return self.join(job, "v1", "images", "generations")

    def video_url(self, job: MediaJob, video_id: str) -> str:
        return join_url(self.url(job), str(video_id), error=ResponseError)

    def body(self, job: MediaJob) -> dict[str, Any]:
        data = job.base_data()
        if job.task == IMAGE_TO_VIDEO:
            data["frame_images"] = [{"input_image": job.image, "frame": "first"}]
        elif job.task == IMAGE_TO_IMAGE:
            lowered = job.provider_id.lower()
            if "kontext" in lowered and "flux.1" in lowered:
                data["image_url"] = job.image
            else:
                data["reference_images"] = [job.image]
        if not job.is_video:
            data.setdefault("response_format", "base64")
        data["model"] = job.provider_id
        return data

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        if not job.is_video:
            yield await read_media(job, response)
            return
        data = await read_object(job, response)
        if not data.get("id"):
            raise job.fail("the video reply has no job id")
        url = self.video_url(job, str(data["id"]))
        async for item in poll(session, job, url, data, _status, {"completed"}, _PENDING, _error):
            if not isinstance(item, Mapping):
                yield item
                continue
            outputs = item.get("outputs")
            video = outputs.get("video_url") if isinstance(outputs, Mapping) else None
            if not video:
                raise job.fail("the completed video job has no outputs.video_url")
            yield media_from_json(job, {"video": video})


def _status(state: Mapping[str, Any]) -> Any:
    return state.get("status")


def _error(state: Mapping[str, Any]) -> Any:
    error = state.get("error")
    return error.get("message") if isinstance(error, Mapping) else error
