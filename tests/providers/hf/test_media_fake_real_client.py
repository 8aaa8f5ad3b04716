"""The fake media router driven by the real ``huggingface_hub.InferenceClient``.

A route the real client cannot complete against tests/fakes/media.py is a bug in the
fake. Each case names the provider helper it exercises
(``huggingface_hub/inference/_providers/<provider>.py``); the client reaches the fake
through tests/fakes/hf_client.py, as if it were huggingface.co and router.huggingface.co.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.hf_client import ROUTER_HOST, real_hf_client
from tests.fakes.media import GATED, LORA, MP4, PNG, TOKEN, MediaState, media_server
from tests.fakes.server import FakeServer

FLUX = "black-forest-labs/FLUX.1-dev"
KONTEXT = "black-forest-labs/FLUX.1-Kontext-dev"
WAN21 = "Wan-AI/Wan2.1-T2V-14B"
WAN22 = "Wan-AI/Wan2.2-T2V-A14B"
I2V = "Wan-AI/Wan2.2-I2V-A14B"
QUEUE = {"_subdomain": "queue"}


@pytest.fixture
def state() -> MediaState:
    return MediaState(job_polls=1, fal_polls=2)


@pytest.fixture
def fake(state: MediaState, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with media_server(state) as server, real_hf_client(monkeypatch, server.url):
        yield server


def posts(server: FakeServer) -> list[dict[str, Any]]:
    return [r for r in server.requests if r["method"] == "POST"]


# (provider, client method, model, submit path, submit query)
CASES = [
    ("fal-ai", "text_to_image", FLUX, "/fal-ai/fal-ai/flux/dev", {}),
    ("fal-ai", "text_to_video", WAN21, "/fal-ai/fal-ai/wan-t2v", QUEUE),
    ("fal-ai", "image_to_image", KONTEXT, "/fal-ai/fal-ai/flux-kontext/dev", QUEUE),
    ("fal-ai", "image_to_video", I2V, "/fal-ai/fal-ai/wan/v2.2-a14b/image-to-video", QUEUE),
    (
        "replicate",
        "text_to_image",
        "stabilityai/stable-diffusion-3.5-large",
        "/replicate/v1/models/stability-ai/stable-diffusion-3.5-large/predictions",
        {},
    ),
    (
        "replicate",
        "text_to_video",
        WAN21,
        "/replicate/v1/models/wan-video/wan-2.1-t2v-480p/predictions",
        {},
    ),
    (
        "replicate",
        "image_to_image",
        KONTEXT,
        "/replicate/v1/models/black-forest-labs/flux-kontext-dev/predictions",
        {},
    ),
    ("together", "text_to_image", FLUX, "/together/v1/images/generations", {}),
    ("together", "image_to_image", KONTEXT, "/together/v1/images/generations", {}),
    ("together", "text_to_video", WAN22, "/together/v2/videos", {}),
    ("together", "image_to_video", I2V, "/together/v2/videos", {}),
    (
        "wavespeed",
        "text_to_image",
        "Qwen/Qwen-Image",
        "/wavespeed/api/v3/wavespeed-ai/qwen-image/text-to-image",
        {},
    ),
    ("wavespeed", "text_to_video", WAN22, "/wavespeed/api/v3/wavespeed-ai/wan-2.2/t2v-480p", {}),
    ("wavespeed", "image_to_image", KONTEXT, "/wavespeed/api/v3/wavespeed-ai/flux-kontext-dev", {}),
    ("wavespeed", "image_to_video", I2V, "/wavespeed/api/v3/wavespeed-ai/wan-2.2/i2v-480p", {}),
    (
        "zai-org",
        "text_to_image",
        "zai-org/CogView4-6B",
        "/zai-org/api/paas/v4/async/images/generations",
        {},
    ),
    (
        "nscale",
        "text_to_image",
        "stabilityai/stable-diffusion-xl-base-1.0",
        "/nscale/v1/images/generations",
        {},
    ),
    ("novita", "text_to_video", WAN21, "/novita/v3/hf/wan-t2v", {}),
    (
        "hf-inference",
        "text_to_image",
        "black-forest-labs/FLUX.1-schnell",
        "/hf-inference/models/black-forest-labs/FLUX.1-schnell",
        {},
    ),
]


@pytest.mark.parametrize(
    "provider, method, model, path, query", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_real_client_completes_every_route(
    fake: FakeServer,
    state: MediaState,
    provider: str,
    method: str,
    model: str,
    path: str,
    query: dict[str, str],
) -> None:
    from huggingface_hub import InferenceClient

    client = InferenceClient(provider=provider, api_key=TOKEN)  # type: ignore[arg-type]
    call = getattr(client, method)
    if method.startswith("image_to"):
        result = call(PNG, prompt="make it red", model=model)
    elif method == "text_to_image":
        result = call("a red fox", model=model, width=64, height=32)
    else:
        result = call("a red fox", model=model)
    if method.endswith("video"):
        assert result == MP4
    else:
        buffer = io.BytesIO()
        result.save(buffer, format="PNG")
        assert result.size == (1, 1)
    [submit] = posts(fake)
    assert (submit["host"], submit["path"], submit["query"]) == (ROUTER_HOST, path, query)
    assert submit["headers"]["Authorization"] == f"Bearer {TOKEN}"
    [(_, body)] = state.bodies
    assert "make it red" in str(body) or "a red fox" in str(body)


def test_real_client_sends_fal_lora_as_the_fake_expects(
    fake: FakeServer, state: MediaState
) -> None:
    from huggingface_hub import InferenceClient

    InferenceClient(provider="fal-ai", api_key=TOKEN).text_to_image("a fox", model=LORA)
    [(_, body)] = state.bodies
    assert body["loras"] == [
        {"path": f"http://huggingface.co/{LORA}/resolve/main/watercolor.safetensors", "scale": 1}
    ]


def test_real_client_sees_the_hub_errors(fake: FakeServer) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

    api = HfApi(token=TOKEN)
    with pytest.raises(GatedRepoError):
        api.model_info(GATED)
    with pytest.raises(RepositoryNotFoundError) as missing:
        api.model_info("nobody/no-such-model")
    assert not isinstance(missing.value, GatedRepoError)
    assert missing.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as bad:
        HfApi(token="hf_notTheRightToken000000").model_info(FLUX)
    assert not isinstance(bad.value, RepositoryNotFoundError)
    assert bad.value.response.status_code == 401
