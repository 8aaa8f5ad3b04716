"""What every media backend shares: the job, the backend base class, reply readers, polling.

A backend is one inference provider behind ``{HF_ROUTER_ENDPOINT}/{provider}``. It says
where a job is submitted (:meth:`MediaBackend.url`, the one place its URLs are built),
with which body and extra headers, and how the submit reply becomes chunks
(:meth:`MediaBackend.run`): ``Reasoning`` progress notes, then one ``ImageResponse`` or
``VideoResponse``. Binary replies become ``data:`` URIs (nothing is written to disk).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ....config import hf_endpoint, hf_router_endpoint
from ....errors import ResponseError, TimeoutError
from ....inputs import join_url
from ....providers.response import ImageResponse, MediaResponse, Reasoning, VideoResponse

__all__ = [
    "TEXT_TO_IMAGE",
    "TEXT_TO_VIDEO",
    "IMAGE_TO_IMAGE",
    "IMAGE_TO_VIDEO",
    "MEDIA_TASKS",
    "IMAGE_INPUT_TASKS",
    "POLL_INTERVAL",
    "MediaJob",
    "MediaBackend",
    "media_from_json",
    "media_from_bytes",
    "read_media",
    "get_json",
    "poll",
]

TEXT_TO_IMAGE = "text-to-image"
TEXT_TO_VIDEO = "text-to-video"
IMAGE_TO_IMAGE = "image-to-image"
IMAGE_TO_VIDEO = "image-to-video"
MEDIA_TASKS = (TEXT_TO_IMAGE, TEXT_TO_VIDEO, IMAGE_TO_IMAGE, IMAGE_TO_VIDEO)
#: Tasks that take an input image (``image=`` / ``media=``).
IMAGE_INPUT_TASKS = frozenset({IMAGE_TO_IMAGE, IMAGE_TO_VIDEO})
_VIDEO_TASKS = frozenset({TEXT_TO_VIDEO, IMAGE_TO_VIDEO})

#: Seconds between two status polls of a queued job.
POLL_INTERVAL = 0.5


@dataclass
class MediaJob:
    """One generation request for one provider.

    ``model`` is the Hub id; ``provider_id`` the provider's own id from the mapping.
    ``image`` is the input image (an http(s) URL or a ``data:`` URI) of the
    image-to-* tasks; ``adapter_weights_path`` the LoRA file the mapping declares.
    """

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
    model: str = ""
    image: str | None = None
    adapter: str | None = None
    adapter_weights_path: str | None = None

    @property
    def is_video(self) -> bool:
        return self.task in _VIDEO_TASKS

    @property
    def response_class(self) -> type[MediaResponse]:
        return VideoResponse if self.is_video else ImageResponse

    @property
    def lora_url(self) -> str | None:
        """Where the mapping's LoRA weights are downloaded from (``resolve/main``), if any."""
        if not self.adapter_weights_path:
            return None
        return join_url(
            hf_endpoint(),
            *self.model.split("/"),
            "resolve",
            "main",
            *self.adapter_weights_path.split("/"),
            error=ResponseError,
        )

    def size(self) -> dict[str, int]:
        """``{width, height}`` when both are set."""
        return {"width": self.width, "height": self.height} if self.width and self.height else {}

    def base_data(self) -> dict[str, Any]:
        """Prompt, size and the caller's extras (which override)."""
        data: dict[str, Any] = {"prompt": self.prompt, **self.size()}
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

    def fail(self, message: str) -> ResponseError:
        """A :class:`ResponseError` naming the provider."""
        return ResponseError(f"{self.provider}: {message}", provider=self.provider)


class MediaBackend:
    """How one inference provider takes media jobs (subclasses override what differs)."""

    #: The provider's name in the router path and the Hub mapping.
    provider: ClassVar[str] = ""
    #: The tasks this backend runs.
    tasks: ClassVar[frozenset[str]] = frozenset({TEXT_TO_IMAGE, TEXT_TO_VIDEO})
    #: Whether a video job gets the default ``aspect_ratio`` when the caller names none.
    video_aspect_ratio: ClassVar[bool] = False

    def base(self, job: MediaJob) -> str:
        """The router prefix of every URL of this backend."""
        return join_url(hf_router_endpoint(), self.provider or job.provider, error=ResponseError)

    def join(self, job: MediaJob, *segments: str) -> str:
        """``base`` plus segments, each percent-encoded as one path segment. Ids come from
        the Hub mapping or the service (hence ResponseError when one is malformed)."""
        return join_url(self.base(job), *segments, error=ResponseError)

    def model_path(self, job: MediaJob) -> list[str]:
        """The provider's model id as path segments (``owner/name`` → two)."""
        return job.provider_id.split("/")

    def url(self, job: MediaJob) -> str:
        """Where a job is submitted."""
        return self.join(job, *self.model_path(job))

    def params(self, job: MediaJob) -> dict[str, str] | None:
        """Query parameters of the submit request."""
        return None

    def headers(self, job: MediaJob) -> dict[str, str]:
        """Headers this backend adds to every request of a job."""
        return {}

    def body(self, job: MediaJob) -> dict[str, Any]:
        """The JSON body of the submit request."""
        return job.base_data()

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        """Chunks of a submitted job, given the OK submit ``response``."""
        yield await read_media(job, response)


def _urls(value: Any) -> list[str]:
    """URLs from a string, a ``{url}`` / ``{b64_json}`` object, or a list of either."""
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


_MEDIA_KEYS = ("video", "videos", "images", "image", "data", "output", "outputs", "image_result")


def media_from_json(job: MediaJob, data: Any) -> MediaResponse:
    """The media chunk of a JSON reply, in any of the providers' shapes."""
    if isinstance(data, Mapping):
        for key in _MEDIA_KEYS:
            urls = _urls(data.get(key))
            if urls:
                cls = VideoResponse if key.startswith("video") else job.response_class
                return cls(urls, alt=job.prompt)
    shown = str(list(data)[:8]) if isinstance(data, Mapping) else type(data).__name__
    raise job.fail(f"the reply holds no media (fields: {shown})")


def media_from_bytes(job: MediaJob, data: bytes, content_type: str) -> MediaResponse:
    """A binary image/video reply as a ``data:`` URI chunk."""
    if not data:
        raise job.fail("empty media reply")
    if content_type.startswith("video/"):
        return VideoResponse.from_bytes(data, content_type, alt=job.prompt)
    if content_type.startswith("image/"):
        return ImageResponse.from_bytes(data, content_type, alt=job.prompt)
    raise job.fail(f"unexpected reply type {content_type or 'unknown'}")


def is_json(response: Any) -> bool:
    kind = response.content_type
    return kind in ("application/json", "text/json") or kind.endswith("+json")


async def read_media(job: MediaJob, response: Any) -> MediaResponse:
    """The media of a reply that carries it directly (JSON with URLs, or bytes)."""
    if is_json(response):
        return media_from_json(job, await response.json())
    return media_from_bytes(job, await response.read(), response.content_type)


async def read_object(job: MediaJob, response: Any) -> Mapping[str, Any]:
    """A JSON object reply (anything else is a :class:`ResponseError`)."""
    data = await response.json() if is_json(response) else None
    if not isinstance(data, Mapping):
        raise job.fail("unexpected reply (not a JSON object)")
    return data


async def get_json(
    session: Any, job: MediaJob, url: str, params: Mapping[str, str] | None = None
) -> Any:
    """GET a status or result URL with the job's headers (no ``Prefer: wait``)."""
    headers = {k: v for k, v in job.headers.items() if k.lower() != "prefer"}
    async with session.get(
        url, params=params, headers=headers, timeout=job.remaining()
    ) as response:
        await response.raise_for_status()
        return await response.json()


def progress(status: str, started: float) -> Reasoning:
    """A progress note for a job in ``status``."""
    queued = status.lower() in ("in_queue", "starting", "queued", "created")
    label = "In queue" if queued else "Generating"
    return Reasoning(label=label, status=f"{time.monotonic() - started:.1f}s")


async def poll(
    session: Any,
    job: MediaJob,
    url: str,
    first: Mapping[str, Any],
    status_of: Callable[[Mapping[str, Any]], Any],
    done: Collection[Any],
    pending: Collection[Any] | None = None,
    error_of: Callable[[Mapping[str, Any]], Any] | None = None,
    params: Mapping[str, str] | None = None,
) -> AsyncIterator[Any]:
    """Poll ``url`` until ``status_of(reply)`` is in ``done``, within the job's deadline.

    Yields ``Reasoning`` progress notes (the last one ``Completed`` when polling was
    needed), then the finished reply (a mapping). ``first``
    is the state already known (the submit reply). With ``pending`` given, any status
    outside ``pending`` and ``done`` ends the job with a :class:`ResponseError` naming
    ``error_of(reply)``; without it every status is waited out (fal's queue).
    """
    started = time.monotonic()
    state: Mapping[str, Any] = first
    while True:
        status = status_of(state)
        if status in done:
            if state is not first:
                yield Reasoning(label="Completed", status=f"{time.monotonic() - started:.1f}s")
            yield state
            return
        if pending is not None and status not in pending:
            reason = (error_of(state) if error_of else None) or f"status {status}"
            raise job.fail(f"the job failed: {reason}")
        yield progress(str(status), started)
        await asyncio.sleep(min(job.poll_interval, job.remaining()))
        reply = await get_json(session, job, url, params)
        if not isinstance(reply, Mapping):
            raise job.fail("unexpected status reply (not a JSON object)")
        state = reply
