"""AnyProvider: the model map, alias resolution, ordering, cooldowns, failover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from g4f.client import Client
from g4f.errors import ModelNotFoundError, RateLimitError
from g4f.providers import any_provider
from g4f.providers.any_provider import AnyProvider, get_model_map
from g4f.providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin
from g4f.providers.retry_provider import clear_cooldowns, cooldown, is_cooling_down
from g4f.state import reset_state
from tests import mocks


class FreeProvider(mocks.Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://free.example"
    needs_auth = False
    default_model = "meta-llama/Llama-3.3-70B-Instruct"
    models: ClassVar[list[str]] = ["meta-llama/Llama-3.3-70B-Instruct"]

    @classmethod
    async def create_async_generator(cls, model: str, messages: Any, **kwargs: Any):  # type: ignore[override]
        cls.record({"model": model, **kwargs})
        yield f"free:{model}"


class KeyedProvider(mocks.Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://keyed.example"
    needs_auth = True
    default_model = "meta-llama/Llama-3.3-70B-Instruct"
    models: ClassVar[list[str]] = ["meta-llama/Llama-3.3-70B-Instruct", "org/only-keyed"]
    model_aliases: ClassVar[dict[str, str]] = {"keyed-alias": "org/only-keyed"}
    accepts_any_model = True

    @classmethod
    async def create_async_generator(cls, model: str, messages: Any, **kwargs: Any):  # type: ignore[override]
        cls.record({"model": model, **kwargs})
        yield f"keyed:{model}"


class LimitedProvider(mocks.Recorder, AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://limited.example"
    needs_auth = False
    models: ClassVar[list[str]] = ["meta-llama/Llama-3.3-70B-Instruct"]

    @classmethod
    async def create_async_generator(cls, model: str, messages: Any, **kwargs: Any):  # type: ignore[override]
        cls.record({"model": model, **kwargs})
        raise RateLimitError("busy", status_code=429, retry_after=120)
        yield  # pragma: no cover


@pytest.fixture(autouse=True)
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    providers = [KeyedProvider, FreeProvider]
    monkeypatch.setattr(any_provider, "_providers", lambda: list(providers))
    reset_state()
    for p in (FreeProvider, KeyedProvider, LimitedProvider):
        p.reset()
    clear_cooldowns()
    yield
    reset_state()
    clear_cooldowns()


def test_model_map_has_ids_and_public_aliases() -> None:
    model_map = get_model_map()
    assert model_map["meta-llama/Llama-3.3-70B-Instruct"] == {
        "KeyedProvider": "meta-llama/Llama-3.3-70B-Instruct",
        "FreeProvider": "meta-llama/Llama-3.3-70B-Instruct",
    }
    # Public aliases of g4f.models reach every provider serving the target id.
    assert set(model_map["llama-3.3-70b"]) == {"KeyedProvider", "FreeProvider"}
    assert model_map["keyed-alias"] == {"KeyedProvider": "org/only-keyed"}


def test_alias_resolves_to_each_providers_id() -> None:
    completion = Client().chat.completions.create(
        messages="hi", model="keyed-alias", provider=AnyProvider, api_key="hf_key_abcdefgh"
    )
    assert completion.choices[0].message.content == "keyed:org/only-keyed"
    assert completion.provider == "KeyedProvider"


def test_free_providers_first_without_a_key() -> None:
    order = [p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b")]
    assert order == ["FreeProvider", "KeyedProvider"]
    completion = Client().chat.completions.create(messages="hi", model="llama-3.3-70b")
    assert completion.provider == "FreeProvider"


def test_declared_order_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    order = [
        p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b", api_key="hf_key_abcdefgh")
    ]
    assert order == ["KeyedProvider", "FreeProvider"]
    monkeypatch.setenv("HF_TOKEN", "hf_env_token_abcdefgh")
    order = [p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b")]
    assert order == ["KeyedProvider", "FreeProvider"]


def test_cooling_providers_go_last_and_failures_cool_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(any_provider, "_providers", lambda: [LimitedProvider, FreeProvider])
    reset_state()
    completion = Client().chat.completions.create(messages="hi", model="llama-3.3-70b")
    assert completion.provider == "FreeProvider"
    assert LimitedProvider.calls == 1
    assert is_cooling_down("LimitedProvider")
    order = [p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b")]
    assert order == ["FreeProvider", "LimitedProvider"]
    Client().chat.completions.create(messages="hi", model="llama-3.3-70b")
    assert LimitedProvider.calls == 1


def test_cooldown_expires() -> None:
    cooldown("X", 0)
    assert not is_cooling_down("X")


def test_unknown_model_is_model_not_found() -> None:
    with pytest.raises(ModelNotFoundError):
        Client().chat.completions.create(messages="hi", model="no-such-model")


def test_unlisted_hf_id_goes_to_providers_that_accept_any_model() -> None:
    completion = Client().chat.completions.create(
        messages="hi", model="someorg/new-model:fastest", api_key="hf_key_abcdefgh"
    )
    assert completion.choices[0].message.content == "keyed:someorg/new-model:fastest"


def test_models_list_in_openai_shape() -> None:
    page = Client().models.list()
    ids = [m.id for m in page.data]
    assert "llama-3.3-70b" in ids and "keyed-alias" in ids
    entry = next(m for m in page.data if m.id == "llama-3.3-70b")
    assert entry.object == "model" and set(entry.providers) == {"KeyedProvider", "FreeProvider"}
    assert "llama-3.3-70b" in Client().models.get_all()


def test_discovered_models_refresh_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    class Discovering(FreeProvider):
        @classmethod
        async def fetch_models(cls, **kwargs: Any) -> list[str]:
            return ["org/discovered"]

    monkeypatch.setattr(any_provider, "_providers", lambda: [Discovering])
    assert "org/discovered" not in get_model_map()
    asyncio.run(Discovering.refresh_models())
    assert "org/discovered" in get_model_map()


class CookieProvider(KeyedProvider):
    url = "https://cookies.example"

    @classmethod
    def has_credentials(cls, api_key: Any = None, **kwargs: Any) -> bool:
        return bool(kwargs.get("cookies"))


def test_providers_without_their_credentials_go_last(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        any_provider, "_providers", lambda: [CookieProvider, KeyedProvider, FreeProvider]
    )
    reset_state()
    with_key = [
        p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b", api_key="hf_key_abcdefgh")
    ]
    assert with_key == ["KeyedProvider", "FreeProvider", "CookieProvider"]
    no_key = [p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b")]
    assert no_key == ["FreeProvider", "CookieProvider", "KeyedProvider"]
    cookies = [
        p.__name__ for p, _ in AnyProvider.get_providers("llama-3.3-70b", cookies={"a": "b"})
    ]
    assert cookies == ["FreeProvider", "CookieProvider", "KeyedProvider"]


class PrefixProvider(FreeProvider):
    url = "https://prefix.example"
    model_prefixes = ("space:",)


def test_model_prefixes_route_to_their_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(any_provider, "_providers", lambda: [KeyedProvider, PrefixProvider])
    reset_state()
    pairs = AnyProvider.get_providers("space:owner/app")
    assert [(p.__name__, m) for p, m in pairs] == [("PrefixProvider", "space:owner/app")]
