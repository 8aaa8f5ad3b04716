"""A pydantic-ai ``Model`` backed by g4f: ``Agent(G4FModel("llama-3.3-70b"))``.

Requests run through g4f's :class:`~g4f.client.AsyncClient`, so any g4f model alias
and provider (or AnyProvider's failover) serves a pydantic-ai agent, with tools,
structured output, thinking, usage and typed errors mapped both ways. Needs the
``pydantic-ai`` extra: ``pip install 'g4f[pydantic-ai]'``.

``"g4f:<model>"`` strings work where pydantic-ai resolves model names through a
capability: ``Agent("g4f:llama-3.3-70b", capabilities=[g4f_models()])``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from ..errors import MissingRequirementsError

try:
    from pydantic_ai.capabilities import ResolveModelId
    from pydantic_ai.messages import ModelMessage, ModelResponse
    from pydantic_ai.models import (
        Model,
        ModelRequestParameters,
        StreamedResponse,
        check_allow_model_requests,
    )
    from pydantic_ai.profiles import ModelProfile, ModelProfileSpec
    from pydantic_ai.settings import ModelSettings
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise MissingRequirementsError(
        "g4f.integration.pydantic_ai needs pydantic-ai: pip install 'g4f[pydantic-ai]'"
    ) from exc

from .._secrets import add_secret
from ..client import AsyncClient
from ..client.stubs import ChatCompletionChunk
from ._pydantic_ai_messages import map_messages, request_kwargs
from ._pydantic_ai_response import G4FStreamedResponse, completion_as_chunks, mapped_errors

__all__ = ["G4FModel", "G4FStreamedResponse", "g4f_models", "resolve_g4f_model", "PREFIX"]

#: The prefix of model ids this integration resolves: ``"g4f:llama-3.3-70b"``.
PREFIX = "g4f:"

#: What every g4f model can do through the client; a ``profile=`` argument narrows it.
G4F_PROFILE = ModelProfile(
    supports_tools=True,
    supports_json_schema_output=True,
    supports_json_object_output=True,
    supports_thinking=True,
    supports_image_input=True,
    default_structured_output_mode="tool",
)


async def _prepend(
    first: ChatCompletionChunk, rest: AsyncIterator[ChatCompletionChunk]
) -> AsyncIterator[ChatCompletionChunk]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    finally:
        aclose = getattr(rest, "aclose", None)
        if aclose is not None:
            await aclose()


async def _empty() -> AsyncIterator[ChatCompletionChunk]:
    return
    yield  # an async generator with nothing to yield


class G4FModel(Model):
    """A pydantic-ai model whose requests run through g4f's ``AsyncClient``.

    ``model_name`` is any g4f model name or alias (``"llama-3.3-70b"``,
    ``"openai/gpt-oss-120b:groq"``); ``provider`` a g4f provider class, instance or
    name (default: the client's provider, else AnyProvider); ``client`` an existing
    :class:`~g4f.client.AsyncClient` (default: a new one); ``api_key`` is sent with
    every request (default: the client's, else the provider's usual token sources).
    Supported settings: ``temperature``, ``max_tokens``, ``top_p``, ``seed``,
    ``stop_sequences``, ``presence_penalty``, ``frequency_penalty``, ``logit_bias``,
    ``parallel_tool_calls``, ``timeout`` (seconds), ``extra_body`` and ``thinking``
    (an effort level becomes ``reasoning_effort``). g4f retries inside each provider
    itself, so ``max_retries`` is not used; ``extra_headers``, ``top_k`` and
    ``service_tier`` are not sent.
    """

    unsupported_settings = frozenset({"extra_headers", "max_retries", "service_tier", "top_k"})
    _unsupported_file_inputs = frozenset({"document", "audio", "video"})
    # Tool results are text: a tool's images follow in a user message.
    _relocates_tool_files = True

    def __init__(
        self,
        model_name: str = "",
        provider: Any = None,
        client: AsyncClient | None = None,
        *,
        api_key: str | None = None,
        settings: ModelSettings | None = None,
        profile: ModelProfileSpec | None = None,
    ) -> None:
        if api_key:
            add_secret(api_key)
        self._model_name = model_name
        self._g4f_provider = provider
        self._api_key = api_key
        self._given_client = client
        self.client = client if client is not None else AsyncClient()
        super().__init__(settings=settings, profile=profile)

    @property
    def model_name(self) -> str:
        """The g4f model name this model asks for."""
        return self._model_name

    @property
    def system(self) -> str:
        """``"g4f"``: the provider family reported to pydantic-ai (and OpenTelemetry)."""
        return "g4f"

    def _provider_model_profile(self) -> ModelProfile:
        return G4F_PROFILE

    def __repr__(self) -> str:
        provider = getattr(self._g4f_provider, "__name__", self._g4f_provider)
        return f"G4FModel({self._model_name!r}, provider={provider!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, G4FModel) or type(other) is not type(self):
            return NotImplemented
        return self._identity() == other._identity()

    def _identity(self) -> tuple[Any, ...]:
        return (
            self._model_name,
            self._g4f_provider,
            self._given_client,
            self._api_key,
            self._settings,
            self._profile,
        )

    __hash__ = Model.__hash__

    def _create(
        self,
        messages: list[ModelMessage],
        settings: ModelSettings | None,
        params: ModelRequestParameters,
        *,
        stream: bool,
    ) -> Any:
        """The client call shared by both request kinds (a coroutine, or a chunk stream)."""
        settings = settings or ModelSettings()
        g4f_messages = map_messages(messages, self._get_instruction_parts(messages, params))
        with mapped_errors(self._model_name):
            return self.client.chat.completions.create(
                g4f_messages,
                model=self._model_name,
                provider=self._g4f_provider,
                stream=stream,
                api_key=self._api_key,
                **request_kwargs(settings, params),
            )

    def _response(
        self, chunks: AsyncIterator[ChatCompletionChunk], params: ModelRequestParameters
    ) -> G4FStreamedResponse:
        return G4FStreamedResponse(
            model_request_parameters=params, _chunks=chunks, _model_name=self._model_name
        )

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        """One whole answer, mapped by the same code that maps a stream."""
        check_allow_model_requests()
        settings, params = self.prepare_request(model_settings, model_request_parameters)
        pending = self._create(messages, settings, params, stream=False)
        with mapped_errors(self._model_name):
            completion = await pending
        response = self._response(completion_as_chunks(completion), params)
        async for _ in response:
            pass
        return response.get()

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: Any = None,
    ) -> AsyncGenerator[StreamedResponse]:
        """A streamed answer; errors before the first chunk are raised here, not mid-stream."""
        check_allow_model_requests()
        settings, params = self.prepare_request(model_settings, model_request_parameters)
        chunks = self._create(messages, settings, params, stream=True)
        try:
            with mapped_errors(self._model_name):
                first = await anext(chunks, None)
            source = _prepend(first, chunks) if first is not None else _empty()
            yield self._response(source, params)
        finally:
            await chunks.aclose()


def resolve_g4f_model(ctx: Any, model_id: str, **model_kwargs: Any) -> G4FModel | None:
    """A :class:`G4FModel` for a ``"g4f:<model>"`` id, ``None`` for any other id."""
    if not model_id.startswith(PREFIX):
        return None
    return G4FModel(model_id[len(PREFIX) :], **model_kwargs)


def g4f_models(**model_kwargs: Any) -> ResolveModelId:
    """A capability that lets an agent take ``"g4f:<model>"`` strings.

    ``model_kwargs`` (``provider=``, ``client=``, ``api_key=``, ``settings=``) go to
    every :class:`G4FModel` it builds.
    """
    return ResolveModelId(lambda ctx, model_id: resolve_g4f_model(ctx, model_id, **model_kwargs))
