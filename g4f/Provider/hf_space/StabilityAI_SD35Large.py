"""Stable Diffusion 3.5 Large on its Space, through Gradio's call API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ...providers.helper import format_media_prompt
from ...typing import Messages
from ._space import SpaceProvider, image_size

__all__ = ["StabilityAI_SD35Large"]


class StabilityAI_SD35Large(SpaceProvider):
    """Text-to-image with SD 3.5 Large (``/gradio_api/call/infer``, then its event stream)."""

    label = "StabilityAI SD-3.5-Large"
    url = "https://huggingface.co/spaces/stabilityai/stable-diffusion-3.5-large"
    space = "stabilityai/stable-diffusion-3.5-large"
    api_name = "infer"
    default_model = "sd-3.5-large"
    default_image_model = "sd-3.5-large"
    models: ClassVar[list[str]] = ["sd-3.5-large"]
    image_models: ClassVar[list[str]] = ["sd-3.5-large"]
    model_aliases: ClassVar[dict[str, str]] = {
        "stable-diffusion-3.5-large": "sd-3.5-large",
        "stabilityai/stable-diffusion-3.5-large": "sd-3.5-large",
    }

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        prompt: str | None = None,
        negative_prompt: str = "",
        aspect_ratio: str | None = None,
        width: int | None = None,
        height: int | None = None,
        guidance_scale: float = 4.5,
        num_inference_steps: int = 40,
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
                negative_prompt,
                seed,
                randomize_seed,
                width,
                height,
                guidance_scale,
                num_inference_steps,
            ]

        async for chunk in cls.run_image_job(prompt, build, call=True, **kwargs):
            yield chunk
