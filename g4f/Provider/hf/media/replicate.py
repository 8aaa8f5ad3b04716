"""replicate (huggingface_hub ``inference/_providers/replicate.py``).

``POST /replicate/v1/models/{providerId}/predictions`` (or ``/v1/predictions`` with
``version`` when the id carries ``:version``) with ``Prefer: wait`` and
``{"input": {...}}``; a prediction still running when the wait ends is polled at
``/v1/predictions/{id}``. The output is a URL or a list of URLs. Image inputs go in
every key replicate models use (``image``, ``images``, ``input_image``,
``input_images``); a LoRA of the mapping is named by its repo in ``lora_weights``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._base import (
    IMAGE_INPUT_TASKS,
    MEDIA_TASKS,
    TEXT_TO_IMAGE,
    MediaBackend,
    MediaJob,
    media_from_json,
    poll,
    read_object,
)

__all__ = ["Replicate"]

#: Replicate fetches LoRA weights itself, from the public Hub (as huggingface_hub does).
_PUBLIC_HUB = "https://huggingface.co"

_RUNNING = frozenset({"starting", "processing"})


class Replicate(MediaBackend):
    """replicate predictions."""

    provider = "replicate"
    tasks = frozenset(MEDIA_TASKS)
    video_aspect_ratio = True

    def url(self, job: MediaJob) -> str:
        if ":" in job.provider_id:
            return self.join(job, "v1", "predictions")
        return self.join(job, "v1", "models", *self.model_path(job), "predictions")

    def prediction_url(self, job: MediaJob, prediction_id: str) -> str:
        return self.join(job, "v1", "predictions", str(prediction_id))

    def headers(self, job: MediaJob) -> dict[str, str]:
        # Replicate holds the request open until the prediction ends (up to 60 s).
        return {"Prefer": "wait"}

    def body(self, job: MediaJob) -> dict[str, Any]:
        data = job.base_data()
        if job.task in IMAGE_INPUT_TASKS:
            image = job.image
            data.update(image=image, images=[image], input_image=image, input_images=[image])
        if job.task == TEXT_TO_IMAGE and job.adapter_weights_path:
            data["lora_weights"] = f"{_PUBLIC_HUB}/{job.model}"
        body: dict[str, Any] = {"input": data}
        if ":" in job.provider_id:
            body["version"] = job.provider_id.split(":", 1)[1]
        return body

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        data = await read_object(job, response)
        url = self.prediction_url(job, str(data.get("id")))
        async for item in poll(
            session, job, url, data, _status, {"succeeded"}, _RUNNING, lambda s: s.get("error")
        ):
            yield media_from_json(job, item) if isinstance(item, Mapping) else item


def _status(state: Mapping[str, Any]) -> Any:
    # An output is the answer even when the status lags behind.
    return "succeeded" if state.get("output") else state.get("status")
