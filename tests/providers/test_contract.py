"""The provider contract, checked over every registered provider."""

from __future__ import annotations

import inspect
import json

import pytest

from g4f.Provider import __map__, get_provider, provider_names
from g4f.providers.base_provider import BaseProvider, ProviderModelMixin

NAMES = provider_names()


def test_registry_finds_providers_without_importing_them() -> None:
    assert "AnyProvider" in NAMES
    assert len(NAMES) == len(__map__)
    assert all(isinstance(name, str) for name in __map__)


@pytest.mark.parametrize("name", NAMES)
def test_declared_facts(name: str) -> None:
    provider = get_provider(name)
    assert provider.__name__ == name
    assert issubclass(provider, BaseProvider)
    assert isinstance(provider.url, str) and provider.url.startswith("https://")
    assert isinstance(provider.working, bool) and isinstance(provider.needs_auth, bool)
    assert isinstance(provider.supports_stream, bool)
    assert inspect.isasyncgenfunction(provider.create_async_generator) or callable(
        provider.create_async_generator
    )
    json.dumps(provider.get_dict())
    assert "api-inference.huggingface.co" not in inspect.getsource(inspect.getmodule(provider))


@pytest.mark.parametrize("name", NAMES)
def test_models_are_static_and_consistent(name: str) -> None:
    provider = get_provider(name)
    if not issubclass(provider, ProviderModelMixin):
        return
    # HF_ENDPOINT points at a dead port: listing models must not need the network.
    models = provider.get_models()
    assert isinstance(models, list) and all(isinstance(m, str) and m for m in models)
    assert len(models) == len(set(models)), "duplicate model ids"
    if provider.default_model and not provider.accepts_any_model:
        assert provider.default_model in models
    for alias, target in provider.model_aliases.items():
        assert isinstance(alias, str) and isinstance(target, str)
    keys = provider.any_model_keys()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items())


@pytest.mark.parametrize("name", NAMES)
def test_get_model_resolves_aliases(name: str) -> None:
    provider = get_provider(name)
    if not issubclass(provider, ProviderModelMixin) or name == "AnyProvider":
        return
    for alias, target in provider.model_aliases.items():
        assert provider.get_model(alias) == target


def test_unknown_provider_name() -> None:
    from g4f.errors import ProviderNotFoundError

    with pytest.raises(ProviderNotFoundError):
        get_provider("Nope")
    with pytest.raises(KeyError):
        __map__["Nope"]


def test_provider_lookup_is_case_insensitive_and_attribute_access_works() -> None:
    import g4f.Provider

    assert get_provider("anyprovider") is g4f.Provider.AnyProvider
    from g4f.Provider import ProviderUtils

    assert ProviderUtils.convert["AnyProvider"] is g4f.Provider.AnyProvider
