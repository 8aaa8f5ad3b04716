"""HuggingFaceMedia through the public client (client.media / client.images)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from g4f.client import AsyncClient, Client
from g4f.errors import MissingAuthError, PaymentRequiredError, RetryProviderError
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from tests.fakes.media import MP4, PNG, TOKEN, MediaState, serve_media
from tests.fakes.server import FakeServer


@pytest.fixture
def state() -> MediaState:
    return MediaState()


@pytest.fixture
def server(state: MediaState, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with serve_media(state, monkeypatch) as srv:
        yield srv


def test_video_comes_back_as_url_even_for_b64(server: FakeServer, state: MediaState) -> None:
    client = Client(api_key=TOKEN)
    response = client.media.generate(
        "a wave",
        model="wan-2.1",
        provider=HuggingFaceMedia,
        response_format="b64_json",
        poll_interval=0.01,
    )
    [video] = response.data
    assert video.b64_json is None and video.url == f"{server.url}/files/v.mp4"
    assert response.provider == "HuggingFaceMedia"
    assert state.submitted("/fal-ai/")[0]["prompt"] == "a wave"


def test_video_save_writes_the_mp4_where_asked(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    response = Client(api_key=TOKEN).media.generate(
        "a wave", model="Wan-AI/Wan2.1-T2V-14B:replicate", provider="HuggingFaceMedia"
    )
    assert list(tmp_path.iterdir()) == []
    target = tmp_path / "clip.mp4"
    response.save(str(target))
    assert target.read_bytes() == MP4 and [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_images_b64_and_n(server: FakeServer, state: MediaState) -> None:
    state.fail["fal-ai"] = 402
    response = Client(api_key=TOKEN).images.generate(
        "a fox", model="flux", provider=HuggingFaceMedia, response_format="b64_json", n=2
    )
    assert [base64.b64decode(i.b64_json) for i in response.data] == [PNG, PNG]
    assert len(state.submitted("/together/")) == 2


async def test_async_client_typed_errors(server: FakeServer, state: MediaState) -> None:
    with pytest.raises(MissingAuthError):
        await AsyncClient().images.generate("a fox", model="flux", provider=HuggingFaceMedia)
    state.fail.update({"fal-ai": 402, "together": 402, "nebius": 402})
    with pytest.raises(RetryProviderError) as info:
        await AsyncClient(api_key=TOKEN).images.generate(
            "a fox", model="flux", provider=HuggingFaceMedia
        )
    # One typed error per inference provider tried.
    assert len(info.value.exceptions) == 3
    assert all(isinstance(e, PaymentRequiredError) for e in info.value.exceptions.values())


def test_video_alias_through_any_provider(server: FakeServer) -> None:
    response = Client(api_key=TOKEN).media.generate("a wave", model="wan-2.1", poll_interval=0.01)
    assert response.provider == "HuggingFaceMedia"
    assert response.data[0].url == f"{server.url}/files/v.mp4"


def test_transient_failure_is_retried_by_the_framework(server: FakeServer) -> None:
    server.faults.add(
        status=429, message="Rate limit", headers={"Retry-After": "0"}, path="/fal-ai/"
    )
    response = Client(api_key=TOKEN).images.generate(
        "a fox",
        model="black-forest-labs/FLUX.1-dev:fal-ai",
        provider=HuggingFaceMedia,
        poll_interval=0.01,
    )
    assert response.data[0].url == f"{server.url}/files/a.png"
    submits = [r for r in server.requests if r["method"] == "POST"]
    assert len(submits) == 2
