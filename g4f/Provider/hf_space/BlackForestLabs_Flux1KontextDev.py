"""FLUX.1 Kontext [dev] (image editing) on its ZeroGPU Space: upload, then the queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ...errors import BadRequestError
from ...providers.helper import format_media_prompt
from ...typing import MediaListType, Messages
from ._space import SpaceProvider

__all__ = ["BlackForestLabs_Flux1KontextDev"]


class BlackForestLabs_Flux1KontextDev(SpaceProvider):
    """Edits the last given image as the prompt says."""

    label = "BlackForestLabs Flux-1-Kontext-Dev"
    url = "https://huggingface.co/spaces/black-forest-labs/FLUX.1-Kontext-Dev"
    space = "black-forest-labs/FLUX.1-Kontext-Dev"
    api_name = "infer"
    zerogpu = True
    default_model = "flux-kontext-dev"
    default_image_model = "flux-kontext-dev"
    models: ClassVar[list[str]] = ["flux-kontext-dev"]
    image_models: ClassVar[list[str]] = ["flux-kontext-dev"]
    model_aliases: ClassVar[dict[str, str]] = {
        "flux-kontext": "flux-kontext-dev",
        "black-forest-labs/FLUX.1-Kontext-dev": "flux-kontext-dev",
    }

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        media: MediaListType | None = None,
        prompt: str | None = None,
        guidance_scale: float = 2.5,
        num_inference_steps: int = 28,
        seed: int = 0,
        randomize_seed: bool = True,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Edit ``media[-1]`` following the prompt."""
        if not media:
            raise BadRequestError(
                f"{cls.__name__}: give the image to edit with media=[(data, filename)]",
                provider=cls.__name__,
            )
        prompt = format_media_prompt(messages, prompt)

        def build(files: list[Any]) -> list[Any]:
            return [files[-1], prompt, seed, randomize_seed, guidance_scale, num_inference_steps]

        async for chunk in cls.run_image_job(
            prompt, build, upload_media=list(media)[-1:], **kwargs
        ):
            yield chunk
