"""novita (huggingface_hub ``inference/_providers/novita.py``).

Text-to-video is one ``POST /novita/v3/hf/{providerId}`` answered with
``{"video": {"video_url": ...}}``.
"""

from __future__ import annotations

from ._base import TEXT_TO_VIDEO, MediaBackend, MediaJob

__all__ = ["Novita"]


class Novita(MediaBackend):
    """novita's synchronous video route."""

    provider = "novita"
    tasks = frozenset({TEXT_TO_VIDEO})

    def url(self, job: MediaJob) -> str:
        return self.join(job, "v3", "hf", *self.model_path(job))
