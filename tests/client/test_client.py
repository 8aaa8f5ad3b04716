"""Every client path with mock providers: sync/async, stream/non-stream, failover."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from typing import Any

import pytest

import g4f
from g4f.client import AsyncClient, ChatCompletion, ChatCompletionChunk, Client
from g4f.errors import (
    InvalidRequestError,
    MissingAuthError,
    RateLimitError,
    RetryProviderError,
    StreamInterruptedError,
)
from g4f.providers.retry_provider import (
    IterListProvider,
    RetryProvider,
    RotatedProvider,
    clear_cooldowns,
)
from tests import mocks


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    mocks.reset_all()
    clear_cooldowns()
    yield
    clear_cooldowns()


TEXT_PROVIDERS = [
    (mocks.SyncGenProvider, "Hello world"),
    (mocks.AsyncProviderMock, "Hello world"),
    (mocks.AsyncGenProvider, "Hello world"),
    (mocks.YieldsNoneProvider, "ok"),
]


def _stream_text(chunks: list[ChatCompletionChunk]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks)


@pytest.mark.parametrize(
    "provider,expected", TEXT_PROVIDERS, ids=[p[0].__name__ for p in TEXT_PROVIDERS]
)
def test_sync_client_non_stream_and_stream(provider: type, expected: str) -> None:
    client = Client()
    completion = client.chat.completions.create(messages="hi", provider=provider)
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == expected
    assert completion.choices[0].finish_reason == "stop"
    assert completion.provider == provider.__name__
    chunks = list(
        client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], provider=provider, stream=True
        )
    )
    assert all(isinstance(c, ChatCompletionChunk) for c in chunks)
    assert _stream_text(chunks) == expected
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"


@pytest.mark.parametrize(
    "provider,expected", TEXT_PROVIDERS, ids=[p[0].__name__ for p in TEXT_PROVIDERS]
)
async def test_async_client_non_stream_and_stream(provider: type, expected: str) -> None:
    client = AsyncClient()
    completion = await client.chat.completions.create(messages="hi", provider=provider)
    assert completion.choices[0].message.content == expected
    chunks = [
        c
        async for c in client.chat.completions.create(messages="hi", provider=provider, stream=True)
    ]
    assert _stream_text(chunks) == expected


async def test_sync_client_inside_running_loop() -> None:
    # As in a Jupyter cell: an event loop is running in this thread.
    asyncio.get_running_loop()
    completion = Client().chat.completions.create(messages="hi", provider=mocks.AsyncGenProvider)
    assert completion.choices[0].message.content == "Hello world"
    chunks = list(
        Client().chat.completions.create(
            messages="hi", provider=mocks.AsyncGenProvider, stream=True
        )
    )
    assert _stream_text(chunks) == "Hello world"


def test_usage_and_model_in_completion() -> None:
    completion = Client().chat.completions.create(
        messages="hi", model="mock-model", provider=mocks.AsyncGenProvider
    )
    assert completion.usage.model_dump() == {
        "prompt_tokens": 3,
        "completion_tokens": 2,
        "total_tokens": 5,
    }
    assert completion.model == "mock-model"
    assert completion.model_dump()["choices"][0]["message"]["role"] == "assistant"


def test_stream_and_non_stream_same_content_and_usage() -> None:
    client = Client()
    whole = client.chat.completions.create(messages="hi", provider=mocks.ToolProvider)
    chunks = list(
        client.chat.completions.create(messages="hi", provider=mocks.ToolProvider, stream=True)
    )
    assert whole.choices[0].message.reasoning == "".join(
        c.choices[0].delta.reasoning or "" for c in chunks
    )
    streamed_calls = [t for c in chunks for t in (c.choices[0].delta.tool_calls or [])]
    assert [t.model_dump() for t in streamed_calls] == [
        t.model_dump() for t in whole.choices[0].message.tool_calls
    ]
    assert whole.choices[0].finish_reason == chunks[-1].choices[0].finish_reason == "tool_calls"
    call = whole.choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather" and call.function.arguments == '{"city": "Paris"}'


def test_kwargs_reach_the_provider_and_none_is_dropped() -> None:
    Client(api_key="k-123456").chat.completions.create(
        messages="hi",
        provider=mocks.AsyncGenProvider,
        temperature=0.2,
        top_p=None,
        tools=[{"type": "function"}],
    )
    sent = mocks.AsyncGenProvider.last_kwargs
    assert sent["temperature"] == 0.2 and "top_p" not in sent
    assert sent["api_key"] == "k-123456" and sent["tools"] == [{"type": "function"}]


@pytest.mark.parametrize("stream", [False, True])
def test_stop_sequence_is_honoured_across_chunks(stream: bool) -> None:
    client = Client()
    result = client.chat.completions.create(
        messages="hi", provider=mocks.AsyncGenProvider, stop=["o w"], stream=stream
    )
    text = _stream_text(list(result)) if stream else result.choices[0].message.content
    assert text == "Hell"
    assert mocks.AsyncGenProvider.last_kwargs["stop"] == ["o w"]
    assert mocks.AsyncGenProvider.closed


def test_think_tags_split_into_reasoning_across_chunks() -> None:
    class Thinker(mocks.AsyncGenProvider):
        @classmethod
        async def create_async_generator(cls, model: str, messages: Any, **kwargs: Any):  # type: ignore[override]
            for piece in ["<th", "ink>plan", " it</th", "ink>Answer", "."]:
                yield piece

    completion = Client().chat.completions.create(messages="hi", provider=Thinker)
    assert completion.choices[0].message.content == "Answer."
    assert completion.choices[0].message.reasoning == "plan it"


def test_abandoned_sync_stream_closes_the_provider() -> None:
    stream = Client().chat.completions.create(
        messages="hi", provider=mocks.AsyncGenProvider, stream=True
    )
    first = next(stream)
    assert first.choices[0].delta.content == "Hello"
    assert not mocks.AsyncGenProvider.closed
    del stream
    gc.collect()
    assert mocks.AsyncGenProvider.closed


async def test_abandoned_async_stream_closes_the_provider() -> None:
    stream = AsyncClient().chat.completions.create(
        messages="hi", provider=mocks.AsyncGenProvider, stream=True
    )
    async for _ in stream:
        break
    await stream.aclose()
    assert mocks.AsyncGenProvider.closed


def test_invalid_messages_are_typed_errors() -> None:
    client = Client()
    for bad in ([], "", [{"role": "wizard", "content": "x"}], [{"role": "user"}], [1], None):
        with pytest.raises(InvalidRequestError):
            client.chat.completions.create(messages=bad, provider=mocks.AsyncGenProvider)


def test_provider_by_name_unknown_is_typed() -> None:
    from g4f.errors import ProviderNotFoundError

    with pytest.raises(ProviderNotFoundError):
        Client().chat.completions.create(messages="hi", provider="NoSuchProvider")


# --- failover (IterListProvider) -------------------------------------------------------


def test_iterlist_skips_failing_provider() -> None:
    provider = IterListProvider([mocks.RaisingProvider, mocks.AsyncGenProvider], shuffle=False)
    completion = Client().chat.completions.create(messages="hi", provider=provider)
    assert completion.choices[0].message.content == "Hello world"
    assert completion.provider == "AsyncGenProvider"
    assert mocks.RaisingProvider.calls == 1


def test_iterlist_never_mixes_output_after_a_started_provider_fails() -> None:
    provider = IterListProvider([mocks.RaisesAfterTwoChunks, mocks.AsyncGenProvider], shuffle=False)
    with pytest.raises(StreamInterruptedError) as info:
        Client().chat.completions.create(messages="hi", provider=provider)
    assert info.value.partial == "ab"
    assert info.value.provider == "RaisesAfterTwoChunks"
    assert mocks.AsyncGenProvider.calls == 0


def test_iterlist_stream_interrupted_keeps_partial_for_stream_consumer() -> None:
    provider = IterListProvider([mocks.RaisesAfterTwoChunks, mocks.AsyncGenProvider], shuffle=False)
    received = []
    with pytest.raises(StreamInterruptedError) as info:
        for chunk in Client().chat.completions.create(
            messages="hi", provider=provider, stream=True
        ):
            received.append(chunk.choices[0].delta.content or "")
    assert "".join(received) == info.value.partial == "ab"


def test_iterlist_aggregates_errors_keyed_by_provider() -> None:
    provider = IterListProvider([mocks.RaisingProvider, mocks.NeedsAuthProvider], shuffle=False)
    with pytest.raises(RetryProviderError) as info:
        Client().chat.completions.create(messages="hi", provider=provider)
    errors = info.value.exceptions
    assert set(errors) == {"RaisingProvider", "NeedsAuthProvider"}
    assert isinstance(errors["RaisingProvider"], RateLimitError)
    assert isinstance(errors["NeedsAuthProvider"], MissingAuthError)


def test_single_failure_is_raised_as_itself() -> None:
    with pytest.raises(MissingAuthError):
        Client().chat.completions.create(
            messages="hi", provider=IterListProvider([mocks.NeedsAuthProvider])
        )


def test_api_key_dict_is_looked_up_per_provider() -> None:
    provider = IterListProvider([mocks.NeedsAuthProvider], shuffle=False)
    completion = Client().chat.completions.create(
        messages="hi", provider=provider, api_key={"NeedsAuthProvider": "secret-key-1"}
    )
    assert completion.choices[0].message.content == "authed"
    assert mocks.NeedsAuthProvider.last_kwargs["api_key"] == "secret-key-1"


def test_rotated_provider_starts_with_the_next_one() -> None:
    rotated = RotatedProvider([mocks.AsyncGenProvider, mocks.SecondProvider])
    first = Client().chat.completions.create(messages="hi", provider=rotated)
    second = Client().chat.completions.create(messages="hi", provider=rotated)
    assert (first.provider, second.provider) == ("AsyncGenProvider", "SecondProvider")


# --- in-provider retries ----------------------------------------------------------------


def test_transient_error_is_retried_before_first_chunk() -> None:
    mocks.FlakyProvider.failures = 1
    mocks.FlakyProvider.error = RateLimitError
    completion = Client().chat.completions.create(messages="hi", provider=mocks.FlakyProvider)
    assert completion.choices[0].message.content == "recovered"
    assert mocks.FlakyProvider.calls == 2


def test_auth_error_is_never_retried() -> None:
    mocks.FlakyProvider.failures = 1
    mocks.FlakyProvider.error = MissingAuthError
    with pytest.raises(MissingAuthError):
        Client().chat.completions.create(messages="hi", provider=mocks.FlakyProvider)
    assert mocks.FlakyProvider.calls == 1


def test_retries_are_capped() -> None:
    mocks.FlakyProvider.failures = 10
    mocks.FlakyProvider.error = RateLimitError
    with pytest.raises(RateLimitError):
        Client().chat.completions.create(
            messages="hi",
            provider=RetryProvider(
                [mocks.FlakyProvider], single_provider_retry=True, max_retries=3
            ),
        )
    assert mocks.FlakyProvider.calls == 4


def test_retry_after_beyond_the_deadline_is_not_waited_for() -> None:
    # RaisingProvider asks for 60 s, more than the 5 s the call has: the engine gives up at
    # once with the provider's error instead of sleeping into the deadline.
    began = time.monotonic()
    with pytest.raises(RateLimitError):
        Client().chat.completions.create(messages="hi", provider=mocks.RaisingProvider, timeout=5)
    assert mocks.RaisingProvider.calls == 1
    assert time.monotonic() - began < 1.0


# --- legacy interface --------------------------------------------------------------------


def test_legacy_chat_completion_create() -> None:
    assert (
        g4f.ChatCompletion.create(
            "", [{"role": "user", "content": "hi"}], provider=mocks.SyncGenProvider
        )
        == "Hello world"
    )
    pieces = list(g4f.ChatCompletion.create("", "hi", provider=mocks.AsyncGenProvider, stream=True))
    assert "".join(pieces) == "Hello world" and len(pieces) == 3


async def test_legacy_chat_completion_create_async() -> None:
    assert (
        await g4f.ChatCompletion.create_async("", "hi", provider=mocks.AsyncProviderMock)
        == "Hello world"
    )
