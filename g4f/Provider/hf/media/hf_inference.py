"""hf-inference (huggingface_hub ``inference/_providers/hf_inference.py``).

``POST /hf-inference/models/{providerId}`` with ``{inputs, parameters}``; the image
comes back as bytes.
"""

from __future__ import annotations

from typing import Any

from ._base import TEXT_TO_IMAGE, MediaBackend, MediaJob

__all__ = ["HfInference"]


class HfInference(MediaBackend):
    """hf-inference's serverless text-to-image."""

    provider = "hf-inference"
    tasks = frozenset({TEXT_TO_IMAGE})

    def url(self, job: MediaJob) -> str:
        return self.join(job, "models", *self.model_path(job))

    def body(self, job: MediaJob) -> dict[str, Any]:
        data = job.base_data()
        return {"inputs": data.pop("prompt"), "parameters": data}
