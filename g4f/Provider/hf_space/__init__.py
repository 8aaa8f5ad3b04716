"""HuggingSpace: one provider over the Hugging Face Spaces that g4f knows, and any other by id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, ClassVar

from ...errors import ModelNotFoundError
from ...inputs import check_model_id
from ...providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from ...providers.response import ProviderInfo
from ...typing import Messages
from ._space import SpaceProvider
from .BlackForestLabs_Flux1Dev import BlackForestLabs_Flux1Dev
from .BlackForestLabs_Flux1KontextDev import BlackForestLabs_Flux1KontextDev
from .GradioSpace import GradioSpace
from .Qwen_Qwen_2_5 import Qwen_Qwen_2_5
from .StabilityAI_SD35Large import StabilityAI_SD35Large

__all__ = [
    "HuggingSpace",
    "BlackForestLabs_Flux1Dev",
    "BlackForestLabs_Flux1KontextDev",
    "StabilityAI_SD35Large",
    "Qwen_Qwen_2_5",
    "GradioSpace",
]

_CHILDREN: list[type[SpaceProvider]] = [
    BlackForestLabs_Flux1Dev,
    BlackForestLabs_Flux1KontextDev,
    StabilityAI_SD35Large,
    Qwen_Qwen_2_5,
]


def _merged(attribute: str) -> list[str]:
    return list(dict.fromkeys(m for child in _CHILDREN for m in getattr(child, attribute)))


class HuggingSpace(AsyncGeneratorProvider, ProviderModelMixin):
    """Hugging Face Spaces (Gradio apps): FLUX.1 dev and Kontext, SD 3.5 Large, Qwen2.5 chat.

    A model picks the Space that serves it; ``model="space:owner/name"`` runs any
    public Gradio Space, its endpoint discovered from the app's API info. No key is
    needed; with huggingface.co cookies (or ``api_key``) ZeroGPU Spaces get the user's quota.
    """

    label = "HuggingFace Spaces"
    url = "https://huggingface.co/spaces"
    working = True
    needs_auth = False
    providers: ClassVar[list[type[SpaceProvider]]] = [*_CHILDREN, GradioSpace]
    default_model = Qwen_Qwen_2_5.default_model
    default_image_model = BlackForestLabs_Flux1Dev.default_model
    default_vision_model = BlackForestLabs_Flux1KontextDev.default_model
    model_prefixes: ClassVar[tuple[str, ...]] = ("space:",)
    models: ClassVar[list[str]] = _merged("models")
    image_models: ClassVar[list[str]] = _merged("image_models")
    vision_models: ClassVar[list[str]] = [BlackForestLabs_Flux1KontextDev.default_model]
    model_aliases: ClassVar[dict[str, str]] = {
        alias: target for child in _CHILDREN for alias, target in child.model_aliases.items()
    }

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        """Resolve an alias; ``space:owner/name`` ids pass through (checked)."""
        check_model_id(model or "", cls.model_aliases)
        if model and model.startswith("space:"):
            return model
        return super().get_model(model, **kwargs)

    @classmethod
    def children_for(cls, model: str) -> list[type[SpaceProvider]]:
        """The Space providers serving ``model`` (already resolved)."""
        if model.startswith("space:"):
            return [GradioSpace]
        return [child for child in _CHILDREN if model in child.get_models()]

    @classmethod
    def get_candidates(cls, model: str, n: int = 1, **kwargs: Any) -> list[tuple[Any, str]]:
        """The Spaces serving ``model``, in order: what the failover engine tries.

        An image Space asked for ``n`` > 1 images is offered as a :class:`SpaceRuns`.
        """
        if not model:
            model = cls.default_vision_model if kwargs.get("media") else cls.default_model
        model = cls.get_model(model)
        children = cls.children_for(model)
        if not children:
            raise ModelNotFoundError(
                f"{cls.__name__}: no Space serves {model}", provider=cls.__name__
            )
        return [
            (SpaceRuns(child, n) if n > 1 and model in child.image_models else child, model)
            for child in children
        ]

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Messages, n: int = 1, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Run the first Space serving ``model`` (the failover engine tries the others)."""
        provider, model = cls.get_candidates(model, n=n, **kwargs)[0]
        yield ProviderInfo(
            name=provider.__name__, model=model, label=provider.get_label(), url=provider.url
        )
        async with aclosing(provider.create_async_generator(model, messages, **kwargs)) as stream:
            async for chunk in stream:
                yield chunk


class SpaceRuns:
    """An image Space run ``n`` times in a row: one candidate of the failover engine."""

    def __init__(self, child: type[SpaceProvider], n: int) -> None:
        self.child = child
        self.n = n
        self.__name__ = child.__name__
        self.url = child.url

    def get_label(self) -> str:
        return self.child.get_label()

    def get_parent(self) -> str:
        return self.child.get_parent()

    async def create_async_generator(
        self, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """The ``n`` results, one run after the other."""
        for _ in range(self.n):
            stream = self.child.create_async_generator(model, messages, **kwargs)
            async with aclosing(stream):
                async for chunk in stream:
                    yield chunk

    def __repr__(self) -> str:
        return f"SpaceRuns({self.__name__}, n={self.n})"
