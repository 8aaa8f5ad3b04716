"""HuggingFaceMedia: text-to-image and text-to-video through the router's providers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import Any, ClassVar

from ...config import default_timeout, get_hf_token, hf_endpoint
from ...errors import BadRequestError, ModelNotFoundError
from ...inputs import check_model_id, join_url
from ...models import IMAGE_ALIASES, IMAGE_MODELS, VIDEO_ALIASES
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.helper import format_media_prompt
from ...providers.lookup import lookup
from ...providers.response import MediaResponse, ProviderInfo
from ...state import get_store
from ...typing import Messages
from ._media_routes import (
    POLL_INTERVAL,
    TEXT_TO_IMAGE,
    TEXT_TO_VIDEO,
    MediaJob,
    route_body,
    route_url,
    run_route,
    submit_params,
)
from ._media_run import live_entries, mapping_entries, merge_jobs
from ._router import auth_headers, image_size, require_token

__all__ = ["HuggingFaceMedia"]

_MAX_N = 10


class HuggingFaceMedia(AsyncGeneratorProvider, ProviderModelMixin):
    """Images and videos from the Inference Providers behind the Hugging Face router.

    The model's provider mapping (Hub API) lists the live providers; each is one
    candidate of the failover engine (:meth:`get_candidates`, ``"model:provider"``
    pins one), which tries them in order. Needs a token. Image and video models (and
    their aliases, ``flux`` included) are AnyProvider keys.
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
    tasks: ClassVar[tuple[str, ...]] = (TEXT_TO_IMAGE, TEXT_TO_VIDEO)
    #: Seconds of silence after which a progress note is sent while a job runs.
    progress_interval: ClassVar[float] = 1.0
    #: Seconds a provider mapping stays cached.
    mapping_ttl: ClassVar[float] = 600.0

    @classmethod
    def task_of(cls, model: str) -> str | None:
        """``text-to-image`` / ``text-to-video`` for a known model id."""
        discovered = get_store().get(f"media-task:{model}")
        if discovered is not None:
            return str(discovered)
        if model in cls.video_models:
            return TEXT_TO_VIDEO
        return TEXT_TO_IMAGE if model in cls.image_models else None

    @classmethod
    def any_model_keys(cls) -> dict[str, str]:
        """Image and video models (and their aliases) for AnyProvider; no ``id:provider`` pins."""
        known = [m for m in cls.get_models() if ":" not in m and cls.task_of(m) is not None]
        keys = {m: m for m in known}
        for alias, target in cls.model_aliases.items():
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
            get_store().set(f"media-task:{model}", task, cls.models_ttl)
            target = videos if task == TEXT_TO_VIDEO else images
            target.extend([model, *(f"{model}:{p}" for p in live)])
        return videos + images

    @classmethod
    async def get_mapping(
        cls, session: Any, model: str, token: str
    ) -> dict[str, Mapping[str, Any]]:
        """Live providers of ``model``: provider → ``{providerId, task, status}``.

        A metadata look-up: short timeout, cached for ``mapping_ttl``, failures briefly.
        """

        async def fetch() -> dict[str, Mapping[str, Any]]:
            async with session.get(
                join_url(hf_endpoint(), "api", "models", *model.split("/")),
                params={"expand[]": "inferenceProviderMapping"},
                headers=auth_headers(token),
            ) as response:
                await response.raise_for_status()
                data = await response.json()
            raw = data.get("inferenceProviderMapping") if isinstance(data, Mapping) else None
            mapping = live_entries(mapping_entries(raw))
            if not mapping:
                raise ModelNotFoundError(
                    f"{cls.__name__}: no live inference provider serves {model}",
                    provider=cls.__name__,
                )
            return mapping

        return await lookup(
            f"media-mapping:{hf_endpoint()}:{model}",
            fetch,
            ttl=cls.mapping_ttl,
            what=f"the provider mapping of {model}",
            provider=cls.__name__,
        )

    @classmethod
    async def get_candidates(
        cls, model: str, api_key: str | None = None, **kwargs: Any
    ) -> list[tuple[Any, str]]:
        """One ``model:provider`` candidate per live media route, in the mapping's order.

        Without a token, or with a pinned route, the model is its own single candidate
        (its attempt then says what is missing).
        """
        model = cls.get_model(model or cls.default_model)
        token = get_hf_token(api_key)
        if not token or ":" in model:
            return [(cls, model)]
        async with cls.open_session(**kwargs) as session:
            mapping = await cls.get_mapping(session, model, token)
        routes = [p for p, e in mapping.items() if e.get("task") in cls.tasks]
        if not routes:
            raise ModelNotFoundError(
                f"{cls.__name__}: {model} is not a text-to-image or text-to-video model",
                provider=cls.__name__,
            )
        return [(cls, f"{model}:{route}") for route in routes]

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
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Generate ``n`` images or videos; progress arrives as ``Reasoning`` chunks."""
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
            routes = [
                (p, e)
                for p, e in mapping.items()
                if (not pinned or p == pinned) and e.get("task") in cls.tasks
            ]
            if not routes:
                raise ModelNotFoundError(
                    f"{cls.__name__}: {model} is not served by {pinned}"
                    if pinned
                    else f"{cls.__name__}: {model} is not a text-to-image or text-to-video model",
                    provider=cls.__name__,
                )

            def make_job(provider: str, entry: Mapping[str, Any]) -> MediaJob:
                task = str(entry.get("task"))
                video = task == TEXT_TO_VIDEO
                w, h = (width, height) if video else image_size(aspect_ratio, width, height)
                extra: dict[str, Any] = {}
                if video and provider != "novita":
                    extra["aspect_ratio"] = aspect_ratio or "16:9"
                if resolution:
                    extra["resolution"] = resolution
                extra.update(extra_body or {})
                headers = auth_headers(token)
                headers["Prefer"] = "wait"
                return MediaJob(
                    provider,
                    str(entry.get("providerId") or model),
                    task,
                    prompt,
                    headers,
                    w,
                    h,
                    extra,
                    deadline,
                    poll_interval,
                )

            # One route per attempt: the failover engine moves to the next candidate.
            provider, entry = routes[0]
            jobs = [
                cls._generate(session, model, provider, make_job(provider, entry)) for _ in range(n)
            ]
            async for chunk in merge_jobs(jobs, cls.progress_interval):
                yield chunk

    @classmethod
    async def _generate(
        cls, session: Any, model: str, provider: str, job: MediaJob
    ) -> AsyncIterator[Any]:
        """One media result from inference provider ``provider``."""
        async with session.post(
            route_url(job),
            json=route_body(job),
            params=submit_params(job),
            headers=job.headers,
            timeout=job.remaining(),
        ) as response:
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
