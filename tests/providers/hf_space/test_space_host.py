"""Where a Space runs (issue #14 items 14–15), through the public client against the fakes.

The Hub (tests/fakes/space_hub.py) says where each Space runs and in which stage; the Spaces
are the real Gradio apps of tests/fakes/gradio_app.py. Every test counts what both received.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from g4f.client import AsyncClient, Client
from g4f.errors import (
    BadRequestError,
    InvalidRequestError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    ResponseStatusError,
    SpaceNotRunningError,
)
from g4f.Provider import HuggingSpace
from g4f.Provider.hf_space import _host
from tests.fakes.gradio_app import CHAT, FLUX_DEV, GradioServer, space_status
from tests.fakes.space_hub import HUB_TOKEN, FakeSpaceHub

QWEN = "Qwen/Qwen2.5"
FLUX = "black-forest-labs/FLUX.1-dev"


def space_requests(server: GradioServer, mount: str) -> list[str]:
    """Every request the fake Spaces saw on ``mount`` (status reads excluded)."""
    return [
        r for r in space_status(server)["requests"] if f"/{mount}/" in r and "/call/status" not in r
    ]


def chat(content: str = "hello", **kwargs: Any) -> str:
    completion = Client().chat.completions.create(
        [{"role": "user", "content": content}], provider=HuggingSpace, **kwargs
    )
    return completion.choices[0].message.content or ""


@pytest.fixture
def fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stage checks every 0.1 s instead of 2 s, so waiting tests take well under a second."""
    monkeypatch.setattr(_host, "POLL_INTERVAL", 0.1)


# Item 14: the host comes from the Hub, once per TTL.


def test_the_hub_says_where_the_space_runs(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    before = len(space_requests(spaces, FLUX_DEV))
    response = Client().images.generate(
        "a kite", model="flux", provider=HuggingSpace, num_inference_steps=1
    )
    assert response.data[0].url.startswith(spaces.space_url(FLUX_DEV) + "/gradio_api/file=")
    assert space_hub.paths() == [f"/api/spaces/{FLUX}"]
    seen = space_requests(spaces, FLUX_DEV)[before:]
    assert seen[0] == f"GET /{FLUX_DEV}/config"
    assert f"POST /{FLUX_DEV}/gradio_api/queue/join" in seen
    # A second call reuses the resolved host: the Hub is not asked again.
    Client().images.generate("again", model="flux", provider=HuggingSpace, num_inference_steps=1)
    assert space_hub.paths() == [f"/api/spaces/{FLUX}"]


def test_a_moved_space_is_followed(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    # The Hub, not the Space id, decides the host: here FLUX.1-dev is served by the chat app's
    # neighbour mount, so the id-derived guess would be wrong.
    space_hub.add("someone/Renamed_Space.v2", spaces.space_url(CHAT))
    assert chat("hi", model="space:someone/Renamed_Space.v2/model_chat").endswith(": hi")
    assert space_hub.paths() == ["/api/spaces/someone/Renamed_Space.v2"]


# Item 14: runtime stages.


def test_a_sleeping_space_is_woken_then_used(
    spaces: GradioServer, space_hub: FakeSpaceHub, fast_polls: None
) -> None:
    space_hub.add(QWEN, spaces.space_url(CHAT), "SLEEPING", "SLEEPING", "RUNNING")
    before = len(space_requests(spaces, CHAT))
    assert chat(model="qwen-2.5-72b").endswith(": hello")
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * 3
    seen = space_requests(spaces, CHAT)[before:]
    # One knock to wake it while asleep, then the real /config once it runs.
    assert seen[:2] == [f"GET /{CHAT}/config"] * 2
    assert f"POST /{CHAT}/gradio_api/queue/join" in seen


def test_a_building_space_is_waited_for(
    spaces: GradioServer, space_hub: FakeSpaceHub, fast_polls: None
) -> None:
    space_hub.add(QWEN, spaces.space_url(CHAT), "BUILDING", "APP_STARTING", "RUNNING")
    before = len(space_requests(spaces, CHAT))
    assert chat(model="space:Qwen/Qwen2.5").endswith(": hello")
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * 3
    # No knocking on a Space that comes up by itself: its first request is the real one.
    assert space_requests(spaces, CHAT)[before] == f"GET /{CHAT}/config"


def test_a_space_still_building_at_the_deadline_names_its_stage(
    spaces: GradioServer, space_hub: FakeSpaceHub, fast_polls: None
) -> None:
    space_hub.add(QWEN, spaces.space_url(CHAT), "BUILDING")
    before = len(space_requests(spaces, CHAT))
    started = time.monotonic()
    with pytest.raises(SpaceNotRunningError) as info:
        chat(model="qwen-2.5-72b", timeout=1.0)
    elapsed = time.monotonic() - started
    assert info.value.stage == "BUILDING" and "BUILDING" in str(info.value)
    # Worth retrying later, not now: the retry layer does not re-run the call after it spent
    # its whole deadline waiting (one attempt, about one timeout long).
    assert info.value.status_code == 503 and info.value.retry_after == 60
    assert 0.7 <= elapsed < 2.0, elapsed
    polls = len(space_hub.requests)
    assert 5 <= polls <= 11, polls  # one check per 0.1 s within the 1 s budget
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * polls
    assert space_requests(spaces, CHAT)[before:] == []


@pytest.mark.parametrize("stage", ["PAUSED", "RUNTIME_ERROR", "BUILD_ERROR", "NO_APP_FILE"])
def test_a_paused_or_broken_space_fails_at_once(
    spaces: GradioServer, space_hub: FakeSpaceHub, stage: str
) -> None:
    space_hub.add(FLUX, spaces.space_url(FLUX_DEV), stage)
    before = len(space_requests(spaces, FLUX_DEV))
    started = time.monotonic()
    with pytest.raises(SpaceNotRunningError) as info:
        Client().images.generate("a kite", model="flux", provider=HuggingSpace)
    assert time.monotonic() - started < 1.5
    assert info.value.stage == stage and stage in str(info.value)
    assert info.value.status_code is None  # retrying will not help
    assert space_hub.paths() == [f"/api/spaces/{FLUX}"]
    assert space_requests(spaces, FLUX_DEV)[before:] == []


def test_a_stale_host_is_asked_again(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    space_hub.add(QWEN, "http://127.0.0.1:9/gone")
    with pytest.raises(NetworkError):
        chat(model="qwen-2.5-72b")
    # The retry layer tried three times; each attempt asked the Hub afresh, since a host that
    # does not answer is forgotten.
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * 3
    space_hub.add(QWEN, spaces.space_url(CHAT))
    assert chat(model="qwen-2.5-72b").endswith(": hello")
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * 4


# Item 14: what the Hub refuses.


def test_a_hub_outage_is_typed_and_counted(space_hub: FakeSpaceHub) -> None:
    space_hub.faults.add(status=503, message="Hub down", times=10)
    started = time.monotonic()
    with pytest.raises(ResponseStatusError) as info:
        chat(model="qwen-2.5-72b", max_retries=1)
    assert info.value.status_code == 503 and "Hub down" in str(info.value)
    # One retry (a 503 is transient), each attempt one Hub request; nothing guessed meanwhile.
    assert space_hub.paths() == [f"/api/spaces/{QWEN}"] * 2
    assert time.monotonic() - started < 5.0


def test_a_disabled_space_fails_at_once(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    space_hub.add(QWEN, spaces.space_url(CHAT) + "/", disabled=True)
    with pytest.raises(SpaceNotRunningError) as info:
        chat(model="qwen-2.5-72b")
    assert info.value.stage == "DISABLED" and space_hub.paths() == [f"/api/spaces/{QWEN}"]


def test_an_unknown_space_is_model_not_found(space_hub: FakeSpaceHub) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        chat(model="space:nobody/nothing")
    assert "nobody/nothing" in str(info.value)
    assert space_hub.paths() == ["/api/spaces/nobody/nothing"]


def test_a_private_space_is_refused_and_the_token_stays_with_the_hub(
    spaces: GradioServer, space_hub: FakeSpaceHub
) -> None:
    space_hub.add("me/private-flux", spaces.space_url(FLUX_DEV), private=True)
    before = len(space_requests(spaces, FLUX_DEV))
    model = "space:me/private-flux/infer"
    # Anonymous: the Hub hides it (401 RepoNotFound).
    with pytest.raises(ModelNotFoundError):
        Client().images.generate("x", model=model, provider=HuggingSpace)
    # With the owner's token the Hub shows it, but a private Space would need the token on
    # every request to the Space's own code: refused, typed, before anything reaches it.
    with pytest.raises(MissingAuthError) as private:
        Client(api_key=HUB_TOKEN).images.generate("x", model=model, provider=HuggingSpace)
    assert "private" in str(private.value) and HUB_TOKEN not in str(private.value)
    with pytest.raises(MissingAuthError) as refused:
        Client(api_key="hf_wrong_token_value").images.generate(
            "x", model=model, provider=HuggingSpace
        )
    assert "refused the token" in str(refused.value)
    assert "hf_wrong_token_value" not in str(refused.value)
    hub_auth = [r["headers"].get("Authorization") for r in space_hub.requests]
    assert hub_auth == [None, f"Bearer {HUB_TOKEN}", "Bearer hf_wrong_token_value"]
    assert space_requests(spaces, FLUX_DEV)[before:] == []


@pytest.mark.parametrize(
    "model",
    [
        "space:../../api/models",
        "space:owner/..",
        "space:owner/name?x=1",
        "space:owner/na%2fme",
        "space:-owner/name",
        "space:owner/name/../../x",
        "space:owner/name/in fer",
    ],
)
def test_hostile_space_ids_never_reach_the_hub(space_hub: FakeSpaceHub, model: str) -> None:
    # Malformed ids are the caller's mistake: a 400-class error before any request.
    with pytest.raises(InvalidRequestError):
        chat(model=model)
    assert space_hub.requests == []


# Item 15: another base URL, by environment or argument; the Hub is not asked.


def test_hf_spaces_endpoint_points_every_space_elsewhere(
    spaces: GradioServer, space_hub: FakeSpaceHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_SPACES_ENDPOINT", spaces.url + "/{subdomain}")
    assert chat(model="qwen-2.5-32b").startswith("[32B turn 1]")
    response = Client().images.generate(
        "a kite", model="flux", provider=HuggingSpace, num_inference_steps=1
    )
    assert response.data[0].url.startswith(spaces.space_url(FLUX_DEV))
    assert space_hub.requests == []


async def test_space_url_argument_points_one_call_elsewhere(
    spaces: GradioServer, space_hub: FakeSpaceHub
) -> None:
    completion = await AsyncClient().chat.completions.create(
        "hi",
        model="space:somebody/not-on-the-hub",
        provider=HuggingSpace,
        space_url=spaces.space_url(CHAT),
    )
    assert completion.choices[0].message.content.endswith(": hi")
    assert space_hub.requests == []
    before = len(await asyncio.to_thread(space_requests, spaces, CHAT))
    await AsyncClient().chat.completions.create(
        "hi", model="qwen-2.5-7b", provider=HuggingSpace, space_url=spaces.space_url(CHAT)
    )
    seen = (await asyncio.to_thread(space_requests, spaces, CHAT))[before:]
    assert f"POST /{CHAT}/gradio_api/queue/join" in seen and space_hub.requests == []


@pytest.mark.parametrize(
    "env, arg",
    [
        (None, "ftp://127.0.0.1/x"),
        (None, "127.0.0.1:7860"),
        ("http://127.0.0.1:1/{oops}", None),
        ("http://127.0.0.1:1/{owner.upper}", None),
        ("file:///etc", None),
    ],
)
def test_bad_base_urls_are_bad_requests(
    space_hub: FakeSpaceHub, monkeypatch: pytest.MonkeyPatch, env: str | None, arg: str | None
) -> None:
    if env:
        monkeypatch.setenv("HF_SPACES_ENDPOINT", env)
    with pytest.raises(BadRequestError):
        chat(model="qwen-2.5-72b", **({"space_url": arg} if arg else {}))
    assert space_hub.requests == []
