"""The failover engine with scripted providers: the retry table, counted, and its docs."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from g4f.client import Client
from g4f.errors import (
    G4FError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    PaymentRequiredError,
    RateLimitError,
    ResponseError,
    ResponseStatusError,
    RetryProviderError,
    StreamInterruptedError,
    StreamTimeoutError,
    TimeoutError,
)
from g4f.providers import engine, lookup
from g4f.providers.base_provider import AsyncGeneratorProvider
from g4f.providers.engine import failover, is_cooling_down
from g4f.providers.response import FinishReason, ProviderInfo, Usage
from g4f.providers.retry_provider import IterListProvider, RetryProvider
from g4f.state import MemoryStore, get_store

ROOT = Path(__file__).resolve().parents[2]
HI = [{"role": "user", "content": "hi"}]


class Scripted(AsyncGeneratorProvider):
    """Raises the next scripted error per call, then answers; counts its calls."""

    working = True
    errors: ClassVar[list[BaseException]] = []
    answer: ClassVar[list[Any]] = ["Hello"]
    calls: ClassVar[int] = 0
    delay: ClassVar[float] = 0.0

    @classmethod
    def script(cls, errors: list[BaseException], answer: list[Any] | None = None) -> None:
        cls.errors, cls.calls = list(errors), 0
        cls.answer = ["Hello"] if answer is None else answer

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.calls += 1
        if cls.delay:
            await asyncio.sleep(cls.delay)
        if cls.errors:
            raise cls.errors.pop(0)
        for chunk in cls.answer:
            yield chunk


class First(Scripted):
    pass


class Second(Scripted):
    pass


@pytest.fixture(autouse=True)
def _scripts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Backoff of a few milliseconds: the counts are the subject here, not the waits.
    monkeypatch.setattr(engine, "BACKOFF_BASE", 0.001)
    for cls in (First, Second):
        cls.script([])
        cls.delay = 0.0
    yield


def status_error(status: int, retry_after: float | None = None) -> ResponseStatusError:
    if status == 429:
        return RateLimitError("busy", status_code=429, retry_after=retry_after)
    return ResponseStatusError(f"HTTP {status}", status_code=status, retry_after=retry_after)


def answer(provider: Any, **kwargs: Any) -> str:
    return (
        Client().chat.completions.create(HI, provider=provider, **kwargs).choices[0].message.content
    )


# --- the documented table is the engine's ----------------------------------------------


def _table(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _number(cell: str) -> float:
    return float(re.match(r"[\d.]+", cell).group())  # type: ignore[union-attr]


def _statuses(cell: str) -> set[int]:
    return {int(s) for s in re.findall(r"\b[1-5]\d\d\b", cell)}


def test_docs_state_the_engines_retry_table() -> None:
    text = (ROOT / "docs" / "client.md").read_text(encoding="utf-8")
    constants = {row[0].strip("`"): row[1] for row in _table(text, "Constant")}
    assert _number(constants["MAX_RETRIES"]) == engine.MAX_RETRIES
    assert _number(constants["LONG_WAIT"]) == engine.LONG_WAIT
    assert _statuses(constants["RETRY_STATUS"]) == engine.RETRY_STATUS
    assert _statuses(constants["NEXT_STATUS"]) == engine.NEXT_STATUS
    assert _number(constants["BACKOFF_BASE"]) == 0.5  # the fixture lowers it for speed
    assert _number(constants["BACKOFF_CAP"]) == engine.BACKOFF_CAP
    assert _number(constants["DEFAULT_COOLDOWN"]) == engine.DEFAULT_COOLDOWN
    assert _number(constants["LOOKUP_TIMEOUT"]) == lookup.LOOKUP_TIMEOUT <= 10
    assert _number(constants["FAILURE_TTL"]) == lookup.FAILURE_TTL
    rows = {row[0]: row[1:] for row in _table(text, "Failure before the first content chunk")}
    retried = rows["HTTP 429, 502, 503, 504"]
    assert f"up to {engine.MAX_RETRIES} retries" in retried[0]
    assert _statuses("HTTP 429, 502, 503, 504") == engine.RETRY_STATUS
    moved = next(k for k in rows if k.startswith("HTTP 400"))
    assert _statuses(moved) == engine.NEXT_STATUS and rows[moved][0] == "no"
    long_row = next(k for k in rows if "asking to wait more than" in k)
    assert _number(long_row.split("more than ")[1]) == engine.LONG_WAIT


@pytest.mark.parametrize("status", sorted(engine.RETRY_STATUS))
def test_retried_statuses_cost_one_plus_max_retries_attempts(status: int) -> None:
    First.script([status_error(status, retry_after=0)] * 10)
    with pytest.raises(ResponseStatusError):
        answer(First)
    assert First.calls == 1 + engine.MAX_RETRIES


@pytest.mark.parametrize("status", sorted(engine.NEXT_STATUS))
def test_other_statuses_go_to_the_next_candidate_at_once(status: int) -> None:
    First.script([status_error(status)])
    assert answer(IterListProvider([First, Second], shuffle=False)) == "Hello"
    assert (First.calls, Second.calls) == (1, 1)


def test_connection_errors_are_retried() -> None:
    First.script([NetworkError("refused"), NetworkError("reset")])
    assert answer(First) == "Hello" and First.calls == 3


# --- the rows of the issue, now ----------------------------------------------------------


def test_named_and_list_give_the_same_count_for_a_transient_failure() -> None:
    First.script([status_error(502)] * 20)
    with pytest.raises(ResponseStatusError):
        answer(First)
    named = First.calls
    First.script([status_error(502)] * 20)
    Second.script([status_error(502)] * 20)
    with pytest.raises(RetryProviderError):
        answer(IterListProvider([First, Second], shuffle=False))
    # Was 3 named and 9 through AnyProvider (two nested retry layers): 3 and 3 now.
    assert named == First.calls == Second.calls == 3


def test_an_empty_answer_is_a_response_error_and_the_next_answers() -> None:
    First.script([], answer=[None, "", Usage(prompt_tokens=1), FinishReason("stop")])
    provider = IterListProvider([First, Second], shuffle=False)
    completion = Client().chat.completions.create(HI, provider=provider)
    assert completion.choices[0].message.content == "Hello" and completion.provider == "Second"
    First.script([], answer=[None])
    with pytest.raises(ResponseError, match="empty answer"):
        answer(First)
    assert First.calls == 1


def test_500_moves_on_without_a_retry() -> None:
    First.script([status_error(500)] * 5)
    assert answer(IterListProvider([First, Second], shuffle=False)) == "Hello"
    assert First.calls == 1 and not is_cooling_down("Second")


class CutAfterStart(Scripted):
    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.calls += 1
        yield "par"
        yield "tial"
        raise NetworkError("connection cut", provider=cls.__name__)


@pytest.mark.parametrize("chosen", [False, True])
def test_a_cut_after_start_is_stream_interrupted_named_or_chosen(chosen: bool) -> None:
    CutAfterStart.calls = 0
    provider = IterListProvider([CutAfterStart, Second], shuffle=False) if chosen else CutAfterStart
    with pytest.raises(StreamInterruptedError) as info:
        answer(provider)
    assert info.value.partial == "partial" and info.value.provider == "CutAfterStart"
    assert isinstance(info.value.cause, NetworkError)
    assert CutAfterStart.calls == 1 and Second.calls == 0


def test_long_retry_after_cools_down_and_moves_on_when_another_candidate_exists() -> None:
    First.script([status_error(429, retry_after=60)])
    began = time.monotonic()
    assert answer(IterListProvider([First, Second], shuffle=False)) == "Hello"
    assert time.monotonic() - began < 1 and First.calls == 1
    assert is_cooling_down("First")
    # Cooling down: tried last next time.
    assert answer(IterListProvider([First, Second], shuffle=False)) == "Hello"
    assert (First.calls, Second.calls) == (1, 2)


def test_long_wait_is_waited_in_place_once_when_no_candidate_is_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "LONG_WAIT", 0.1)
    First.script([status_error(503, retry_after=0.3), status_error(503, retry_after=0.3)])
    began = time.monotonic()
    with pytest.raises(ResponseStatusError):
        answer(First, timeout=5)
    # One wait in place, then the second long wait ends it.
    assert First.calls == 2 and 0.3 <= time.monotonic() - began < 1.5


def test_rejected_credentials_get_one_reauth_then_the_next_candidate() -> None:
    rejected = MissingAuthError("401")
    rejected.failed_auth = object()  # type: ignore[attr-defined]
    First.script([rejected, MissingAuthError("still 401")])
    assert answer(IterListProvider([First, Second], shuffle=False)) == "Hello"
    assert (First.calls, Second.calls) == (2, 1)


def test_retry_provider_keeps_its_max_retries() -> None:
    First.script([status_error(429, retry_after=0)] * 10)
    with pytest.raises(RateLimitError):
        answer(RetryProvider([First], single_provider_retry=True, max_retries=4))
    assert First.calls == 5


def test_every_candidate_failed_lists_each_on_its_own_line() -> None:
    First.script([PaymentRequiredError("no credits\nat all", status_code=402)])
    Second.script([ModelNotFoundError("unknown model")])
    with pytest.raises(RetryProviderError) as info:
        answer(IterListProvider([First, Second], shuffle=False))
    assert str(info.value).splitlines() == [
        "All providers failed:",
        "First: PaymentRequiredError: no credits at all",
        "Second: ModelNotFoundError: unknown model",
    ]
    assert isinstance(info.value.exceptions["First"], PaymentRequiredError)


# --- time: the deadline and the silence --------------------------------------------------


class Silent(Scripted):
    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cls.calls += 1
        yield ProviderInfo(name="Silent")
        await asyncio.sleep(3600)
        yield "never"


def test_a_silent_candidate_is_abandoned_after_stream_timeout_and_not_retried() -> None:
    Silent.calls = 0
    Second.delay = 0.2
    began = time.monotonic()
    completion = Client().chat.completions.create(
        HI, provider=IterListProvider([Silent, Second], shuffle=False), stream_timeout=0.5
    )
    took = time.monotonic() - began
    assert completion.provider == "Second" and Silent.calls == 1
    # ≈ stream_timeout (0.5 s) + the second's time (0.2 s).
    assert 0.65 <= took < 1.6, took


def test_the_deadline_covers_every_candidate_and_raises_timeout_error() -> None:
    Silent.calls = 0
    began = time.monotonic()
    with pytest.raises(TimeoutError, match="timed out after 1 s"):
        answer(
            IterListProvider([Silent, Silent, Silent], shuffle=False), timeout=1, stream_timeout=0.6
        )
    assert 1.0 <= time.monotonic() - began < 1.5
    assert Silent.calls == 2  # the third never started: no time was left


class SlowAfterStart(Scripted):
    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        yield "so far"
        await asyncio.sleep(3600)
        yield "never"


def test_a_deadline_after_start_is_both_interrupted_and_timeout() -> None:
    with pytest.raises(StreamTimeoutError) as info:
        answer(SlowAfterStart, timeout=0.5)
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, StreamInterruptedError)
    assert info.value.partial == "so far"


async def test_an_outside_cancel_is_not_mistaken_for_a_timeout() -> None:
    Silent.calls = 0
    stream = failover(Silent, "", HI, stream_timeout=5)
    task = asyncio.ensure_future(stream.__anext__())
    while Silent.calls == 0:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


# --- the run-time store --------------------------------------------------------------------


def test_memory_store_ttl_counters_and_compare_and_set() -> None:
    store = MemoryStore()
    store.set("a", 1, ttl=0.05)
    assert store.get("a") == 1
    assert store.incr("n") == 1 and store.incr("n", 5) == 6
    assert store.compare_and_set("k", None, "x") and not store.compare_and_set("k", None, "y")
    assert store.compare_and_set("k", "x", "z") and store.get("k") == "z"
    deadline = time.monotonic() + 2
    while store.get("a") is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.get("a") is None
    store.clear("n")
    assert store.get("n") is None and store.get("k") == "z"


async def test_store_async_forms() -> None:
    store = MemoryStore()
    await store.aset("k", [1, 2], ttl=10)
    assert await store.aget("k") == [1, 2]
    assert await store.aincr("c", 2) == 2
    assert await store.acompare_and_set("c", 2, 3)
    await store.adelete("k")
    assert await store.aget("k") is None


def test_cooldowns_live_in_the_store() -> None:
    engine.cooldown("X", 30)
    assert get_store().get("cooldown:X") is not None and is_cooling_down("X")
    engine.cooldown("X", 0)
    assert not is_cooling_down("X")


async def test_a_failed_lookup_is_remembered_briefly() -> None:
    calls = 0

    async def fetch() -> dict[str, Any]:
        nonlocal calls
        calls += 1
        raise NetworkError("hub down")

    for _ in range(3):
        with pytest.raises(NetworkError, match="hub down"):
            await lookup.lookup("k", fetch, ttl=60)
    assert calls == 1


async def test_a_slow_lookup_gets_its_own_short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fetch() -> None:
        await asyncio.sleep(3600)

    began = time.monotonic()
    with pytest.raises(TimeoutError):
        await lookup.lookup("slow", fetch, ttl=60, timeout=0.2)
    with pytest.raises(G4FError):  # remembered: no second wait
        await lookup.lookup("slow", fetch, ttl=60, timeout=0.2)
    assert time.monotonic() - began < 0.6


def test_started_false_lives_in_one_file() -> None:
    found = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "g4f").rglob("*.py")
        if "started = False" in p.read_text(encoding="utf-8")
    ]
    assert found == ["g4f/providers/engine.py"]


def test_no_retry_or_failover_loop_outside_the_engine() -> None:
    # The shapes the old copies had: a retry counter loop, a loop over providers or routes
    # catching errors to try the next, and the client's own retry wrapper.
    patterns = [
        r"for attempt in range",
        r"max_retries\s*=",
        r"iter_with_retries",
        r"most_telling",
        r"for child in children:",
        r"for provider, entry in routes:",
    ]
    offenders = []
    for path in (ROOT / "g4f").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("g4f/providers/engine.py", "g4f/providers/retry_provider.py"):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{rel}: {p}" for p in patterns if re.search(p, text)]
    assert offenders == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": "3"},
        {"timeout": float("nan")},
        {"stream_timeout": 0},
        {"stream_timeout": True},
        {"max_retries": -1},
        {"max_retries": 1.5},
    ],
)
def test_bad_limits_are_typed_errors_before_anything_is_sent(kwargs: dict[str, Any]) -> None:
    from g4f.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError):
        answer(First, **kwargs)
    assert First.calls == 0


async def test_iter_list_provider_remembers_the_provider_that_answered() -> None:
    First.script([status_error(500)])
    chain = IterListProvider([First, Second], shuffle=False)
    chunks = [c async for c in chain.create_async_generator("", HI)]
    assert "Hello" in chunks and chain.last_provider is Second
