"""Public model names (aliases) and the Hugging Face ids they stand for.

``ModelUtils.convert["llama-3.3-70b"]`` is a :class:`Model`; its ``best_provider``
is AnyProvider, which tries every provider that serves the alias. Providers map an
alias to their own id through their ``model_aliases`` (built from the tables here).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Model",
    "ImageModel",
    "VideoModel",
    "ModelUtils",
    "default",
    "default_vision",
    "default_image",
    "CHAT_ALIASES",
    "IMAGE_ALIASES",
    "VIDEO_ALIASES",
    "TEXT_MODELS",
    "VISION_MODELS",
    "IMAGE_MODELS",
    "DEFAULT_MODEL",
]

DEFAULT_MODEL = "openai/gpt-oss-120b"
DEFAULT_VISION_MODEL = "meta-llama/Llama-3.2-11B-Vision-Instruct"
DEFAULT_IMAGE_MODEL = "black-forest-labs/FLUX.1-dev"

TEXT_MODELS: list[str] = [
    DEFAULT_MODEL,
    "meta-llama/Llama-3.3-70B-Instruct",
    "CohereForAI/c4ai-command-r-plus-08-2024",
    "deepseek-ai/DeepSeek-R1",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "Qwen/QwQ-32B",
    "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF",
    "Qwen/Qwen2.5-Coder-32B-Instruct",
    "Qwen/Qwen2.5-72B-Instruct",
    "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "mistralai/Mistral-Nemo-Instruct-2407",
    "microsoft/Phi-3.5-mini-instruct",
    "moonshotai/Kimi-K2-Instruct-0905",
]

VISION_MODELS: list[str] = [DEFAULT_VISION_MODEL, "Qwen/Qwen2-VL-7B-Instruct"]

IMAGE_MODELS: list[str] = [
    "black-forest-labs/FLUX.1-dev",
    "black-forest-labs/FLUX.1-schnell",
]

#: Chat alias → Hugging Face model id.
CHAT_ALIASES: dict[str, str] = {
    "gpt-oss-120b": DEFAULT_MODEL,
    "llama-3": "meta-llama/Llama-3.3-70B-Instruct",
    "llama-3.3-70b": "meta-llama/Llama-3.3-70B-Instruct",
    "command-r-plus": "CohereForAI/c4ai-command-r-plus-08-2024",
    "deepseek-r1": "deepseek-ai/DeepSeek-R1",
    "deepseek-r1-distill-qwen-32b": "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
    "qwq-32b": "Qwen/QwQ-32B",
    "nemotron-70b": "nvidia/Llama-3.1-Nemotron-70B-Instruct-HF",
    "qwen-2.5-coder-32b": "Qwen/Qwen2.5-Coder-32B-Instruct",
    "qwen-2.5-72b": "Qwen/Qwen2.5-72B-Instruct",
    "llama-3.2-11b": "meta-llama/Llama-3.2-11B-Vision-Instruct",
    "mistral-nemo": "mistralai/Mistral-Nemo-Instruct-2407",
    "phi-3.5-mini": "microsoft/Phi-3.5-mini-instruct",
    "kimi-k2": "moonshotai/Kimi-K2-Instruct-0905",
    "moonshotai/Kimi-K2-Instruct": "moonshotai/Kimi-K2-Instruct-0905",
    "qwen-2-vl-7b": "Qwen/Qwen2-VL-7B-Instruct",
    "gemma-2-27b": "google/gemma-2-27b-it",
    "qwen-2-72b": "Qwen/Qwen2-72B-Instruct",
    "qvq-72b": "Qwen/QVQ-72B-Preview",
}

#: Image alias → Hugging Face model id.
IMAGE_ALIASES: dict[str, str] = {
    "flux": "black-forest-labs/FLUX.1-dev",
    "flux-dev": "black-forest-labs/FLUX.1-dev",
    "flux-schnell": "black-forest-labs/FLUX.1-schnell",
    "stable-diffusion-3.5-large": "stabilityai/stable-diffusion-3.5-large",
    "sd-3.5-large": "stabilityai/stable-diffusion-3.5-large",
    "sdxl-1.0": "stabilityai/stable-diffusion-xl-base-1.0",
    "sdxl-turbo": "stabilityai/sdxl-turbo",
}

#: Video alias → Hugging Face model id.
VIDEO_ALIASES: dict[str, str] = {
    "wan-2.1": "Wan-AI/Wan2.1-T2V-14B",
    "hunyuan-video": "tencent/HunyuanVideo",
    "ltx-video": "Lightricks/LTX-Video",
}


@dataclass(frozen=True)
class Model:
    """A public model name, its base family and the provider that serves it."""

    name: str
    base_provider: str = "huggingface"
    hf_id: str = ""

    @property
    def best_provider(self) -> Any:
        """AnyProvider (imported on first use)."""
        return importlib.import_module("g4f.providers.any_provider").AnyProvider

    def __str__(self) -> str:
        return self.name


class ImageModel(Model):
    """A text-to-image model."""


class VideoModel(Model):
    """A text-to-video model."""


def _build() -> dict[str, Model]:
    table: dict[str, Model] = {}
    for alias, hf_id in CHAT_ALIASES.items():
        table[alias] = Model(alias, hf_id.split("/")[0].lower(), hf_id)
    for alias, hf_id in IMAGE_ALIASES.items():
        table[alias] = ImageModel(alias, hf_id.split("/")[0].lower(), hf_id)
    for alias, hf_id in VIDEO_ALIASES.items():
        table[alias] = VideoModel(alias, hf_id.split("/")[0].lower(), hf_id)
    return table


class ModelUtils:
    """g4f-compatible lookup: ``ModelUtils.convert[name]`` → :class:`Model`."""

    convert: dict[str, Model] = _build()


default = Model("", "huggingface", DEFAULT_MODEL)
default_vision = Model("", "huggingface", DEFAULT_VISION_MODEL)
default_image = ImageModel("flux", "black-forest-labs", DEFAULT_IMAGE_MODEL)
