"""Issue #14 items 7-11 and 13 (media) through the public client, against tests/fakes/media.py.

Every test asserts what the fake received (path, query, headers, body), how many
requests reached it, and what came back. The same fake routes are completed by the
real ``huggingface_hub.InferenceClient`` in test_media_fake_real_client.py.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import pytest

from g4f.client import Client
from g4f.errors import (
    InvalidRequestError,
    ModelNotFoundError,
    ResponseError,
    TimeoutError,
)
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from tests.fakes.media import LORA, MP4, PNG, TOKEN, MediaState, serve_media
from tests.fakes.server import FakeServer

KONTEXT = "black-forest-labs/FLUX.1-Kontext-dev"
I2V = "Wan-AI/Wan2.2-I2V-A14B"
WAN21 = "Wan-AI/Wan2.1-T2V-14B"
WAN22 = "Wan-AI/Wan2.2-T2V-A14B"
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def state() -> MediaState:
    return MediaState(job_polls=2)


@pytest.fixture
def server(state: MediaState, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with serve_media(state, monkeypatch) as srv:
        yield srv


def image(prompt: str, model: str, **kwargs: Any) -> Any:
    kwargs.setdefault("poll_interval", 0.01)
    return Client(api_key=TOKEN).images.generate(
        prompt, model=model, provider=HuggingFaceMedia, **kwargs
    )


def video(prompt: str, model: str, **kwargs: Any) -> Any:
    kwargs.setdefault("poll_interval", 0.01)
    return Client(api_key=TOKEN).media.generate(
        prompt, model=model, provider=HuggingFaceMedia, **kwargs
    )


def requests(server: FakeServer, method: str, prefix: str = "/") -> list[dict[str, Any]]:
    return [r for r in server.requests if r["method"] == method and r["path"].startswith(prefix)]


# --- 7. together text-to-video: POST /v2/videos {prompt, model}, poll /v2/videos/{id} --------


def test_7_together_video_is_submitted_then_polled(server: FakeServer, state: MediaState) -> None:
    response = video("a wave", f"{WAN22}:together")
    assert response.data[0].url == f"{server.url}/files/tv.mp4"
    assert state.submitted("/together/") == [{"prompt": "a wave", "model": WAN22}]
    assert [r["path"] for r in requests(server, "POST")] == ["/together/v2/videos"]
    polls = requests(server, "GET", "/together/v2/videos/")
    # queued, in_progress, then completed
    assert [p["path"] for p in polls] == ["/together/v2/videos/vid-1"] * 3


def test_7_together_failed_video_is_a_typed_error(server: FakeServer, state: MediaState) -> None:
    state.job_failure = "prompt rejected by the safety filter"
    started = time.monotonic()
    with pytest.raises(ResponseError, match="safety filter"):
        video("a wave", f"{WAN22}:together")
    assert time.monotonic() - started < 3
    assert len(requests(server, "POST")) == 1
    assert len(requests(server, "GET", "/together/v2/videos/")) == 3


# --- 8. wavespeed: /api/v3/{id}, poll data.urls.get until completed, outputs[0] ---------------


@pytest.mark.parametrize(
    "call, model, provider_id, result",
    [
        (image, "Qwen/Qwen-Image", "wavespeed-ai/qwen-image/text-to-image", "w.png"),
        (video, WAN22, "wavespeed-ai/wan-2.2/t2v-480p", "w.mp4"),
    ],
    ids=["image", "video"],
)
def test_8_wavespeed_polls_its_result_url(
    server: FakeServer, state: MediaState, call: Any, model: str, provider_id: str, result: str
) -> None:
    response = call("a fox", f"{model}:wavespeed")
    assert response.data[0].url == f"{server.url}/files/{result}"
    assert [r["path"] for r in requests(server, "POST")] == [f"/wavespeed/api/v3/{provider_id}"]
    [body] = state.submitted("/wavespeed/")
    assert body["prompt"] == "a fox"
    polls = requests(server, "GET", "/wavespeed/")
    # data.urls.get names api.wavespeed.ai; only its path is used, through the router.
    assert [p["path"] for p in polls] == ["/wavespeed/api/v3/predictions/ws-1/result"] * 3
    assert all(p["headers"]["Authorization"] == f"Bearer {TOKEN}" for p in polls)


def test_8_wavespeed_failed_task_is_a_typed_error(server: FakeServer, state: MediaState) -> None:
    state.job_failure = "out of GPU memory"
    started = time.monotonic()
    with pytest.raises(ResponseError, match="out of GPU memory"):
        image("a fox", "Qwen/Qwen-Image:wavespeed")
    assert time.monotonic() - started < 3
    assert len(requests(server, "POST")) == 1
    assert len(requests(server, "GET", "/wavespeed/")) == 3


# --- 9. zai-org: async images with size "WxH", poll async-result, extra headers ---------------


def test_9_zai_org_async_image(server: FakeServer, state: MediaState) -> None:
    response = image("a fox", "zai-org/CogView4-6B", aspect_ratio="16:9")
    assert response.data[0].url == f"{server.url}/files/z.png"
    assert state.submitted("/zai-org/") == [
        {"model": "cogview-4-250304", "prompt": "a fox", "size": "1024x576"}
    ]
    [post] = requests(server, "POST")
    assert post["path"] == "/zai-org/api/paas/v4/async/images/generations"
    polls = requests(server, "GET", "/zai-org/")
    assert [p["path"] for p in polls] == ["/zai-org/api/paas/v4/async-result/zai-1"] * 3
    for request in [post, *polls]:
        assert request["headers"]["x-source-channel"] == "hugging_face"
        assert request["headers"]["Accept-Language"] == "en-US,en"


def test_9_zai_org_failed_task(server: FakeServer, state: MediaState) -> None:
    state.job_failure = "FAIL"
    started = time.monotonic()
    with pytest.raises(ResponseError, match="FAIL"):
        image("a fox", "zai-org/CogView4-6B")
    assert time.monotonic() - started < 3
    assert len(requests(server, "POST")) == 1
    assert len(requests(server, "GET", "/zai-org/")) == 3


# --- 10. nscale: size "WxH", response_format b64_json ----------------------------------------


def test_10_nscale_size_and_b64_json(server: FakeServer, state: MediaState) -> None:
    response = image(
        "a fox",
        "stabilityai/stable-diffusion-xl-base-1.0",
        width=512,
        height=768,
        response_format="b64_json",
    )
    assert base64.b64decode(response.data[0].b64_json) == PNG
    assert state.submitted("/nscale/") == [
        {
            "response_format": "b64_json",
            "prompt": "a fox",
            "model": "stabilityai/stable-diffusion-xl-base-1.0",
            "size": "512x768",
        }
    ]
    assert [r["path"] for r in requests(server, "POST")] == ["/nscale/v1/images/generations"]


# --- 11. fal-ai: images synchronous, video queued, any status waited out ---------------------


def test_11_fal_image_is_synchronous(server: FakeServer, state: MediaState) -> None:
    response = image("a fox", "black-forest-labs/FLUX.1-dev:fal-ai", width=512, height=512)
    assert response.data[0].url == f"{server.url}/files/a.png"
    [post] = requests(server, "POST")
    assert (post["path"], post["query"]) == ("/fal-ai/fal-ai/flux/dev", {})
    assert requests(server, "GET", "/fal-ai/") == [] and state.fal_jobs == {}


def test_11_fal_video_queue_tolerates_unknown_statuses(
    server: FakeServer, state: MediaState
) -> None:
    state.fal_odd_status = "WAITING_FOR_CAPACITY"
    state.fal_polls = 4
    response = video("a wave", f"{WAN21}:fal-ai")
    assert response.data[0].url == f"{server.url}/files/v.mp4"
    [post] = requests(server, "POST")
    assert post["query"] == {"_subdomain": "queue"}
    assert (
        len([r for r in requests(server, "GET", "/fal-ai/") if r["path"].endswith("/status")]) == 5
    )


# --- 13. image-to-image / image-to-video from image= or media=, LoRA adapters ---------------


@pytest.mark.parametrize(
    "provider, prefix, field",
    [
        ("fal-ai", "/fal-ai/", lambda b: (b["image_url"], b["image_urls"])),
        ("replicate", "/replicate/", lambda b: (b["input"]["image"], b["input"]["input_images"])),
        ("together", "/together/", lambda b: (b["image_url"], b["model"])),
        ("wavespeed", "/wavespeed/", lambda b: (b["image"], b["prompt"])),
    ],
)
def test_13_image_to_image_takes_the_image_argument(
    server: FakeServer, state: MediaState, provider: str, prefix: str, field: Any
) -> None:
    response = image("make it red", f"{KONTEXT}:{provider}", image=PNG)
    assert response.data[0].url
    [body] = state.submitted(prefix)
    first, second = field(body)
    assert first == PNG_URI
    assert second in ([PNG_URI], "black-forest-labs/FLUX.1-kontext-dev", "make it red")
    assert len(requests(server, "POST")) == 1


@pytest.mark.parametrize(
    "provider, prefix, field",
    [
        ("fal-ai", "/fal-ai/", lambda b: b["image_url"]),
        ("replicate", "/replicate/", lambda b: b["input"]["image"]),
        ("together", "/together/", lambda b: b["frame_images"][0]["input_image"]),
        ("wavespeed", "/wavespeed/", lambda b: b["image"]),
    ],
)
def test_13_image_to_video_takes_the_media_argument(
    server: FakeServer, state: MediaState, provider: str, prefix: str, field: Any
) -> None:
    response = video("make it move", f"{I2V}:{provider}", media=[(PNG, "still.png")])
    [result] = response.data
    assert result.url and result.url.endswith(".mp4")
    [body] = state.submitted(prefix)
    assert field(body) == PNG_URI
    assert len(requests(server, "POST")) == 1


def test_13_together_non_kontext_models_get_reference_images(
    server: FakeServer, state: MediaState, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes import media

    monkeypatch.setitem(
        media.MODELS,
        "black-forest-labs/FLUX.2-dev",
        {
            "together": {
                "status": "live",
                "providerId": "black-forest-labs/FLUX.2-dev",
                "task": "image-to-image",
            }
        },
    )
    image("make it red", "black-forest-labs/FLUX.2-dev", image="https://example.com/in.png")
    [body] = state.submitted("/together/")
    assert body["reference_images"] == ["https://example.com/in.png"] and "image_url" not in body


@pytest.mark.parametrize(
    "model, kwargs, error",
    [
        (KONTEXT, {}, "needs an input image"),
        ("black-forest-labs/FLUX.1-dev", {"image": PNG}, "does not take an input image"),
        (KONTEXT, {"image": PNG, "media": [(PNG, "b.png")]}, "one input image"),
    ],
    ids=["missing", "unexpected", "two"],
)
def test_13_wrong_image_input_is_typed_before_any_submit(
    server: FakeServer, model: str, kwargs: dict[str, Any], error: str
) -> None:
    with pytest.raises((ModelNotFoundError, InvalidRequestError), match=error):
        image("make it red", model, **kwargs)
    assert requests(server, "POST") == []


def test_13_lora_adapters_follow_the_mapping(server: FakeServer, state: MediaState) -> None:
    image("a fox", f"{LORA}:fal-ai")
    image("a fox", f"{LORA}:replicate")
    [fal] = state.submitted("/fal-ai/")
    assert fal["loras"] == [
        {"path": f"{server.url}/{LORA}/resolve/main/watercolor.safetensors", "scale": 1}
    ]
    assert [r["path"] for r in requests(server, "POST")][0] == "/fal-ai/fal-ai/flux-lora"
    [replicate] = state.submitted("/replicate/")
    assert replicate["input"]["lora_weights"] == f"https://huggingface.co/{LORA}"
    assert "loras" not in replicate["input"]


def test_13_video_bytes_are_fetchable(server: FakeServer) -> None:
    import urllib.request

    response = video("make it move", f"{I2V}:together", image=PNG)
    with urllib.request.urlopen(response.data[0].url, timeout=5) as reply:  # noqa: S310 - local fake
        assert reply.read() == MP4


# --- deadlines of the polled routes (7, 8, 9) -------------------------------------------------


@pytest.mark.parametrize(
    "call, model, prefix",
    [
        (video, f"{WAN22}:together", "/together/v2/videos/"),
        (image, "Qwen/Qwen-Image:wavespeed", "/wavespeed/api/v3/predictions/"),
        (image, "zai-org/CogView4-6B", "/zai-org/api/paas/v4/async-result/"),
    ],
    ids=["together", "wavespeed", "zai-org"],
)
def test_polled_jobs_end_at_the_deadline(
    server: FakeServer, state: MediaState, call: Any, model: str, prefix: str
) -> None:
    state.job_polls = 10**6
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        # One attempt: the client's retry policy would start the job again after a timeout.
        call("a fox", model, timeout=0.6, poll_interval=0.05, max_retries=0)
    elapsed = time.monotonic() - started
    assert 0.5 < elapsed < 3
    polls = len(requests(server, "GET", prefix))
    # One poll per interval at most (the first one waits an interval too).
    assert 1 <= polls <= 0.6 / 0.05 + 1
    assert len(requests(server, "POST")) == 1
