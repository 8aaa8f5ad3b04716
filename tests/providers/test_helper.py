"""Message formatting helpers and the <think> splitter."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from g4f.providers.helper import (
    ThinkSplitter,
    format_media_prompt,
    format_prompt,
    format_prompt_max_length,
    get_last_user_message,
    get_system_prompt,
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
