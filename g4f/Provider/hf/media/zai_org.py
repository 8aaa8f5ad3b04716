"""zai-org (huggingface_hub ``inference/_providers/zai_org.py``).

``POST /zai-org/api/paas/v4/async/images/generations`` with ``{model, prompt,
size: "WxH"}`` and two extra headers (``Accept-Language``, ``x-source-channel``).
The reply names a task ``id`` and ``task_status``; while ``PROCESSING``,
``GET /zai-org/api/paas/v4/async-result/{id}`` is polled until ``SUCCESS``
(``FAIL`` ends it); the image is ``image_result[0].url``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ._base import TEXT_TO_IMAGE, MediaBackend, MediaJob, media_from_json, poll, read_object

__all__ = ["ZaiOrg"]


class ZaiOrg(MediaBackend):
    """zai-org's asynchronous image API."""

    provider = "zai-org"
    tasks = frozenset({TEXT_TO_IMAGE})

    def url(self, job: MediaJob) -> str:
        return self.join(job, "api", "paas", "v4", "async", "images", "generations")

    def result_url(self, job: MediaJob, task_id: str) -> str:
        return self.join(job, "api", "paas", "v4", "async-result", str(task_id))

    def headers(self, job: MediaJob) -> dict[str, str]:
        return {"Accept-Language": "en-US,en", "x-source-channel": "hugging_face"}

    def body(self, job: MediaJob) -> dict[str, Any]:
        data: dict[str, Any] = {"model": job.provider_id, "prompt": job.prompt}
        if job.width and job.height:
            data["size"] = f"{job.width}x{job.height}"
        data.update(job.extra)
        return data

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        reply = await read_object(job, response)
        if reply.get("id") is None:
            raise job.fail("the reply has no task id")
        url = self.result_url(job, str(reply["id"]))
        async for item in poll(
            session,
            job,
            url,
            reply,
            _status,
            {"SUCCESS"},
            {"PROCESSING"},
            lambda s: f"task {s.get('id')} ended with {_status(s)}",
        ):
            yield media_from_json(job, item) if isinstance(item, Mapping) else item


def _status(reply: Mapping[str, Any]) -> Any:
    # A reply that already carries the image needs no polling.
    return "SUCCESS" if reply.get("image_result") else reply.get("task_status")
