"""wavespeed (huggingface_hub ``inference/_providers/wavespeed.py``).

``POST /wavespeed/api/v3/{providerId}`` with the prompt (image-to-* add ``image``);
the reply's ``data.urls.get`` names the result, whose path is polled through the
router until ``data.status`` is ``completed`` (``created`` / ``processing`` mean
running, ``failed`` carries ``data.error``); the media is ``data.outputs[0]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlparse

from ....errors import ResponseError
from ....inputs import quote_path
from ._base import (
    IMAGE_INPUT_TASKS,
    MEDIA_TASKS,
    MediaBackend,
    MediaJob,
    media_from_json,
    poll,
    read_object,
)

__all__ = ["Wavespeed"]

_RUNNING = frozenset({"created", "processing"})


class Wavespeed(MediaBackend):
    """wavespeed tasks with a result URL to poll."""

    provider = "wavespeed"
    tasks = frozenset(MEDIA_TASKS)

    def url(self, job: MediaJob) -> str:
        return self.join(job, "api", "v3", *self.model_path(job))

    def result_url(self, job: MediaJob, result: str) -> str:
        """The router URL of wavespeed's result URL (only its path is kept)."""
        return self.base(job) + quote_path(urlparse(result).path, error=ResponseError)

    def body(self, job: MediaJob) -> dict[str, Any]:
        data = job.base_data()
        if job.task in IMAGE_INPUT_TASKS:
            data["image"] = job.image
        return data

    async def run(self, session: Any, job: MediaJob, response: Any) -> AsyncIterator[Any]:
        reply = await read_object(job, response)
        task = _data(reply)
        urls = task.get("urls")
        result = urls.get("get") if isinstance(urls, Mapping) else None
        if not isinstance(result, str) or not result:
            raise job.fail("the reply has no data.urls.get")
        url = self.result_url(job, result)
        async for item in poll(session, job, url, reply, _status, {"completed"}, _RUNNING, _error):
            if not isinstance(item, Mapping):
                yield item
                continue
            outputs = _data(item).get("outputs")
            if not isinstance(outputs, list) or not outputs:
                raise job.fail("the completed task has no outputs")
            yield media_from_json(job, {"output": outputs[0]})


def _data(reply: Mapping[str, Any]) -> Mapping[str, Any]:
    data = reply.get("data")
    return data if isinstance(data, Mapping) else {}


def _status(reply: Mapping[str, Any]) -> Any:
    return _data(reply).get("status")


def _error(reply: Mapping[str, Any]) -> Any:
    return _data(reply).get("error")
