"""HuggingFaceMedia against the fake Hub + router media routes (tests/fakes/media.py)."""

from __future__ import annotations

import asyncio
import base64
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from g4f.errors import (
    BadRequestError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    PaymentRequiredError,
    RateLimitError,
    RetryProviderError,
    TimeoutError,
)
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from g4f.providers.engine import failover, is_cooling_down
from g4f.providers.response import ImageResponse, ProviderInfo, Reasoning, VideoResponse
from tests.fakes.media import MP4, PNG, TOKEN, MediaState, serve_media
from tests.fakes.server import FakeServer

FLUX = "black-forest-labs/FLUX.1-dev"
WAN = "Wan-AI/Wan2.1-T2V-14B"


@pytest.fixture
def state() -> MediaState:
    return MediaState()


@pytest.fixture
def server(state: MediaState, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with serve_media(state, monkeypatch) as srv:
        monkeypatch.setattr(HuggingFaceMedia, "progress_interval", 0.1)
        yield srv


async def collect(model: str, prompt: str = "a red fox", **kwargs: Any) -> list[Any]:
    """Through the failover engine: HuggingFaceMedia offers one candidate per live route."""
    kwargs.setdefault("api_key", TOKEN)
    kwargs.setdefault("poll_interval", 0.02)
    return [
        c
        async for c in failover(
            HuggingFaceMedia, model, [{"role": "user", "content": prompt}], **kwargs
        )
    ]


async def collect_route(model: str, prompt: str = "a red fox", **kwargs: Any) -> list[Any]:
    """The provider alone: one attempt on the model's first live route."""
    kwargs.setdefault("api_key", TOKEN)
    kwargs.setdefault("poll_interval", 0.02)
    return [
        c
        async for c in HuggingFaceMedia.create_async_generator(
            model, [{"role": "user", "content": prompt}], **kwargs
        )
    ]


def media(chunks: list[Any]) -> list[Any]:
    return [c for c in chunks if isinstance(c, (ImageResponse, VideoResponse))]


def paths(server: FakeServer, method: str = "POST") -> list[str]:
    return [r["path"] for r in server.requests if r["method"] == method]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local fake server
        return response.read()


async def test_no_token_is_missing_auth(server: FakeServer) -> None:
    with pytest.raises(MissingAuthError) as info:
        await collect(FLUX, api_key=None)
    assert "token" in str(info.value)
    assert server.requests == []


async def test_fal_queue_image_reports_progress_and_sends_prompt(
    server: FakeServer, state: MediaState
) -> None:
    chunks = await collect_route(FLUX, width=512, height=256)
    [image] = media(chunks)
    assert isinstance(image, ImageResponse) and image.urls == [f"{server.url}/files/a.png"]
    assert fetch(image.urls[0]) == PNG
    [body] = state.submitted("/fal-ai/")
    assert body["prompt"] == "a red fox"
    assert body["image_size"] == {"width": 512, "height": 256}
    polls = [p for p in paths(server, "GET") if p.endswith("/status")]
    # The short app path of response_url is polled, through the router, not fal's own host.
    assert polls and all(p.startswith("/fal-ai/fal-ai/flux/requests/") for p in polls)
    assert len(polls) == 3
    labels = [c.label for c in chunks if isinstance(c, Reasoning)]
    assert "In queue" in labels and "Generating" in labels and "Completed" in labels
    [info] = [c for c in chunks if isinstance(c, ProviderInfo)]
    assert info.label == "HuggingFace (fal-ai)" and info.model == FLUX
    assert chunks.index(info) < chunks.index(image)


async def test_fal_video_result_is_served_mp4(server: FakeServer, state: MediaState) -> None:
    chunks = await collect(WAN, prompt="waves", aspect_ratio="9:16")
    [video] = media(chunks)
    assert isinstance(video, VideoResponse)
    assert fetch(video.urls[0]) == MP4
    [body] = state.submitted("/fal-ai/")
    assert body == {"prompt": "waves", "aspect_ratio": "9:16"}


async def test_fal_deadline(server: FakeServer, state: MediaState) -> None:
    state.fal_polls = None
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        await collect(WAN, timeout=0.5)
    assert time.monotonic() - start < 3


async def test_fal_failed_job_is_typed(server: FakeServer, state: MediaState) -> None:
    server.faults.add(status=500, message="worker crashed", path="/status")
    with pytest.raises(Exception) as info:
        await collect_route(WAN)
    assert getattr(info.value, "status_code", None) == 500


@pytest.mark.parametrize("mode, count", [("wait", 1), ("list", 2)])
async def test_replicate_prefer_wait(
    server: FakeServer, state: MediaState, mode: str, count: int
) -> None:
    state.replicate_mode = mode
    chunks = await collect(f"{WAN}:replicate")
    [video] = media(chunks)
    assert isinstance(video, VideoResponse) and len(video.urls) == count
    assert all(fetch(url) == MP4 for url in video.urls)
    post = [r for r in server.requests if r["method"] == "POST"]
    assert [r["path"] for r in post] == [
        "/replicate/v1/models/wan-video/wan-2.1-t2v-480p/predictions"
    ]
    assert post[0]["headers"]["Prefer"] == "wait"
    assert state.submitted("/replicate/")[0] == {
        "input": {"prompt": "a red fox", "aspect_ratio": "16:9"}
    }


async def test_replicate_still_processing_is_polled(server: FakeServer, state: MediaState) -> None:
    state.replicate_mode = "processing"
    chunks = await collect(f"{WAN}:replicate")
    assert isinstance(media(chunks)[0], VideoResponse)
    assert state.replicate_polls == 2
    assert any(isinstance(c, Reasoning) and c.label == "Generating" for c in chunks)


async def test_replicate_version_route(server: FakeServer, state: MediaState) -> None:
    chunks = await collect("hunyuan-video")
    assert isinstance(media(chunks)[0], VideoResponse)
    [body] = state.submitted("/replicate/v1/predictions")
    assert body["version"].startswith("6c9132") and body["input"]["prompt"] == "a red fox"


@pytest.mark.parametrize("fmt", ["url", "b64_json"])
async def test_together_openai_images(server: FakeServer, state: MediaState, fmt: str) -> None:
    state.together_format = fmt
    chunks = await collect(f"{FLUX}:together", aspect_ratio="16:9")
    [image] = media(chunks)
    if fmt == "url":
        assert fetch(image.urls[0]) == PNG
    else:
        assert image.urls[0] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    [body] = state.submitted("/together/")
    assert body["model"] == FLUX and body["prompt"] == "a red fox"
    assert (body["width"], body["height"]) == (1024, 576)
    assert paths(server) == ["/together/v1/images/generations"]


async def test_binary_image_becomes_data_uri(server: FakeServer, state: MediaState) -> None:
    chunks = await collect("flux-schnell")
    [image] = media(chunks)
    assert image.urls[0].startswith("data:image/png;base64,")
    assert base64.b64decode(image.urls[0].split(",", 1)[1]) == PNG
    [body] = state.submitted("/hf-inference/")
    assert body["inputs"] == "a red fox" and body["parameters"]["width"] == 1024


async def test_novita_video_url(server: FakeServer) -> None:
    chunks = await collect(f"{WAN}:novita")
    [video] = media(chunks)
    assert video.urls == [f"{server.url}/files/n.mp4"]


async def test_402_fails_over_to_next_provider(server: FakeServer, state: MediaState) -> None:
    state.fail["fal-ai"] = 402
    chunks = await collect(FLUX)
    [image] = media(chunks)
    assert image.urls == [f"{server.url}/files/t.png"]
    assert paths(server) == ["/fal-ai/fal-ai/flux/dev", "/together/v1/images/generations"]
    info = [c for c in chunks if isinstance(c, ProviderInfo)]
    assert info[-1].label == "HuggingFace (together)"


async def test_all_failed_raises_each_routes_typed_error(
    server: FakeServer, state: MediaState
) -> None:
    state.fail.update({"fal-ai": 402, "together": 400, "nebius": 402})
    with pytest.raises(RetryProviderError) as info:
        await collect(FLUX)
    errors = info.value.exceptions
    assert [type(e) for e in errors.values()][::2] == [PaymentRequiredError] * 2
    assert list(errors) == [
        f"HuggingFaceMedia ({FLUX}:{p})" for p in ("fal-ai", "together", "nebius")
    ]
    assert "credits" in str(info.value)
    assert len(str(info.value).splitlines()) == 4  # the summary, then one line per route
    assert len(paths(server)) == 3


async def test_pinned_provider_failure_does_not_fail_over(
    server: FakeServer, state: MediaState
) -> None:
    state.fail["together"] = 402
    with pytest.raises(PaymentRequiredError):
        await collect(f"{FLUX}:together")
    assert paths(server) == ["/together/v1/images/generations"]
    with pytest.raises(ModelNotFoundError):
        await collect(f"{FLUX}:replicate")


async def test_long_rate_limit_cools_the_route_down_and_moves_on(server: FakeServer) -> None:
    # Retry-After 7 s is over the engine's LONG_WAIT: another route exists, so it is used.
    server.faults.add(
        status=429, message="Rate limit", headers={"Retry-After": "7"}, path="/fal-ai/"
    )
    chunks = await collect(FLUX)
    assert len(media(chunks)) == 1
    assert paths(server) == ["/fal-ai/fal-ai/flux/dev", "/together/v1/images/generations"]
    assert is_cooling_down(f"HuggingFaceMedia ({FLUX}:fal-ai)")


async def test_long_rate_limit_on_the_only_route_is_raised(server: FakeServer) -> None:
    server.faults.add(
        status=429, message="Rate limit", headers={"Retry-After": "7"}, path="/fal-ai/"
    )
    with pytest.raises(RateLimitError) as info:
        await collect(f"{FLUX}:fal-ai", timeout=3)  # 7 s do not fit in the 3 s deadline
    assert info.value.retry_after == 7
    assert paths(server) == ["/fal-ai/fal-ai/flux/dev"]


async def test_bad_token_never_shown(server: FakeServer) -> None:
    bad = "hf_wrongTokenValue987654321"
    with pytest.raises(MissingAuthError) as info:
        await collect(FLUX, api_key=bad)
    assert bad not in str(info.value) and bad not in repr(info.value)
    assert bad not in (info.value.body or "")


@pytest.mark.parametrize(
    "model, error",
    [
        ("nobody/unknown", ModelNotFoundError),
        ("deepseek-ai/DeepSeek-R1", ModelNotFoundError),
        ("Lightricks/LTX-Video", ModelNotFoundError),
    ],
)
async def test_models_without_live_media_route(server: FakeServer, model: str, error: type) -> None:
    with pytest.raises(error):
        await collect(model)
    assert paths(server) == []


@pytest.mark.parametrize("kwargs", [{"prompt": " "}, {"n": 0}, {"n": 11}])
async def test_bad_input_is_typed(server: FakeServer, kwargs: dict[str, Any]) -> None:
    prompt = kwargs.pop("prompt", "x")
    with pytest.raises(BadRequestError):
        await collect_route(FLUX, prompt=prompt, **kwargs)


async def test_n_runs_concurrent_jobs(server: FakeServer, state: MediaState) -> None:
    chunks = await collect(FLUX, n=3)
    assert len(media(chunks)) == 3
    assert len(state.fal_jobs) == 3
    # The mapping is fetched once and cached.
    assert sum(1 for p in paths(server, "GET") if p.startswith("/api/models/")) == 1


async def test_cancel_closes_the_connection(server: FakeServer, state: MediaState) -> None:
    state.replicate_mode = "hold"
    stream = HuggingFaceMedia.create_async_generator(
        f"{WAN}:replicate", [{"role": "user", "content": "long"}], api_key=TOKEN
    )
    first = await asyncio.wait_for(stream.__anext__(), 5)
    assert isinstance(first, Reasoning) and first.label == "Generating"
    await stream.aclose()
    for _ in range(100):
        if state.disconnected:
            break
        await asyncio.sleep(0.02)
    assert state.disconnected


async def test_discovery_orders_video_first_and_keys_only_video(server: FakeServer) -> None:
    models = await HuggingFaceMedia.refresh_models(api_key=TOKEN)
    assert models[:4] == [WAN, f"{WAN}:fal-ai", f"{WAN}:replicate", f"{WAN}:novita"]
    assert FLUX in models and f"{FLUX}:together" in models and f"{FLUX}:hf-inference" not in models
    assert "deepseek-ai/DeepSeek-R1" not in models and "Lightricks/LTX-Video" not in models
    keys = HuggingFaceMedia.any_model_keys()
    assert (
        keys["wan-2.1"] == WAN
        and keys[WAN] == WAN
        and keys["hunyuan-video"] == "tencent/HunyuanVideo"
    )
    # Image models reach AnyProvider too (images.generate(model="flux")); pins do not.
    assert keys["flux"] == FLUX and keys[FLUX] == FLUX and not any(":" in k for k in keys)


async def test_discovery_falls_back_to_static(server: FakeServer) -> None:
    server.faults.add(status=503, message="down", path="/api/models")
    models = await HuggingFaceMedia.refresh_models()
    assert models == HuggingFaceMedia.static_models()
    keys = HuggingFaceMedia.any_model_keys()
    assert {"wan-2.1", "hunyuan-video", "ltx-video", *HuggingFaceMedia.video_models} <= set(keys)
    assert {"flux", *HuggingFaceMedia.image_models} <= set(keys)


def test_aliases_and_pins_resolve() -> None:
    assert HuggingFaceMedia.get_model("flux") == FLUX
    assert HuggingFaceMedia.get_model("wan-2.1:fal-ai") == f"{WAN}:fal-ai"
    assert HuggingFaceMedia.get_model("someone/new-model") == "someone/new-model"


async def test_cut_connection_is_a_network_error(server: FakeServer) -> None:
    # aiohttp resends a GET once when a reused connection drops, so cut every poll.
    server.faults.add(cut_after=0, path="/requests/", times=10)
    with pytest.raises(NetworkError):
        await collect_route(FLUX)


async def test_stalled_provider_times_out(server: FakeServer) -> None:
    server.faults.add(stall=3, path="/together/")
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        await collect(f"{FLUX}:together", stream_timeout=0.3)
    assert time.monotonic() - start < 2.5
