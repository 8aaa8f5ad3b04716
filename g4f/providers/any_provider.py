"""AnyProvider: pick a model by public name and try every provider that serves it.

The model map is built from the registry: public name → ordered
``{provider name: provider's model id}``, from each provider's
``any_model_keys()`` (static models, aliases, and discovered models when cached)
plus the public alias tables of :mod:`g4f.models`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ..errors import ModelNotFoundError
from ..inputs import check_model_id
from ..models import CHAT_ALIASES, DEFAULT_MODEL, IMAGE_ALIASES, VIDEO_ALIASES
from ..state import get_store
from ..typing import Messages
from .base_provider import AsyncGeneratorProvider, ProviderModelMixin, discovered_stamp
from .engine import failover, is_cooling_down

__all__ = ["AnyProvider", "get_model_map"]

_PUBLIC_ALIASES = {**CHAT_ALIASES, **IMAGE_ALIASES, **VIDEO_ALIASES}

#: The run-time store's key of the cached model map (its validity key and the map).
_MAP_KEY = "anymap:map"


def _providers() -> list[type]:
    from ..Provider import get_provider, provider_names

    found = []
    for name in provider_names():
        if name == "AnyProvider":
            continue
        provider = get_provider(name)
        if getattr(provider, "working", True) and getattr(provider, "include_in_any", True):
            found.append(provider)
    return found


def _cache_key(providers: list[type]) -> list[Any]:
    return [[p.__name__, discovered_stamp(p)] for p in providers]


def get_model_map() -> dict[str, dict[str, str]]:
    """Public model name → ``{provider name: model id}``, in provider order.

    Cached in the run-time store until a provider's discovered models change.
    """
    providers = _providers()
    key = _cache_key(providers)
    cached = get_store().get(_MAP_KEY)
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[no-any-return]
    model_map: dict[str, dict[str, str]] = {}
    for provider in providers:
        keys = provider.any_model_keys() if hasattr(provider, "any_model_keys") else {}
        for public, model_id in keys.items():
            model_map.setdefault(public, {})[provider.__name__] = model_id
    for alias, hf_id in _PUBLIC_ALIASES.items():
        for name, model_id in model_map.get(hf_id, {}).items():
            model_map.setdefault(alias, {}).setdefault(name, model_id)
    get_store().set(_MAP_KEY, (key, model_map))
    return model_map


class AnyProvider(AsyncGeneratorProvider, ProviderModelMixin):
    """Routes a public model name to every provider that serves it, in order."""

    url = "https://huggingface.co"
    working = True
    include_in_any = False
    default_model = DEFAULT_MODEL
    label = "Any provider"
    models_ttl: ClassVar[float] = 0.0

    @classmethod
    def get_models(cls, **kwargs: Any) -> list[str]:
        return list(get_model_map())

    @classmethod
    def get_model(cls, model: str | None, **kwargs: Any) -> str:
        return model or DEFAULT_MODEL

    @classmethod
    def get_providers(
        cls, model: str, api_key: Any = None, **kwargs: Any
    ) -> list[tuple[type, str]]:
        """``(provider, model id)`` pairs to try for ``model``, best first."""
        model = model or DEFAULT_MODEL
        model_map = get_model_map()
        check_model_id(model, model_map)
        entries = model_map.get(model)
        if not entries:
            entries = {
                p.__name__: model
                for p in _providers()
                if any(model.startswith(prefix) for prefix in getattr(p, "model_prefixes", ()))
            }
        if not entries:
            if "/" in model:
                entries = {
                    p.__name__: model
                    for p in _providers()
                    if getattr(p, "accepts_any_model", False)
                }
            if not entries:
                raise ModelNotFoundError(f"Model not found in any provider: {model}")
        by_name = {p.__name__: p for p in _providers()}
        candidates = [
            (by_name[name], model_id) for name, model_id in entries.items() if name in by_name
        ]
        key_given = bool(api_key)
        if not key_given:
            from ..config import get_hf_token

            key_given = bool(get_hf_token())

        def rank(item: tuple[type, str]) -> tuple[int, int]:
            # No key: providers that need no auth first, then those that can log in with
            # what they have (cookies), then the rest. With a key: declared order, except
            # that providers lacking credentials go last.
            provider = item[0]
            usable = provider.has_credentials(api_key=api_key, **kwargs)
            if not usable:
                auth_rank = 2
            elif key_given or not provider.needs_auth:
                auth_rank = 0
            else:
                auth_rank = 1
            return (1 if is_cooling_down(provider.__name__) else 0, auth_rank)

        return sorted(candidates, key=rank)

    @classmethod
    def get_candidates(cls, model: str, **kwargs: Any) -> list[tuple[type, str]]:
        """What the failover engine runs for ``model``: :meth:`get_providers`."""
        return cls.get_providers(model, **kwargs)

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Try each provider serving ``model`` until one answers (the failover engine)."""
        async for chunk in failover(cls, model, messages, **kwargs):
            yield chunk
