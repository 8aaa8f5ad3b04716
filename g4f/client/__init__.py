"""OpenAI-shaped clients: ``Client`` (sync) and ``AsyncClient``.

``client.chat.completions.create(...)``, ``client.images.generate(...)`` (and
``client.media``), ``client.models.list()``. The sync client drives the async core
on a background loop thread, so it also works inside a running event loop.

Each client owns a connection pool (:class:`g4f.requests.ConnectionPool`): its chat
calls reuse keep-alive connections until ``close()`` (``await client.close()`` for
``AsyncClient``, or use either as a context manager). A client dropped without
closing has its connections closed when it is garbage collected or its event loop
shuts down.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from .._loop import iter_sync, run_sync
from .images import AsyncImages
from .service import model_name, normalize_messages, resolve_provider
from .stubs import ChatCompletion, ChatCompletionChunk, ClientModel, ImagesResponse, ModelsPage
from .tasks import AsyncAudio, AsyncEmbeddings, Audio, Embeddings

__all__ = ["Client", "AsyncClient", "ChatCompletion", "ChatCompletionChunk", "ImagesResponse"]


class _BaseClient:
    def __init__(
        self,
        api_key: Any = None,
        proxies: dict[str, str] | str | None = None,
        provider: Any = None,
        media_provider: Any = None,
        image_provider: Any = None,
        base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        from .._secrets import add_secret

        if isinstance(api_key, str):
            add_secret(api_key)
        self.api_key = api_key
        self.proxies = proxies
        self.provider = provider
        self.media_provider = media_provider or image_provider
        self.base_url = base_url
        self.default_kwargs = kwargs
        self._pool: Any = None

    def _connection_pool(self) -> Any:
        """The client's own pool, or None when the caller put one in force.

        A pool in force (``async with connection_pool():``, the API server's) wins, so
        its owner decides when the connections close; the client's own pool is made on
        first use (nothing is imported before a call).
        """
        from ..requests.pool import ConnectionPool, pool_in_force

        if pool_in_force() is not None:
            return None
        if self._pool is None:
            self._pool = ConnectionPool()
        return self._pool

    async def _close_pool(self) -> None:
        pool = self._pool
        if pool is not None:
            await pool.close()

    def get_proxy(self) -> str | None:
        if isinstance(self.proxies, str):
            return self.proxies
        if isinstance(self.proxies, dict):
            return self.proxies.get("all") or self.proxies.get("https")
        import os

        return os.environ.get("G4F_PROXY")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={getattr(self.provider, '__name__', self.provider)!r}>"


def _request_kwargs(client: _BaseClient, **kwargs: Any) -> dict[str, Any]:
    merged = {**client.default_kwargs, **{k: v for k, v in kwargs.items() if v is not None}}
    merged.setdefault("api_key", client.api_key)
    merged.setdefault("proxy", client.get_proxy())
    if client.base_url and "base_url" not in merged:
        merged["base_url"] = client.base_url
    return {k: v for k, v in merged.items() if v is not None}


class AsyncCompletions:
    """``client.chat.completions`` of :class:`AsyncClient`."""

    def __init__(self, client: _BaseClient) -> None:
        self._client = client

    def create(
        self,
        messages: Any,
        model: Any = "",
        provider: Any = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        """A coroutine of :class:`ChatCompletion`, or (``stream=True``) an async iterator of chunks."""
        from ._chat import collect_completion, stream_chunks

        messages = normalize_messages(messages)
        chosen = resolve_provider(provider, self._client.provider)
        params = _request_kwargs(self._client, **kwargs)
        name = model_name(model)
        from ..requests.pool import iter_in_pool, run_in_pool

        pool = self._client._connection_pool()
        if stream:
            chunks = stream_chunks(chosen, name, messages, stream=True, **params)
            return chunks if pool is None else iter_in_pool(pool, chunks)
        completion = collect_completion(chosen, name, messages, stream=False, **params)
        return completion if pool is None else run_in_pool(pool, completion)


class AsyncChat:
    def __init__(self, client: _BaseClient) -> None:
        self.completions = AsyncCompletions(client)


class AsyncModels:
    """``client.models``."""

    def __init__(self, client: _BaseClient) -> None:
        self._client = client

    def get_all(self) -> list[str]:
        """Every model name the client's provider (default: AnyProvider) knows."""
        provider = resolve_provider(None, self._client.provider)
        if hasattr(provider, "get_models"):
            return list(provider.get_models())
        return []

    def list(self) -> ModelsPage:  # noqa: A003 - OpenAI name
        """Models in the OpenAI list shape (with the providers serving each)."""
        provider = resolve_provider(None, self._client.provider)
        from ..providers.any_provider import AnyProvider, get_model_map

        if provider is AnyProvider:
            served_by = get_model_map()
        else:
            served_by = {name: {provider.__name__: name} for name in self.get_all()}
        return ModelsPage([_client_model(name, served) for name, served in served_by.items()])


def _client_model(name: str, served: dict[str, str]) -> ClientModel:
    """One ``/v1/models`` entry; its type comes from the tables, else from the providers'
    declared image/video lists."""
    from ..model_tables import is_vision, model_type
    from ..Provider import get_provider

    kind = model_type(name)
    for provider_name, model_id in served.items() if kind == "chat" else ():
        try:
            cls = get_provider(provider_name)
        except Exception:  # noqa: BLE001 - a provider that cannot load declares nothing
            continue
        if model_id in getattr(cls, "video_models", ()):
            kind = "video"
        elif model_id in getattr(cls, "image_models", ()):
            kind = "image"
    return ClientModel(
        id=name,
        owned_by=_owner(name),
        providers=list(served),
        type=kind,
        vision=is_vision(name),
    )


def _owner(name: str) -> str:
    return name.split("/")[0] if "/" in name else "huggingface"


class AsyncClient(_BaseClient):
    """The async client: ``await client.chat.completions.create(...)``.

    ``async with AsyncClient() as client:`` closes its connections at the end of the
    block; so does ``await client.close()``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chat = AsyncChat(self)
        self.images = AsyncImages(self)
        self.media = self.images
        self.models = AsyncModels(self)
        self.embeddings = AsyncEmbeddings(self)
        self.audio = AsyncAudio(self)

    async def close(self) -> None:
        """Close the client's pooled connections (a later call opens new ones)."""
        await self._close_pool()

    async def aclose(self) -> None:
        """Same as :meth:`close`."""
        await self._close_pool()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._close_pool()


class Completions:
    """``client.chat.completions`` of :class:`Client`."""

    def __init__(self, client: Client) -> None:
        self._async = AsyncCompletions(client)

    def create(
        self,
        messages: Any,
        model: Any = "",
        provider: Any = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        """A :class:`ChatCompletion`, or (``stream=True``) an iterator of chunks."""
        result = self._async.create(messages, model, provider, stream, **kwargs)
        if stream:
            return _sync_stream(result)
        return run_sync(result)


def _sync_stream(stream: AsyncIterator[ChatCompletionChunk]) -> Iterator[ChatCompletionChunk]:
    return iter_sync(stream)


class Chat:
    def __init__(self, client: Client) -> None:
        self.completions = Completions(client)


class Images:
    """``client.images`` / ``client.media`` of :class:`Client`."""

    def __init__(self, client: Client) -> None:
        self._async = AsyncImages(client)

    def generate(
        self, prompt: str, model: Any = None, provider: Any = None, **kwargs: Any
    ) -> ImagesResponse:
        return run_sync(self._async.generate(prompt, model, provider, **kwargs))

    async def async_generate(
        self, prompt: str, model: Any = None, provider: Any = None, **kwargs: Any
    ) -> ImagesResponse:
        return await self._async.generate(prompt, model, provider, **kwargs)


class Client(_BaseClient):
    """The sync client: ``client.chat.completions.create(...)``.

    ``with Client() as client:`` closes its connections at the end of the block; so
    does ``client.close()``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chat = Chat(self)
        self.images = Images(self)
        self.media = self.images
        self.models = AsyncModels(self)
        self.embeddings = Embeddings(self)
        self.audio = Audio(self)

    def close(self) -> None:
        """Close the client's pooled connections (a later call opens new ones)."""
        if self._pool is not None and self._pool.is_open:
            run_sync(self._close_pool())

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
