"""The provider registry.

Every provider lives in one file under this package whose name is the class name
(``hf/HuggingChat.py`` defines ``HuggingChat``; a package's ``__init__.py`` defines the
class named after the package's provider, e.g. ``hf_space`` → ``HuggingSpace``). The
registry finds them by listing files, so nothing is imported until a provider is
asked for: ``g4f.Provider.HuggingChat``, ``g4f.Provider.__map__["HuggingChat"]`` or
``ProviderUtils.convert["HuggingChat"]``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from ..errors import ProviderNotFoundError

__all__ = ["ProviderUtils", "get_provider", "provider_names", "all_providers", "__map__"]

_HERE = os.path.dirname(__file__)
_SKIP_DIRS = {"template", "__pycache__"}
#: Registered providers defined a layer up (the failover engine's fronts).
_FRONTS = ("AnyProvider",)
#: gpt4free's ``g4f.Provider`` also exports the providers that try others (not registered).
_RETRY_FRONTS = ("IterListProvider", "RetryProvider", "RotatedProvider")
#: Packages whose __init__ defines a provider class of another name.
_PACKAGE_CLASSES = {"hf_space": "HuggingSpace"}


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """Provider class name → module path, found by listing files (no imports)."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(_HERE):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith((".", "_")))
        rel = os.path.relpath(root, _HERE)
        package = "g4f.Provider" if rel == "." else "g4f.Provider." + rel.replace(os.sep, ".")
        for name in sorted(files):
            stem, ext = os.path.splitext(name)
            if ext != ".py":
                continue
            if stem == "__init__" and rel != ".":
                cls = _PACKAGE_CLASSES.get(os.path.basename(root))
                if cls:
                    found[cls] = package
            elif stem[:1].isupper():
                found[stem] = f"{package}.{stem}"
    for name in _FRONTS:
        found.setdefault(name, "")  # no module path: see _front()
    return found


def _front(name: str) -> type:
    """A provider of the failover layer, for gpt4free's import paths.

    The one sanctioned upward import (listed in tests/test_architecture.py), written as
    plain imports and done on first access, so the registry itself imports nothing.
    """
    if name == "AnyProvider":
        from ..providers.any_provider import AnyProvider

        return AnyProvider
    from ..providers import retry_provider

    return getattr(retry_provider, name)


def provider_names() -> list[str]:
    """Names of every registered provider (no import)."""
    return list(_index())


def get_provider(name: str) -> type:
    """The provider class registered as ``name`` (imports its module)."""
    module_path = _index().get(name)
    if module_path is None:
        lowered = {k.lower(): k for k in _index()}
        if name.lower() in lowered:
            return get_provider(lowered[name.lower()])
        raise ProviderNotFoundError(f"Provider not found: {name}")
    if not module_path:
        return _front(name)
    module = importlib.import_module(module_path)
    try:
        return getattr(module, name)
    except AttributeError:
        raise ProviderNotFoundError(f"{module_path} defines no class {name}") from None


def all_providers() -> list[type]:
    """Every registered provider class (imports them all)."""
    return [get_provider(name) for name in provider_names()]


class _LazyMap(Mapping[str, type]):
    """Name → provider class, importing a provider when it is looked up."""

    def __getitem__(self, name: str) -> type:
        try:
            return get_provider(name)
        except ProviderNotFoundError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(_index())

    def __len__(self) -> int:
        return len(_index())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in _index()

    def __repr__(self) -> str:
        return f"<providers {sorted(_index())}>"


__map__: Mapping[str, type] = _LazyMap()


class ProviderUtils:
    """g4f-compatible access to the registry."""

    convert: Mapping[str, type] = __map__


def __getattr__(name: str) -> Any:
    if name in _index():
        return get_provider(name)
    if name in _RETRY_FRONTS:
        return _front(name)
    raise AttributeError(f"module 'g4f.Provider' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_index()) | set(_RETRY_FRONTS))
