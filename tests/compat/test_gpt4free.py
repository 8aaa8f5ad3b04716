"""gpt4free code runs unchanged: every listed name imports, and the listed behaviours hold."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest

from tests.compat.names import DOC, NAMES, render


def _resolve(dotted: str) -> Any:
    """Import the longest module prefix of ``dotted``, then walk attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            value = getattr(value, attr)
        return value
    raise ImportError(dotted)


@pytest.mark.parametrize("name", [n for n, _, _ in NAMES])
def test_every_name_imports(name: str) -> None:
    assert _resolve(name) is not None


def test_compat_doc_is_generated_from_the_table() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/compat.md is stale: run `python -m tests.compat.names`"
    )


def test_every_row_names_a_test_that_exists() -> None:
    tests = {name for name in globals() if name.startswith("test_")}
    missing = sorted({test for _, _, test in NAMES} - tests)
    assert not missing


# A provider written the gpt4free way: ``stream`` is a required parameter, ``proxy`` a
# keyword, the result an async generator of str and gpt4free response objects.
from g4f.providers.base_provider import AsyncGeneratorProvider, ProviderModelMixin  # noqa: E402
from g4f.providers.response import ImageResponse  # noqa: E402
from g4f.typing import AsyncResult, Messages  # noqa: E402


class OldStyleChat(AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://old-style.invalid"
    working = True
    supports_stream = True
    default_model = "old-1"
    models: ClassVar[list[str]] = ["old-1"]
    seen: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, stream: bool, proxy: str | None = None, **kwargs: Any
    ) -> AsyncResult:
        cls.seen.append({"model": model, "stream": stream, "proxy": proxy})
        for word in f"old style says {messages[-1]['content']}".split(" "):
            yield word + " "


class OldStyleImage(AsyncGeneratorProvider, ProviderModelMixin):
    url = "https://old-style-image.invalid"
    working = True
    default_model = "old-image"
    image_models: ClassVar[list[str]] = ["old-image"]
    models: ClassVar[list[str]] = ["old-image"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> AsyncResult:
        yield ImageResponse(
            [f"https://images.invalid/{kwargs.get('prompt', 'x').replace(' ', '-')}.png"],
            alt=kwargs.get("prompt", ""),
        )


def test_gpt4free_style_provider_in_client() -> None:
    from g4f.client import AsyncClient, Client
    from g4f.Provider import IterListProvider
    from g4f.providers.types import BaseProvider

    assert issubclass(OldStyleChat, BaseProvider)
    OldStyleChat.seen.clear()
    client = Client()
    answer = client.chat.completions.create(
        model="old-1",
        messages=[{"role": "user", "content": "hi"}],
        provider=IterListProvider([OldStyleChat], shuffle=False),
    )
    assert answer.choices[0].message.content == "old style says hi "
    chunks = list(
        client.chat.completions.create(
            model="old-1",
            messages=[{"role": "user", "content": "yo"}],
            provider=OldStyleChat,
            stream=True,
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "old style says yo "
    assert [s["stream"] for s in OldStyleChat.seen] == [False, True]
    images = asyncio.run(
        AsyncClient().images.generate("a red fox", model="old-image", provider=OldStyleImage)
    )
    assert images.data[0].url == "https://images.invalid/a-red-fox.png"


def test_retry_fronts_importable_from_provider() -> None:
    import g4f.Provider as Provider
    from g4f.providers import retry_provider
    from g4f.providers.any_provider import AnyProvider
    from g4f.providers.types import BaseRetryProvider

    assert Provider.IterListProvider is retry_provider.IterListProvider
    assert Provider.RetryProvider is retry_provider.RetryProvider
    assert Provider.RotatedProvider is retry_provider.RotatedProvider
    assert Provider.AnyProvider is AnyProvider
    assert Provider.ProviderUtils.convert["AnyProvider"] is AnyProvider
    from g4f.providers.types import BaseProvider

    assert issubclass(BaseRetryProvider, BaseProvider)


def test_model_objects() -> None:
    import g4f.models as models
    from g4f.providers.any_provider import AnyProvider

    assert models.llama_3_3_70b is models.ModelUtils.convert["llama-3.3-70b"]
    assert models.llama_3_3_70b.name == "llama-3.3-70b"
    assert models.llama_3_3_70b.best_provider is AnyProvider
    assert str(models.deepseek_r1) == "deepseek-r1"
    assert isinstance(models.flux, models.ImageModel)
    assert models.default.hf_id == models.DEFAULT_MODEL


class Echo(AsyncGeneratorProvider, ProviderModelMixin):
    default_model = "echo"
    models: ClassVar[list[str]] = ["echo", "meta-llama/Llama-3.3-70B-Instruct"]

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        yield f"{model}: {messages[-1]['content']}"


def test_legacy_chat_completion_with_model_object() -> None:
    import g4f
    import g4f.models as models

    text = g4f.ChatCompletion.create(
        model=models.llama_3_3_70b, messages=[{"role": "user", "content": "hi"}], provider=Echo
    )
    assert text == "llama-3.3-70b: hi"  # the name, resolved by the provider as it likes
    text = asyncio.run(
        g4f.ChatCompletion.create_async(
            model="echo", messages=[{"role": "user", "content": "yo"}], provider=Echo
        )
    )
    assert text == "echo: yo"


def test_response_objects() -> None:
    from g4f.client.stubs import ChatCompletion, ChatCompletionChoice, ChatCompletionMessage
    from g4f.providers.response import Reasoning

    assert Reasoning(token="think").get_dict() == {"token": "think"}
    assert Reasoning(status="queued", label="job").get_dict() == {
        "status": "queued",
        "label": "job",
    }
    built = ChatCompletion.model_construct(
        model="m",
        choices=[ChatCompletionChoice(message=ChatCompletionMessage(content="hi"))],
    )
    dumped = built.model_dump()
    assert dumped["model"] == "m"
    assert dumped["choices"][0]["message"]["content"] == "hi"
    assert dumped["object"] == "chat.completion"


@pytest.mark.parametrize("response_format", ["url", "original", "local", None])
def test_images_response_format_other_is_url(response_format: str | None) -> None:
    from g4f.client import Client

    images = Client().images.generate(
        "a blue whale", model="old-image", provider=OldStyleImage, response_format=response_format
    )
    assert [image.url for image in images.data] == ["https://images.invalid/a-blue-whale.png"]


def test_error_names() -> None:
    import g4f.errors as errors

    for name, _, _ in NAMES:
        if name.startswith("g4f.errors."):
            cls = getattr(errors, name.rsplit(".", 1)[1])
            assert issubclass(cls, errors.G4FError), name
    assert issubclass(errors.NestAsyncioError, errors.MissingRequirementsError)
    assert issubclass(errors.TimeoutError, TimeoutError)


def test_sync_client_inside_a_running_loop() -> None:
    """Where gpt4free raised NestAsyncioError, the sync API just works."""
    from g4f.client import Client

    async def inside() -> str:
        client = Client()
        answer = client.chat.completions.create(
            model="echo", messages=[{"role": "user", "content": "loop"}], provider=Echo
        )
        return answer.choices[0].message.content

    assert asyncio.run(inside()) == "echo: loop"


class NoneOnly(AsyncGeneratorProvider, ProviderModelMixin):
    """A gpt4free-style provider that answers nothing useful (only None)."""

    default_model = "old-1"
    models: ClassVar[list[str]] = ["old-1"]
    calls: ClassVar[int] = 0

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> AsyncResult:
        cls.calls += 1
        yield None


class Nothing(NoneOnly):
    """Yields nothing at all."""

    @classmethod
    async def create_async_generator(
        cls, model: str, messages: Messages, stream: bool = False, **kwargs: Any
    ) -> AsyncResult:
        cls.calls += 1
        return
        yield  # pragma: no cover


def test_providers_answering_nothing_are_skipped() -> None:
    """As gpt4free: a provider that yields only None (or nothing) is not an answer."""
    from g4f.client import Client
    from g4f.Provider import IterListProvider

    NoneOnly.calls = Nothing.calls = 0
    OldStyleChat.seen.clear()
    answer = Client().chat.completions.create(
        model="old-1",
        messages=[{"role": "user", "content": "hi"}],
        provider=IterListProvider([NoneOnly, Nothing, OldStyleChat], shuffle=False),
    )
    assert answer.choices[0].message.content == "old style says hi "
    assert answer.provider == "OldStyleChat"
    assert (NoneOnly.calls, Nothing.calls, len(OldStyleChat.seen)) == (1, 1, 1)
