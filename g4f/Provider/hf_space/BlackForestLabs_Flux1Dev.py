"""FLUX.1 [dev] on its ZeroGPU Space, through Gradio's queue protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ...providers.helper import format_media_prompt
from ...typing import Messages
from ._space import SpaceProvider, image_size

__all__ = ["BlackForestLabs_Flux1Dev"]


class BlackForestLabs_Flux1Dev(SpaceProvider):
    """Text-to-image with FLUX.1 [dev]; progress per sampling step, previews, then the image."""

    label = "BlackForestLabs Flux-1-Dev"
    url = "https://huggingface.co/spaces/black-forest-labs/FLUX.1-dev"
    space = "black-forest-labs/FLUX.1-dev"
    api_name = "infer"
    zerogpu = True
    default_model = "flux-dev"
    default_image_model = "flux-dev"
    models: ClassVar[list[str]] = ["flux-dev"]
    image_models: ClassVar[list[str]] = ["flux-dev"]
    model_aliases: ClassVar[dict[str, str]] = {
        "flux": "flux-dev",
        "black-forest-labs/FLUX.1-dev": "flux-dev",
    }

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        prompt: str | None = None,
        aspect_ratio: str | None = None,
        width: int | None = None,
        height: int | None = None,
        guidance_scale: float = 3.5,
        num_inference_steps: int = 28,
        seed: int = 0,
        randomize_seed: bool = True,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Generate one image for the prompt (or the last user message)."""
        prompt = format_media_prompt(messages, prompt)
        width, height = image_size(aspect_ratio, width, height)

        def build(_: list[Any]) -> list[Any]:
            return [
                prompt,
                seed,
                randomize_seed,
                width,
                height,
                guidance_scale,
                num_inference_steps,
            ]

        async for chunk in cls.run_image_job(prompt, build, **kwargs):
            yield chunk
