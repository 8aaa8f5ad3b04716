"""End to end: openai SDK → g4f api → HuggingFaceMedia → the fake media router."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import aiohttp
import openai
import pytest

from tests.fakes.media import MP4, PNG, TOKEN, MediaState, serve_media
from tests.fakes.server import FakeServer


@pytest.fixture
def state() -> MediaState:
    return MediaState()


@pytest.fixture
def media(
    state: MediaState, monkeypatch: pytest.MonkeyPatch, mock_registry: dict[str, str]
) -> Iterator[FakeServer]:
    mock_registry["HuggingFaceMedia"] = "g4f.Provider.hf.HuggingFaceMedia"
    with serve_media(state, monkeypatch) as server:
        yield server


def sdk(url: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}/v1", api_key=TOKEN, max_retries=0, timeout=30)


async def test_video_route_through_the_media_router(
    start, media: FakeServer, state: MediaState
) -> None:
    async with start() as (url, _), sdk(url) as client:
        response = await client.post(
            "/media/generations",
            body={
                "model": "Wan-AI/Wan2.1-T2V-14B:replicate",
                "prompt": "a wave",
                "provider": "HuggingFaceMedia",
            },
            cast_to=object,
        )
        video_url = response["data"][0]["url"]
        assert video_url.startswith(media.url) and video_url.endswith(".mp4")
    async with aiohttp.ClientSession() as session, session.get(video_url) as resp:
        assert await resp.read() == MP4
    assert response["provider"] == "HuggingFaceMedia"
    assert state.submitted("/replicate/")[0]["input"]["prompt"] == "a wave"


async def test_images_b64_through_the_media_router(
    start, media: FakeServer, state: MediaState
) -> None:
    state.fail["fal-ai"] = 402
    async with start() as (url, _), sdk(url) as client:
        images = await client.images.generate(
            model="flux",
            prompt="a fox",
            response_format="b64_json",
            n=2,
            extra_body={"provider": "HuggingFaceMedia"},
        )
    assert [base64.b64decode(item.b64_json) for item in images.data] == [PNG, PNG]
    assert len(state.submitted("/together/")) == 2


async def test_media_payment_error_keeps_its_status(
    start, media: FakeServer, state: MediaState
) -> None:
    state.fail.update({"fal-ai": 402, "together": 402, "nebius": 402, "replicate": 402})
    async with start() as (url, _), sdk(url) as client:
        with pytest.raises(openai.APIStatusError) as info:
            await client.images.generate(
                model="flux", prompt="a fox", extra_body={"provider": "HuggingFaceMedia"}
            )
    assert info.value.status_code == 402
    assert info.value.body["code"] == "payment_required"
    assert TOKEN not in str(info.value.body)
