"""The response store and the token estimate, without a server (plus the store as a seam)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from g4f.api._response_store import MemoryResponseStore, ResponseStore
from g4f.protocols.tokens import estimate_messages, estimate_text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_store_expires_after_its_ttl() -> None:
    clock = Clock()
    store = MemoryResponseStore(ttl=60, clock=clock)
    await store.put("a", {"n": 1})
    await store.put("b", {"n": 2}, ttl=5)
    clock.now += 4.9
    assert await store.get("b") == {"n": 2}
    clock.now += 0.2
    assert await store.get("b") is None
    assert await store.get("a") == {"n": 1}
    clock.now += 60
    assert await store.get("a") is None and len(store) == 0


async def test_memory_store_returns_copies_and_deletes() -> None:
    store = MemoryResponseStore()
    value: dict[str, Any] = {"messages": [{"role": "user", "content": "x"}]}
    await store.put("k", value)
    value["messages"].append({"role": "user", "content": "changed"})
    got = await store.get("k")
    assert got == {"messages": [{"role": "user", "content": "x"}]}
    got["messages"].clear()
    assert len((await store.get("k"))["messages"]) == 1
    assert await store.delete("k") is True
    assert await store.delete("k") is False
    assert await store.get("k") is None


async def test_memory_store_is_bounded_by_count_and_bytes() -> None:
    store = MemoryResponseStore(max_entries=3, max_bytes=10_000)
    for i in range(5):
        await store.put(f"k{i}", {"i": i})
    assert len(store) == 3
    assert await store.get("k0") is None and await store.get("k1") is None
    assert await store.get("k4") == {"i": 4}
    big = MemoryResponseStore(max_bytes=1000)
    await big.put("small", {"text": "x" * 100})
    await big.put("large", {"text": "y" * 600})
    await big.put("larger", {"text": "z" * 600})
    assert await big.get("small") is None and await big.get("large") is None
    assert await big.get("larger") is not None
    await big.put("huge", {"text": "w" * 5000})  # larger than the whole store: not kept
    assert await big.get("huge") is None and await big.get("larger") is not None
    with pytest.raises(ValueError):
        MemoryResponseStore(ttl=0)


class RecordingStore(MemoryResponseStore):
    """Another backend behind the same interface: records what the server asks of it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    async def get(self, key: str) -> dict[str, Any] | None:
        self.calls.append(("get", key))
        return await super().get(key)

    async def put(self, key: str, value: dict[str, Any], ttl: float | None = None) -> None:
        self.calls.append(("put", key))
        await super().put(key, value, ttl)


async def test_the_server_uses_the_store_it_is_given(start) -> None:
    store = RecordingStore()
    assert isinstance(store, ResponseStore)
    async with start(response_store=store) as (url, _):
        async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0) as client:
            first = await client.responses.create(model="echo", input="one")
            await client.responses.create(model="echo", input="two", previous_response_id=first.id)
            await client.responses.create(model="echo", input="three", store=False)
    assert store.calls[:2] == [("put", first.id), ("get", first.id)]
    assert store.calls[2][0] == "put" and len(store.calls) == 3  # "three" was not stored
    record = await store.get(first.id)
    assert record["messages"] == [
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "echo(org/Echo-7B): one"},
    ]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("hello", 2),  # ceil(5 / 4)
        ("a b c", 3),  # three one-letter words
        ("tokenization", 3),  # ceil(12 / 4)
        ("2026", 2),  # ceil(4 / 3)
        ("Hello, world!", 6),  # 2 + 1 + 2 + 1
        ("你好世界", 4),  # one per ideograph
        ("привет", 3),  # ceil(6 / 2)
        ("a\n\n\nb", 3),  # a run of newlines is one
        ("🙂🙂", 2),
    ],
)
def test_estimate_text_follows_the_documented_rules(text: str, tokens: int) -> None:
    assert estimate_text(text) == tokens


def test_estimate_messages_counts_messages_images_calls_and_tools() -> None:
    base = estimate_messages([{"role": "user", "content": "hello"}])
    assert base == 3 + 4 + 2
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    with_image = estimate_messages(
        [{"role": "user", "content": [{"type": "text", "text": "hello"}, image]}]
    )
    assert with_image == base + 1600
    call = {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    with_call = estimate_messages(
        [
            {"role": "user", "content": "hello"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
        ]
    )
    assert with_call == base + 4 + 1 + 2
    tool = {"type": "function", "function": {"name": "get_weather"}}
    assert estimate_messages([{"role": "user", "content": "hello"}], [tool]) > base + 5


def test_estimate_is_near_four_characters_per_token_for_english() -> None:
    prose = (
        "The quick brown fox jumps over the lazy dog while the farmer watches from the "
        "porch, wondering whether the weather will hold until the harvest is complete."
    )
    ratio = estimate_text(prose) / (len(prose) / 4)
    assert 0.8 < ratio < 1.3


def test_keepalive_comes_from_the_argument_or_g4f_keepalive(monkeypatch) -> None:
    from g4f.api import create_app
    from g4f.api._app import CONFIG_KEY

    monkeypatch.delenv("G4F_KEEPALIVE", raising=False)
    assert create_app()[CONFIG_KEY].keepalive == 15.0
    monkeypatch.setenv("G4F_KEEPALIVE", "2.5")
    assert create_app()[CONFIG_KEY].keepalive == 2.5
    assert create_app(keepalive=0.3)[CONFIG_KEY].keepalive == 0.3
    for bad in ("soon", "0", "-1", "nan"):
        monkeypatch.setenv("G4F_KEEPALIVE", bad)
        with pytest.raises(ValueError):
            create_app()


def test_encoder_events_rebuild_the_final_response() -> None:
    from g4f.protocols.responses import parse_responses_request
    from g4f.protocols.responses_events import ResponsesEncoder

    encoder = ResponsesEncoder(parse_responses_request({"input": "x", "model": "m"}), 5)
    events = encoder.start()
    events += encoder.reasoning("plan")
    events += encoder.text("Calling ")
    events += encoder.text("two tools")
    events += encoder.tool_call("c1", "f", '{"a": 1}')
    events += encoder.tool_call("c2", "g", "{}")
    encoder.finish("tool_calls")
    events += encoder.end()
    final = events[-1]["response"]
    assert events[-1]["type"] == "response.completed" and final == encoder.response()
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    done = [e for e in events if e["type"] == "response.output_item.done"]
    assert [e["item"] for e in done] == final["output"]
    assert [e["output_index"] for e in done] == [0, 1, 2, 3]
    added = [e for e in events if e["type"] == "response.output_item.added"]
    assert [(a["item"]["type"], a["item"].get("id")) for a in added] == [
        (d["item"]["type"], d["item"].get("id")) for d in done
    ]
    assert [item["type"] for item in final["output"]] == [
        "reasoning",
        "message",
        "function_call",
        "function_call",
    ]
    assert final["output"][1]["content"][0]["text"] == "Calling two tools"
    assert final["output"][1]["status"] == "completed"
    assert [item.get("call_id") for item in final["output"][2:]] == ["c1", "c2"]
    assert final["usage"]["input_tokens"] == 5  # no provider count: the estimate
