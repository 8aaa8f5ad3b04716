"""The chaos matrix: one list of transport faults, the outcome each must have, and a runner.

Every provider family runs the same :data:`SCENARIOS` through
``IterListProvider([(provider, model), Fallback])``; a family module only says where
its stream lives and how its protocol spells an in-band error, a malformed line, a
valid body and a gigantic one (:class:`Family`). The expected outcome of a fault is
one of: the full answer (the fault was retried or was harmless), a failover to
:class:`Fallback` with the provider's typed error recorded, or a
:class:`StreamInterruptedError` whose ``partial`` is a proper prefix of the answer.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from g4f.errors import (
    G4FError,
    NetworkError,
    RateLimitError,
    ResponseError,
    ResponseStatusError,
    StreamInterruptedError,
    StreamParseError,
    TimeoutError,
)
from g4f.providers.base_provider import AsyncGeneratorProvider
from g4f.providers.response import MediaResponse
from g4f.providers.retry_provider import IterListProvider, is_cooling_down
from tests.chaos._proxy import Chaos, ChaosProxy
from tests.chaos._sockets import connections_to

__all__ = [
    "FALLBACK_TEXT",
    "BIG",
    "Fallback",
    "Family",
    "Outcome",
    "Scenario",
    "SCENARIOS",
    "run_scenario",
    "drive",
]

FALLBACK_TEXT = "answer from the fallback provider"
#: Size of the gigantic single line (the issue asks for at least 10 MB).
BIG = 10 * 1024 * 1024
#: Hang protection only: far above any configured timeout.
HANG_GUARD = 60.0
STREAM_TIMEOUT = 0.5
TIMEOUT = 8.0


class Fallback(AsyncGeneratorProvider):
    """The second provider of every chaos run: always answers."""

    working = True

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Any, **kwargs: Any
    ) -> AsyncIterator[Any]:
        yield FALLBACK_TEXT


@dataclass
class Result:
    """What a chaos run produced."""

    chunks: list[Any]
    error: BaseException | None
    failures: dict[str, BaseException]

    @property
    def text(self) -> str:
        return "".join(c for c in self.chunks if isinstance(c, str))

    @property
    def media(self) -> list[MediaResponse]:
        return [c for c in self.chunks if isinstance(c, MediaResponse)]


async def drive(
    provider: Any, model: str, messages: Any, failures: dict[str, BaseException], **kwargs: Any
) -> Result:
    """Run ``provider`` then :class:`Fallback` through ``IterListProvider``, recording failures."""
    chain = IterListProvider([(provider, model), (Fallback, "fallback")], shuffle=False)
    chunks: list[Any] = []
    error: BaseException | None = None
    kwargs.setdefault("stream_timeout", STREAM_TIMEOUT)
    kwargs.setdefault("timeout", TIMEOUT)

    async def consume() -> None:
        async for chunk in chain.create_async_generator(model, messages, **kwargs):
            chunks.append(chunk)

    try:
        await asyncio.wait_for(consume(), HANG_GUARD)
    except G4FError as exc:
        error = exc
    return Result(chunks, error, dict(failures))


@dataclass
class Outcome:
    """``kind``: "full", "failover" (with ``error`` the provider's typed error class) or "interrupted"."""

    kind: str
    error: type[BaseException] = G4FError


@dataclass
class Family:
    """How one provider family is driven and how its protocol spells each fault.

    ``answer(result)`` gives what the provider produced in a form comparable to
    ``expected`` (the text for chat, the media URLs' count for media). ``path`` is
    the substring of the path of the request that streams the answer; ``first_path``
    the first request the provider makes (for reset / status faults).
    """

    name: str
    provider: Any
    model: str
    messages: Any
    expected: str
    path: str
    first_path: str
    content_type: str
    inband: bytes
    malformed: bytes
    body: Callable[[str], bytes]
    started_after: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: Content type of the in-band error body (default: ``content_type``).
    inband_content_type: str | None = None
    #: Only lines containing this count for line faults (see :class:`Chaos`).
    count_only: bytes | None = None
    #: Scenario name → the outcome this protocol documents instead of the default one.
    overrides: dict[str, Outcome] = field(default_factory=dict)
    #: Scenario names that do not apply to this protocol (each with the reason).
    skip: dict[str, str] = field(default_factory=dict)

    #: Whether answers stream as text (else they arrive whole: no partial to keep).
    streams_text: bool = True
    #: What the provider produced, comparable to ``expected`` (the text by default).
    read: Callable[[Result], str] | None = None
    #: What :attr:`read` gives for the gigantic body (default: its ``"x" * BIG`` payload).
    big_answer: str | None = None

    def answer(self, result: Result) -> str:
        return self.read(result) if self.read is not None else result.text


@dataclass
class Scenario:
    """One fault: a builder of the proxy's script for a family, and the expected outcome."""

    name: str
    chaos: Callable[[Family], list[Chaos]]
    outcome: Outcome
    kwargs: dict[str, Any] = field(default_factory=dict)
    text_only: bool = False


def _status(
    status: int, body: Any, headers: dict[str, str] | None = None, times: int = 1, **kw: Any
) -> Callable[[Family], list[Chaos]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    content_type = "text/html" if raw.lstrip().startswith(b"<") else "application/json"

    def build(family: Family) -> list[Chaos]:
        return [
            Chaos(
                path=family.first_path,
                status=status,
                body=raw,
                content_type=content_type,
                headers=headers or {},
                times=times,
                **kw,
            )
        ]

    return build


_HTML_502 = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
)
_LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>login</body></html>"
NO_RETRY = {"max_retries": 0}

SCENARIOS: list[Scenario] = [
    Scenario(
        "reset before headers, once (retried)",
        lambda f: [Chaos(path=f.first_path, reset=True)],
        Outcome("full"),
    ),
    Scenario(
        "reset before headers, always",
        lambda f: [Chaos(path=f.first_path, reset=True, times=99)],
        Outcome("failover", NetworkError),
        NO_RETRY,
    ),
    Scenario(
        "cut after the stream started",
        lambda f: [Chaos(path=f.path, cut_after=f.started_after + 1)],
        Outcome("interrupted", NetworkError),
        text_only=True,
    ),
    Scenario(
        "cut before any content",
        lambda f: [Chaos(path=f.path, cut_after=0, times=99)],
        Outcome("failover", NetworkError),
        NO_RETRY,
    ),
    Scenario(
        "stall longer than stream_timeout after content",
        lambda f: [Chaos(path=f.path, stall_after=f.started_after + 1, stall=3 * STREAM_TIMEOUT)],
        Outcome("interrupted", TimeoutError),
        text_only=True,
    ),
    Scenario(
        "stall longer than stream_timeout before content",
        lambda f: [Chaos(path=f.path, stall_after=0, stall=3 * STREAM_TIMEOUT, times=99)],
        Outcome("failover", TimeoutError),
        NO_RETRY,
    ),
    Scenario(
        "slow drip below stream_timeout",
        lambda f: [Chaos(path=f.path, drip=STREAM_TIMEOUT / 10)],
        Outcome("full"),
    ),
    Scenario(
        "malformed line before content",
        lambda f: [Chaos(path=f.path, inject_after=0, inject=f.malformed, times=99)],
        Outcome("failover", StreamParseError),
        NO_RETRY,
    ),
    Scenario(
        "in-band error",
        lambda f: [
            Chaos(
                path=f.path,
                raw=f.inband,
                content_type=f.inband_content_type or f.content_type,
                times=99,
            )
        ],
        Outcome("failover", ResponseError),
        NO_RETRY,
    ),
    Scenario(
        "429 Retry-After 0 (retried)",
        _status(429, {"error": "Rate limit reached"}, {"Retry-After": "0"}),
        Outcome("full"),
    ),
    Scenario(
        "429 Retry-After 2 (waited, retried)",
        _status(429, {"error": "Rate limit reached"}, {"Retry-After": "2"}),
        Outcome("full"),
    ),
    Scenario(
        "429 Retry-After 300 (fails over, cools down)",
        _status(429, {"error": "Rate limit reached"}, {"Retry-After": "300"}, times=99),
        Outcome("failover", RateLimitError),
    ),
    Scenario(
        "503 estimated_time (waited, retried)",
        _status(503, {"error": "Model is currently loading", "estimated_time": 0.2}),
        Outcome("full"),
    ),
    Scenario(
        "HTML error page",
        _status(502, _HTML_502, times=99),
        Outcome("failover", ResponseStatusError),
        NO_RETRY,
    ),
    Scenario(
        "wrong content type (a 200 login page)",
        lambda f: [Chaos(path=f.path, raw=_LOGIN_PAGE, content_type="text/html", times=99)],
        Outcome("failover", ResponseError),
        NO_RETRY,
    ),
    Scenario(
        "empty body",
        lambda f: [Chaos(path=f.path, raw=b"", content_type=f.content_type, times=99)],
        Outcome("failover", ResponseError),
        NO_RETRY,
    ),
    Scenario(
        "gigantic single line",
        lambda f: [Chaos(path=f.path, raw=f.body("x" * BIG), content_type=f.content_type)],
        Outcome("full"),
    ),
]


async def run_scenario(
    family: Family,
    scenario: Scenario,
    proxy: ChaosProxy,
    failures: dict[str, BaseException],
) -> Result:
    """Script ``scenario`` on ``proxy``, drive ``family`` through it and check the outcome."""
    if scenario.name in family.skip:
        pytest.skip(family.skip[scenario.name])
    if scenario.text_only and not family.streams_text:
        pytest.skip(f"{family.name} answers arrive whole: there is no partial text to keep")
    proxy.clear()
    assert connections_to(proxy.port) == 0, "a connection was open before the scenario"
    for chaos in scenario.chaos(family):
        chaos.count_only = family.count_only
        proxy.add(chaos)
    kwargs = {**family.kwargs, **scenario.kwargs}
    result = await drive(family.provider, family.model, family.messages, failures, **kwargs)
    proxy.clear()
    assert connections_to(proxy.port) == 0, "a connection to the service was left open"
    name = family.provider.__name__
    expected = family.expected
    if scenario.name == "gigantic single line":
        expected = "x" * BIG if family.big_answer is None else family.big_answer
    outcome = family.overrides.get(scenario.name, scenario.outcome)
    if outcome.kind == "full":
        assert result.error is None, f"{scenario.name}: {result.error!r}"
        assert family.answer(result) == expected
        assert name not in result.failures
    elif outcome.kind == "failover":
        assert result.error is None, f"{scenario.name}: {result.error!r}"
        assert result.text == FALLBACK_TEXT
        failure = result.failures.get(name)
        assert isinstance(failure, outcome.error), f"{scenario.name}: {failure!r}"
        assert isinstance(failure, G4FError)
        if isinstance(failure, RateLimitError):
            keys = [k for k in result.failures if k == name or k.startswith(f"{name} (")]
            assert failure.retry_after == 300 and any(is_cooling_down(k) for k in keys)
    else:
        error = result.error
        assert isinstance(error, StreamInterruptedError), f"{scenario.name}: {error!r}"
        assert isinstance(error.cause, outcome.error), f"{scenario.name}: {error.cause!r}"
        assert error.provider == name and FALLBACK_TEXT not in result.text
        assert error.partial and expected.startswith(error.partial)
        assert len(error.partial) < len(expected)
    return result
