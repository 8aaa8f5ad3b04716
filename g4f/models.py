"""gpt4free's ``g4f.models``: model objects by name, over the alias tables.

``ModelUtils.convert["llama-3.3-70b"]`` and ``g4f.models.llama_3_3_70b`` are the same
:class:`Model`; its ``best_provider`` is AnyProvider, which tries every provider that
serves the alias. The tables themselves live in :mod:`g4f.model_tables` (a low layer the
providers read); this module sits above AnyProvider, so it imports it plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model_tables import (
    CHAT_ALIASES,
    DEFAULT_IMAGE_MODEL,
    DEFAULT_MODEL,
    DEFAULT_VISION_MODEL,
    IMAGE_ALIASES,
    IMAGE_MODELS,
    TEXT_MODELS,
    VIDEO_ALIASES,
    VISION_MODELS,
)
from .providers.any_provider import AnyProvider

__all__ = [
    "Model",
    "ImageModel",
    "VideoModel",
    "VisionModel",
    "ModelUtils",
    "attribute_name",
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


@dataclass(frozen=True)
class Model:
    """A public model name, its base family and the provider that serves it."""

    name: str
    base_provider: str = "huggingface"
    hf_id: str = ""

    @property
    def best_provider(self) -> Any:
        """AnyProvider: every provider serving this name, in order."""
        return AnyProvider

    def get_dict(self) -> dict[str, Any]:
        """gpt4free's summary of a model."""
        return {"name": self.name, "base_provider": self.base_provider, "hf_id": self.hf_id}

    def __str__(self) -> str:
        return self.name


class ImageModel(Model):
    """A text-to-image model."""


class VideoModel(Model):
    """A text-to-video model."""


class VisionModel(Model):
    """A chat model that also reads images."""


def attribute_name(alias: str) -> str:
    """gpt4free's attribute spelling of an alias: ``llama-3.3-70b`` → ``llama_3_3_70b``."""
    return re.sub(r"[^0-9a-zA-Z_]", "_", alias)


def _build() -> dict[str, Model]:
    vision = set(VISION_MODELS)
    table: dict[str, Model] = {}
    for alias, hf_id in CHAT_ALIASES.items():
        kind = VisionModel if hf_id in vision else Model
        table[alias] = kind(alias, hf_id.split("/")[0].lower(), hf_id)
    for alias, hf_id in IMAGE_ALIASES.items():
        table[alias] = ImageModel(alias, hf_id.split("/")[0].lower(), hf_id)
    for alias, hf_id in VIDEO_ALIASES.items():
        table[alias] = VideoModel(alias, hf_id.split("/")[0].lower(), hf_id)
    return table


class ModelUtils:
    """g4f-compatible lookup: ``ModelUtils.convert[name]`` → :class:`Model`."""

    convert: dict[str, Model] = _build()


default = Model("", "huggingface", DEFAULT_MODEL)
default_vision = VisionModel("", "huggingface", DEFAULT_VISION_MODEL)
default_image = ImageModel("flux", "black-forest-labs", DEFAULT_IMAGE_MODEL)

# gpt4free code reads models as attributes (``g4f.models.llama_3_3_70b``). Aliases that are
# Hub ids (``owner/name``) are reached through ModelUtils.convert only.
_NAMED = {
    attribute_name(alias): model
    for alias, model in ModelUtils.convert.items()
    if "/" not in alias and attribute_name(alias).isidentifier()
}
globals().update(_NAMED)
__all__ += sorted(_NAMED)
