"""Message formatting helpers and the <think> splitter."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from g4f.errors import BadRequestError, MissingAuthError, NetworkError, RateLimitError
from g4f.providers.helper import (
    ThinkSplitter,
    backoff_delay,
    format_media_prompt,
    format_prompt,
    format_prompt_max_length,
    get_last_user_message,
    get_system_prompt,
    iter_with_retries,
    to_string,
)
from g4f.providers.response import Reasoning

MESSAGES = [
    {"role": "system", "content": "Be brief"},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello"},
    {"role": "user", "content": "Bye"},
]


def test_format_prompt() -> None:
    assert (
        format_prompt(MESSAGES)
        == "System: Be brief\nUser: Hi\nAssistant: Hello\nUser: Bye\nAssistant:"
    )
    assert format_prompt(MESSAGES, do_continue=True).endswith("User: Bye")
    assert format_prompt(MESSAGES, include_system=False).startswith("User: Hi")
    assert format_prompt([{"role": "user", "content": "only"}]) == "only"
    assert format_prompt([]) == ""


def test_to_string_and_parts() -> None:
    parts = [
        {"type": "text", "text": "a"},
        {"type": "image_url", "image_url": {"url": "x"}},
        {"text": "b"},
    ]
    assert to_string(parts) == "ab"
    assert to_string(None) == ""


def test_last_user_message_and_system_prompt() -> None:
    messages = MESSAGES + [
        {"role": "user", "content": "again"},
        {"role": "assistant", "content": "..."},
    ]
    assert get_last_user_message(messages) == "Bye\nagain"
    assert get_system_prompt(MESSAGES) == "Be brief"
    assert format_media_prompt(MESSAGES) == "Bye"
    assert format_media_prompt(MESSAGES, "explicit") == "explicit"


def test_truncation_steps() -> None:
    long = [{"role": "system", "content": "S"}] + [
        {"role": "user", "content": f"m{i} " + "x" * 50} for i in range(10)
    ]
    first3_last3 = format_prompt(long[:3] + long[-3:])
    assert format_prompt_max_length(long, len(first3_last3)) == first3_last3
    system_last = format_prompt([long[0], long[-1]])
    assert format_prompt_max_length(long, len(system_last)) == system_last
    assert format_prompt_max_length(long, 10) == long[-1]["content"]


def _split_think(pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    out = []
    for piece in pieces:
        out += splitter.feed(piece)
    out += splitter.flush()
    text = "".join(p for p in out if isinstance(p, str))
    thought = "".join(p.token or "" for p in out if isinstance(p, Reasoning))
    return text, thought


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(alphabet="ab <>/", max_size=10),
    thought=st.text(alphabet="xy <", max_size=10),
    after=st.text(alphabet="cd <>", max_size=10),
    cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=8),
)
def test_think_split_is_independent_of_chunking(
    before: str, thought: str, after: str, cuts: list[int]
) -> None:
    stream = f"{before}<think>{thought}</think>{after}"
    points = sorted({c % (len(stream) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(stream[last:p])
        last = p
    pieces.append(stream[last:])
    whole = _split_think([stream])
    assert _split_think(pieces) == whole
    if "<think>" not in before:
        assert whole == (before + after, thought) or "</think>" in thought


def test_backoff_honours_retry_after_and_is_capped() -> None:
    assert backoff_delay(0, 2.5) == 2.5
    assert all(0 <= backoff_delay(a, None, base=0.5, cap=1.0) <= 1.0 for a in range(10))


def _flaky(errors: list[Exception], calls: list[int]):
    def factory():
        async def gen():
            calls.append(1)
            if errors:
                raise errors.pop(0)
            yield "ok"

        return gen()

    return factory


async def _run(factory, **kw) -> list[object]:
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    out = [c async for c in iter_with_retries(factory, sleep=fake_sleep, **kw)]
    return out + [("sleeps", sleeps)]


def test_retries_transient_errors_with_retry_after() -> None:
    calls: list[int] = []
    errors = [RateLimitError("x", status_code=429, retry_after=1.5), NetworkError("cut")]
    out = asyncio.run(_run(_flaky(errors, calls)))
    assert out[0] == "ok" and len(calls) == 3
    assert out[-1][1][0] == 1.5


def test_no_retry_for_auth_bad_request_or_long_waits() -> None:
    import pytest

    for error in (
        MissingAuthError("x", status_code=401),
        BadRequestError("x", status_code=400),
        RateLimitError("x", status_code=429, retry_after=300),
    ):
        calls: list[int] = []
        with pytest.raises(type(error)):
            asyncio.run(_run(_flaky([error], calls)))
        assert len(calls) == 1
