"""The failover engine through the whole stack: Client → engine → real providers → fakes.

Each test reproduces a row measured in issue #13 and counts what reached the fake
(tests/fakes/router.py, tests/fakes/media.py) and how long the call took. The old
numbers are in the comments; the assertions are the new contract.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from g4f.client import Client
from g4f.errors import G4FError, ResponseStatusError, RetryProviderError, TimeoutError
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.providers.any_provider import AnyProvider
from g4f.providers.retry_provider import IterListProvider, clear_cooldowns
from tests.fakes.router import TOKEN, FakeRouter

MODEL = "llama-3.3-70b"
HELLO = [{"role": "user", "content": "What is the capital of France?"}]
CHAT = "/v1/chat/completions"
TGI = "/hf-inference/models/meta-llama/Llama-3.3-70B-Instruct"


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRouter]:
    with FakeRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield fake


@contextmanager
def silent_upstream() -> Iterator[str]:
    """A port whose kernel accepts connections that nobody ever answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def count(router: FakeRouter, path: str) -> int:
    return sum(1 for r in router.requests if r["path"] == path)


def ask(provider: Any = None, stream: bool = True, **kwargs: Any) -> str:
    """The answer text (streamed by default, so stream faults apply), or the raised error."""
    result = Client().chat.completions.create(
        HELLO, model=MODEL, provider=provider, stream=stream, **kwargs
    )
    if not stream:
        return result.choices[0].message.content
    return "".join(chunk.choices[0].delta.content or "" for chunk in result)


def timed(call: Any) -> tuple[BaseException | str, float]:
    began = time.monotonic()
    try:
        outcome: BaseException | str = call()
    except G4FError as exc:
        outcome = exc
    return outcome, time.monotonic() - began


def test_named_and_any_provider_send_the_same_count_for_the_same_failure(
    router: FakeRouter,
) -> None:
    # Before: 3 requests named, 9 through AnyProvider (3 × 3 nested retries).
    router.faults.add(status=502, message="Bad gateway", path=CHAT, times=99)
    named, _ = timed(lambda: ask(HuggingFaceAPI))
    assert isinstance(named, ResponseStatusError) and named.status_code == 502
    assert count(router, CHAT) == 3
    router.requests.clear()
    clear_cooldowns()  # the named failure sent HuggingFaceAPI to the back for 30 s
    chosen, _ = timed(lambda: ask())
    assert chosen == router.tgi.text.lstrip()  # HuggingFaceInference answered next
    assert count(router, CHAT) == 3 and count(router, TGI) == 1


def test_a_single_serving_provider_is_not_retried_three_times_three(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: 9 requests through AnyProvider (the client's retries around AnyProvider's),
    # 3 named. Now the engine runs once: 3 and 3.
    from g4f.providers import any_provider

    monkeypatch.setattr(any_provider, "_providers", lambda: [HuggingFaceAPI])
    router.faults.add(status=502, message="Bad gateway", path=CHAT, times=99)
    for provider in (HuggingFaceAPI, None):
        clear_cooldowns()
        router.requests.clear()
        outcome, _ = timed(lambda p=provider: ask(p))
        assert isinstance(outcome, ResponseStatusError) and outcome.status_code == 502
        assert count(router, CHAT) == 3


def test_500_goes_to_the_next_candidate_without_a_retry(router: FakeRouter) -> None:
    # Before: a 500 was retried on the same provider (3 requests).
    router.faults.add(status=500, message="Internal error", path=CHAT, times=99)
    assert ask() == router.tgi.text.lstrip()
    assert count(router, CHAT) == 1 and count(router, TGI) == 1


def _stall(router: FakeRouter) -> None:
    router.faults.add(stall=30, times=99)


def _loading(router: FakeRouter) -> None:
    router.faults.add(
        status=503, message="Model is currently loading", extra={"estimated_time": 2}, times=99
    )


def _bad_gateway(router: FakeRouter) -> None:
    router.faults.add(status=502, message="Bad gateway", times=99)


KINDS = {"stall": _stall, "503 loading": _loading, "repeated 502": _bad_gateway, "silent": None}


@pytest.mark.parametrize("named", [True, False], ids=["named", "AnyProvider"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_timeout_3_ends_every_failure_kind_within_3_5_s(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch, kind: str, named: bool
) -> None:
    # Before: a stalled upstream with timeout=3 raised after 10 s; a silent one took 542 s
    # with the defaults; 503 loading with timeout=5 took 14.4 s and 15 requests.
    provider = HuggingFaceAPI if named else None
    with silent_upstream() as silent:
        if KINDS[kind] is None:
            monkeypatch.setenv("HF_ROUTER_ENDPOINT", silent)
        else:
            KINDS[kind](router)
        outcome, took = timed(lambda: ask(provider, timeout=3))
    assert isinstance(outcome, G4FError), outcome
    assert took <= 3.5, f"{kind}: {took:.2f} s"
    if kind in ("stall", "silent"):
        assert isinstance(outcome, TimeoutError)
    # At most 1 + 2 attempts per candidate (two router candidates through AnyProvider).
    assert len(router.requests) <= (3 if named else 6)


def test_503_loading_is_waited_within_the_deadline(router: FakeRouter) -> None:
    # Before: timeout=5 took 14.4 s and 15 requests (each retry restarted the wait).
    router.faults.add(
        status=503, message="Model is currently loading", extra={"estimated_time": 1}, times=99
    )
    outcome, took = timed(lambda: ask(HuggingFaceAPI, timeout=5))
    assert isinstance(outcome, ResponseStatusError) and outcome.status_code == 503
    assert count(router, CHAT) == 3 and 2.0 <= took < 3.5


def test_a_silent_upstream_costs_stream_timeout_per_candidate_not_minutes(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: 542 s (three 60 s attempts on HuggingFaceAPI, then HuggingFaceInference
    # refetching Hub metadata for 60 s before each of its three attempts).
    with silent_upstream() as silent:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", silent)
        monkeypatch.setenv("HF_ENDPOINT", silent)  # the Hub is silent too
        outcome, took = timed(lambda: ask(stream_timeout=1, timeout=30))
    assert isinstance(outcome, RetryProviderError), outcome
    errors = outcome.exceptions
    assert isinstance(errors["HuggingFaceAPI"], TimeoutError)
    assert isinstance(errors["HuggingFaceInference"], TimeoutError)
    # Silent candidates are not retried: ≈ 1 s each (the Hub look-up fits in the silence).
    assert took < 3.5, took


def test_a_silent_first_candidate_then_a_healthy_second(router: FakeRouter) -> None:
    router.faults.add(stall=30, path=CHAT)
    chain = IterListProvider([HuggingFaceAPI, HuggingFaceInference], shuffle=False)
    outcome, took = timed(lambda: ask(chain, stream_timeout=0.5))
    assert outcome == router.tgi.text.lstrip()
    assert count(router, CHAT) == 1 and count(router, TGI) == 1
    # ≈ stream_timeout + the second's time (a local fake: well under a second).
    assert 0.5 <= took < 1.8, took


def test_flux_through_any_provider_reaches_huggingface_media(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Before: images.generate(model="flux") through AnyProvider never tried HuggingFaceMedia.
    from tests.fakes.media import TOKEN as MEDIA_TOKEN
    from tests.fakes.media import MediaState, serve_media

    names = [p.__name__ for p, _ in AnyProvider.get_providers("flux", api_key=MEDIA_TOKEN)]
    assert "HuggingFaceMedia" in names
    with serve_media(MediaState(), monkeypatch) as server:
        # HuggingFaceInference (first for flux) fails; HuggingFaceMedia's first route answers.
        server.faults.add(status=500, message="down", path="/together/")
        response = Client(api_key=MEDIA_TOKEN).images.generate(
            "a fox", model="flux", poll_interval=0.01
        )
    assert response.provider == "HuggingFaceMedia"
    assert response.data[0].url == f"{server.url}/files/a.png"
