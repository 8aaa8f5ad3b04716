"""Hub reads for HuggingFaceInference: one model's metadata and the trending listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...config import hf_endpoint
from ...errors import ModelNotFoundError
from ...inputs import join_url
from ...providers.lookup import lookup
from ...state import get_store

__all__ = ["get_model_data", "trending_models", "TEXT_TASKS", "IMAGE_TASK", "clear_model_data"]

TEXT_TASKS = ("text-generation", "image-text-to-text", "text2text-generation")
IMAGE_TASK = "text-to-image"
#: Trending scores a listed model needs to be offered (text, image).
TEXT_TRENDING_MIN = 10
IMAGE_TRENDING_MIN = 20
_DATA_TTL = 3600.0


def clear_model_data() -> None:
    """Forget cached model metadata (and remembered failures of it)."""
    get_store().clear("lookup:hub-model:")
    get_store().clear("lookup-failed:hub-model:")


async def get_model_data(
    session: Any, model: str, headers: Mapping[str, str], provider: str
) -> dict[str, Any]:
    """``GET {HF_ENDPOINT}/api/models/{model}``: a metadata look-up (short timeout,
    cached per endpoint and model for an hour, a failure for a short while).

    A 404 is a :class:`ModelNotFoundError`; a task this provider cannot run too.
    """
    endpoint = hf_endpoint()

    async def fetch() -> dict[str, Any]:
        url = join_url(endpoint, "api", "models", *model.split("/"))
        async with session.get(url, headers=headers) as response:
            await response.raise_for_status()
            data = await response.json()
        if not isinstance(data, dict):
            raise ModelNotFoundError(
                f"{provider}: no metadata for model {model}", provider=provider
            )
        task = data.get("pipeline_tag")
        if task is not None and task not in TEXT_TASKS and task != IMAGE_TASK:
            raise ModelNotFoundError(
                f"{provider}: model {model} is not supported (pipeline_tag: {task})",
                provider=provider,
            )
        return data

    return await lookup(
        f"hub-model:{endpoint}:{model}",
        fetch,
        ttl=_DATA_TTL,
        what=f"the Hub metadata of {model}",
        provider=provider,
    )


async def _listing(session: Any, params: dict[str, str], minimum: float) -> list[str]:
    async with session.get(f"{hf_endpoint()}/api/models", params=params) as response:
        await response.raise_for_status()
        data = await response.json()
    if not isinstance(data, list):
        return []
    return [
        str(item["id"])
        for item in data
        if isinstance(item, Mapping)
        and item.get("id")
        and isinstance(item.get("trendingScore"), (int, float))
        and item["trendingScore"] >= minimum
    ]


async def trending_models(session: Any) -> tuple[list[str], list[str]]:
    """Warm trending text-generation models and trending text-to-image models."""
    text = await _listing(
        session, {"inference": "warm", "pipeline_tag": "text-generation"}, TEXT_TRENDING_MIN
    )
    images = await _listing(session, {"pipeline_tag": IMAGE_TASK}, IMAGE_TRENDING_MIN)
    return text, images
