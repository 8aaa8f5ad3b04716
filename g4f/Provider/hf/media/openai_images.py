"""Any other provider: OpenAI-style ``/v1/images/generations`` for images, one POST for video.

Providers the router serves without a backend of their own (e.g. nebius) answer images
at ``/{provider}/v1/images/generations`` (``data[].url`` or ``data[].b64_json``) and
video at ``/{provider}/{providerId}``.
"""

from __future__ import annotations

from typing import Any

from ._base import MediaBackend, MediaJob

__all__ = ["OpenAIImages"]


class OpenAIImages(MediaBackend):
    """The fallback backend."""

    def url(self, job: MediaJob) -> str:
        if job.is_video:
            return super().url(job)
        return self.join(job, "v1", "images", "generations")

    def body(self, job: MediaJob) -> dict[str, Any]:
        if job.is_video:
            return job.base_data()
        return {"model": job.provider_id, "response_format": "url", **job.base_data()}
