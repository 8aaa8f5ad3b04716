"""nscale (huggingface_hub ``inference/_providers/nscale.py``).

``POST /nscale/v1/images/generations`` with ``size: "WxH"`` and
``response_format: "b64_json"``; the image is ``data[0].b64_json``.
"""

from __future__ import annotations

from typing import Any

from ._base import TEXT_TO_IMAGE, MediaBackend, MediaJob

__all__ = ["Nscale"]

#: Parameters nscale's image API does not take (huggingface_hub drops them too).
_UNSUPPORTED = ("num_inference_steps", "cfg_scale")


class Nscale(MediaBackend):
    """nscale's OpenAI-style image API."""

    provider = "nscale"
    tasks = frozenset({TEXT_TO_IMAGE})

    def url(self, job: MediaJob) -> str:
        return self.join(job, "v1", "images", "generations")

    def body(self, job: MediaJob) -> dict[str, Any]:
        data: dict[str, Any] = {
            "response_format": "b64_json",
            "prompt": job.prompt,
            "model": job.provider_id,
        }
        if job.width and job.height:
            data["size"] = f"{job.width}x{job.height}"
        data.update({k: v for k, v in job.extra.items() if k not in _UNSUPPORTED})
        return data
