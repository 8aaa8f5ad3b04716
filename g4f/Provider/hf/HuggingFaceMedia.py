"""HuggingFaceMedia: images and videos (from text or an input image) through the router's providers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar

from ...config import default_timeout, get_hf_token, hf_endpoint
from ...errors import BadRequestError, G4FError, ModelNotFoundError
from ...inputs import check_model_id, join_url
from ...model_tables import IMAGE_ALIASES, IMAGE_MODELS, VIDEO_ALIASES
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.helper import format_media_prompt
from ...providers.response import MediaResponse, ProviderInfo
from ...typing import MediaListType, Messages
from ._inference_hub import fetch_mapping
from ._media_run import live_entries, mapping_entries, merge_jobs, most_telling
from ._router import auth_headers, image_size, require_token
from .media import (
    IMAGE_INPUT_TASKS,
    MEDIA_TASKS,
    POLL_INTERVAL,
    TEXT_TO_IMAGE,
    TEXT_TO_VIDEO,
    MediaJob,
    input_image,
    new_job,
    route_body,
    route_url,
    run_route,
    serves,
    submit_params,
)

__all__ = ["HuggingFaceMedia"]

#: Statuses after which the next inference provider is tried.
_FAILOVER_STATUS = {400, 401, 402, 403, 404}
_MAX_N = 10


class HuggingFaceMedia(AsyncGeneratorProvider, ProviderModelMixin):
    """Images and videos from the Inference Providers behind the Hugging Face router.

    The model's provider mapping (Hub API) lists the live providers; they are tried in
    order (``"model:provider"`` pins one), a 400/401/402/403/404 moving on to the next.
    An input image (``image=`` or ``media=``) selects the model's image-to-image or
    image-to-video entries; LoRA adapters the mapping declares are sent as each
    provider expects. Needs a token. Only the video models become AnyProvider keys;
    image models are reached by their aliases through the client's media path.
    """

    label = "HuggingFace Media"
    url = "https://huggingface.co"
    login_url = "https://huggingface.co/settings/tokens"
    working = True
    needs_auth = True
    supports_stream = True
    default_model = IMAGE_MODELS[0]
    default_image_model = IMAGE_MODELS[0]
    image_models: ClassVar[list[str]] = list(
        dict.fromkeys([*IMAGE_MODELS, *IMAGE_ALIASES.values()])
    )
    video_models: ClassVar[list[str]] = list(dict.fromkeys(VIDEO_ALIASES.values()))
    models: ClassVar[list[str]] = [*video_models, *image_models]
    model_aliases: ClassVar[dict[str, str]] = {**IMAGE_ALIASES, **VIDEO_ALIASES}
    accepts_any_model = True
    tasks: ClassVar[tuple[str, ...]] = MEDIA_TASKS
    #: Seconds of silence after which a progress note is sent while a job runs.
    progress_interval: ClassVar[float] = 1.0
    #: Seconds a provider mapping stays cached.
    mapping_ttl: ClassVar[float] = 600.0

    _tasks: ClassVar[dict[str, str]] = {}
    _mappings: ClassVar[dict[tuple[str, str], tuple[float, dict[str, Mapping[str, Any]]]]] = {}

    @classmethod
    def task_of(cls, model: str) -> str | None:
        """The media task (``text-to-image``, ``image-to-video``, ...) of a known model id."""
        if model in cls._tasks:
            return cls._tasks[model]
        if model in cls.video_models:
            return TEXT_TO_VIDEO
        return TEXT_TO_IMAGE if model in cls.image_models else None

    @classmethod
    def any_model_keys(cls) -> dict[str, str]:
        """Only video models (and their aliases) are offered to AnyProvider."""
        videos = [m for m in cls.get_models() if ":" not in m and cls.task_of(m) == TEXT_TO_VIDEO]
        keys = {m: m for m in videos}
        for alias, target in VIDEO_ALIASES.items():
            if target in keys:
                keys.setdefault(alias, target)
        return keys

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        """Resolve an alias; ``"id:provider"`` keeps its provider suffix."""
        check_model_id(model or "", cls.model_aliases)
        if model and ":" in model:
            base, provider = model.rsplit(":", 1)
            return f"{cls.model_aliases.get(base, base)}:{provider}"
        return super().get_model(model, **kwargs)

    @classmethod
    async def fetch_models(cls, api_key: str | None = None, **kwargs: Any) -> list[str]:
        """Warm image/video models from the Hub listing: video first, then ``id:provider`` pins."""
        params = {"inference": "warm", "expand[]": "inferenceProviderMapping"}
        async with cls.open_session(**kwargs) as session:
            async with session.get(
                f"{hf_endpoint()}/api/models",
                params=params,
                headers=auth_headers(get_hf_token(api_key)),
            ) as response:
                await response.raise_for_status()
                items = await response.json()
        videos: list[str] = []
        images: list[str] = []
        for item in items if isinstance(items, list) else []:
            entries = (
                mapping_entries(item.get("inferenceProviderMapping"))
                if isinstance(item, Mapping)
                else {}
            )
            live = [p for p, e in live_entries(entries).items() if e.get("task") in cls.tasks]
            if not live:
                continue
            model = str(item["id"])
            task = str(next(iter(entries.values())).get("task"))
            cls._tasks[model] = task
            target = videos if task == TEXT_TO_VIDEO else images
            target.extend([model, *(f"{model}:{p}" for p in live)])
        return videos + images

    @classmethod
    async def get_mapping(
        cls, session: Any, model: str, token: str
    ) -> dict[str, Mapping[str, Any]]:
        """Live providers of ``model`` (cached): provider → ``{providerId, task, status}``."""
        key = (hf_endpoint(), model)
        cached = cls._mappings.get(key)
        if cached and time.monotonic() - cached[0] < cls.mapping_ttl:
            return cached[1]
        raw = await fetch_mapping(session, model, auth_headers(token))
        mapping = live_entries(mapping_entries(raw))
        if not mapping:
            raise ModelNotFoundError(
                f"{cls.__name__}: no live inference provider serves {model}", provider=cls.__name__
            )
        cls._mappings[key] = (time.monotonic(), mapping)
        return mapping

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        api_key: str | None = None,
        prompt: str | None = None,
        n: int = 1,
        aspect_ratio: str | None = None,
        width: int | None = None,
        height: int | None = None,
        resolution: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        poll_interval: float = POLL_INTERVAL,
        image: Any = None,
        media: MediaListType | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Generate ``n`` images or videos; progress arrives as ``Reasoning`` chunks.

        ``image`` (bytes, path, URL or ``data:`` URI) or a one-item ``media`` list is
        the input image of an image-to-image / image-to-video model.
        """
        token = require_token(cls.__name__, api_key)
        model = cls.get_model(model or cls.default_model)
        model, _, pinned = model.partition(":")
        prompt = format_media_prompt(messages, prompt).strip()
        if not prompt:
            raise BadRequestError(f"{cls.__name__}: an empty prompt", provider=cls.__name__)
        if not isinstance(n, int) or not 1 <= n <= _MAX_N:
            raise BadRequestError(f"{cls.__name__}: n must be 1..{_MAX_N}", provider=cls.__name__)
        timeout = timeout or default_timeout()
        deadline = time.monotonic() + timeout
        async with cls.open_session(**{**kwargs, "timeout": timeout}) as session:
            mapping = await cls.get_mapping(session, model, token)
            routes = [(p, e) for p, e in mapping.items() if not pinned or p == pinned]
            if not routes:
                raise ModelNotFoundError(
                    f"{cls.__name__}: {model} is not served by {pinned}", provider=cls.__name__
                )
            source = input_image(image, media)
            wanted = IMAGE_INPUT_TASKS if source else {TEXT_TO_IMAGE, TEXT_TO_VIDEO}
            served = [(p, e) for p, e in routes if e.get("task") in cls.tasks]
            routes = [
                (p, e) for p, e in served if e.get("task") in wanted and serves(p, str(e["task"]))
            ]
            if not routes:
                raise ModelNotFoundError(
                    f"{cls.__name__}: {model} {_task_mismatch(served, bool(source))}",
                    provider=cls.__name__,
                )
            headers = auth_headers(token)

            def make_job(provider: str, entry: Mapping[str, Any]) -> MediaJob:
                # Only text-to-image gets a default size: a video or an edited image keeps
                # the provider's (or the input's) unless the caller names one.
                generated = entry.get("task") == TEXT_TO_IMAGE
                size = image_size(aspect_ratio, width, height) if generated else (width, height)
                extra: dict[str, Any] = {"resolution": resolution} if resolution else {}
                extra.update(extra_body or {})
                return new_job(
                    provider,
                    entry,
                    model=model,
                    prompt=prompt,
                    headers=headers,
                    size=size,
                    extra=extra,
                    aspect_ratio=aspect_ratio,
                    deadline=deadline,
                    poll_interval=poll_interval,
                    image=source,
                )

            jobs = [cls._generate(session, model, routes, make_job) for _ in range(n)]
            async for chunk in merge_jobs(jobs, cls.progress_interval):
                yield chunk

    @classmethod
    async def _generate(
        cls, session: Any, model: str, routes: list[tuple[str, Mapping[str, Any]]], make_job: Any
    ) -> AsyncIterator[Any]:
        """One media result, trying the providers in order."""
        failures: list[G4FError] = []
        for provider, entry in routes:
            if entry.get("task") not in cls.tasks:
                continue
            job: MediaJob = make_job(provider, entry)
            async with session.post(
                route_url(job),
                json=route_body(job),
                params=submit_params(job),
                headers=job.headers,
                timeout=job.remaining(),
            ) as response:
                if response.status in _FAILOVER_STATUS:
                    try:
                        await response.raise_for_status()
                    except G4FError as exc:
                        failures.append(exc)
                        continue
                await response.raise_for_status()
                async with aclosing(run_route(session, job, response)) as chunks:
                    async for chunk in chunks:
                        if isinstance(chunk, MediaResponse):
                            yield ProviderInfo(
                                name=cls.__name__,
                                model=model,
                                label=f"HuggingFace ({provider})",
                                url=join_url(cls.url, *model.split("/")),
                            )
                        yield chunk
                return
        raise most_telling(failures)


def _task_mismatch(served: list[tuple[str, Mapping[str, Any]]], has_image: bool) -> str:
    """Why none of a model's mapping entries fits the request."""
    if not served:
        return "is not an image or video generation model"
    if any(e.get("task") in IMAGE_INPUT_TASKS for _, e in served) == has_image:
        return "is not served for this task by any media backend"
    if has_image:
        return "does not take an input image (it is a text-to-image or text-to-video model)"
    return "needs an input image: pass image= or media="
