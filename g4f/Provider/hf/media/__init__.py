"""The router's media backends used by HuggingFaceMedia, one module per inference provider.

:data:`BACKENDS` maps a provider name to its :class:`MediaBackend`; a provider without
one gets the OpenAI-style fallback. The module-level functions are what
HuggingFaceMedia calls for a job: where to submit it (:func:`route_url`,
:func:`submit_params`), what to send (:func:`route_body`) and how to read the reply
(:func:`run_route`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from ....errors import InvalidRequestError
from ....typing import MediaListType
from .._api_request import media_to_url
from ._base import (
    IMAGE_INPUT_TASKS,
    IMAGE_TO_IMAGE,
    IMAGE_TO_VIDEO,
    MEDIA_TASKS,
    POLL_INTERVAL,
    TEXT_TO_IMAGE,
    TEXT_TO_VIDEO,
    MediaBackend,
    MediaJob,
    media_from_bytes,
    media_from_json,
)
from .fal_ai import FalAI
from .hf_inference import HfInference
from .novita import Novita
from .nscale import Nscale
from .openai_images import OpenAIImages
from .replicate import Replicate
from .together import Together
from .wavespeed import Wavespeed
from .zai_org import ZaiOrg

__all__ = [
    "select_routes",
    "task_mismatch",
    "BACKENDS",
    "IMAGE_INPUT_TASKS",
    "IMAGE_TO_IMAGE",
    "IMAGE_TO_VIDEO",
    "MEDIA_TASKS",
    "POLL_INTERVAL",
    "TEXT_TO_IMAGE",
    "TEXT_TO_VIDEO",
    "MediaBackend",
    "MediaJob",
    "backend_for",
    "input_image",
    "media_from_bytes",
    "media_from_json",
    "new_job",
    "route_body",
    "route_url",
    "run_route",
    "serves",
    "submit_params",
]

BACKENDS: dict[str, MediaBackend] = {
    backend.provider: backend
    for backend in (
        FalAI(),
        Replicate(),
        Together(),
        Wavespeed(),
        ZaiOrg(),
        Nscale(),
        Novita(),
        HfInference(),
    )
}
_FALLBACK = OpenAIImages()


def backend_for(provider: str) -> MediaBackend:
    """The backend of ``provider`` (the OpenAI-style fallback for one without its own)."""
    return BACKENDS.get(provider, _FALLBACK)


def serves(provider: str, task: str) -> bool:
    """Whether a job of ``task`` can be sent to ``provider``."""
    return task in backend_for(provider).tasks


def route_url(job: MediaJob) -> str:
    """Where a job is submitted."""
    return backend_for(job.provider).url(job)


def route_body(job: MediaJob) -> dict[str, Any]:
    """The JSON body a job is submitted with."""
    return backend_for(job.provider).body(job)


def submit_params(job: MediaJob) -> dict[str, str] | None:
    """Query parameters of the submit request."""
    return backend_for(job.provider).params(job)


def run_route(session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
    """Chunks of a submitted job, given the OK submit ``response``."""
    return backend_for(job.provider).run(session, job, response)


def input_image(image: Any = None, media: MediaListType | None = None) -> str | None:
    """The one input image of an image-to-* job, as a URL or ``data:`` URI (or None).

    ``image`` may be bytes, a path, an http(s) URL or a ``data:`` URI; ``media`` is the
    client's list of ``(data, filename)`` items. More than one image is refused.
    """
    items: list[Any] = [] if image is None else [image]
    items += list(media or [])
    if not items:
        return None
    if len(items) > 1:
        raise InvalidRequestError(
            f"image-to-image and image-to-video take one input image, got {len(items)}"
        )
    item = items[0]
    if isinstance(item, (tuple, list)):
        return media_to_url(*item[:2])
    return media_to_url(item)


def new_job(
    provider: str,
    entry: Mapping[str, Any],
    *,
    model: str,
    prompt: str,
    headers: Mapping[str, str],
    size: tuple[int | None, int | None],
    extra: Mapping[str, Any],
    aspect_ratio: str | None,
    deadline: float,
    poll_interval: float,
    image: str | None,
) -> MediaJob:
    """The job for one mapping ``entry`` (``{providerId, task, adapter, adapterWeightsPath}``)."""
    backend = backend_for(provider)
    task = str(entry.get("task"))
    job = MediaJob(
        provider,
        str(entry.get("providerId") or model),
        task,
        prompt,
        dict(headers),
        size[0],
        size[1],
        {},
        deadline,
        poll_interval,
        model=model,
        image=image if task in IMAGE_INPUT_TASKS else None,
        adapter=entry.get("adapter"),
        adapter_weights_path=entry.get("adapterWeightsPath"),
    )
    if job.is_video and backend.video_aspect_ratio:
        job.extra["aspect_ratio"] = aspect_ratio or "16:9"
    job.extra.update(extra)
    job.headers.update(backend.headers(job))
    return job


def select_routes(
    tasks: tuple[str, ...], entries: Any, has_image: bool
) -> tuple[list[tuple[str, Mapping[str, Any]]], list[tuple[str, Mapping[str, Any]]]]:
    """``(served, usable)``: the media entries, and those fitting the request (an input
    image asks for image-to-*) that a media backend can run."""
    served = [(p, e) for p, e in entries if e.get("task") in tasks]
    wanted = IMAGE_INPUT_TASKS if has_image else {TEXT_TO_IMAGE, TEXT_TO_VIDEO}
    usable = [(p, e) for p, e in served if e.get("task") in wanted and serves(p, str(e["task"]))]
    return served, usable


def task_mismatch(served: list[tuple[str, Mapping[str, Any]]], has_image: bool) -> str:
    """Why none of a model's mapping entries fits the request."""
    if not served:
        return "is not an image or video generation model"
    if any(e.get("task") in IMAGE_INPUT_TASKS for _, e in served) == has_image:
        return "is not served for this task by any media backend"
    if has_image:
        return "does not take an input image (it is a text-to-image or text-to-video model)"
    return "needs an input image: pass image= or media="
