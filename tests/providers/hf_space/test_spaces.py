"""The Space providers against real Gradio apps (tests/fakes/gradio_app.py) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from g4f.cookies import set_cookies
from g4f.errors import (
    BadRequestError,
    InvalidRequestError,
    ModelNotFoundError,
    NetworkError,
    RateLimitError,
)
from g4f.Provider.hf_space import (
    BlackForestLabs_Flux1Dev,
    BlackForestLabs_Flux1KontextDev,
    GradioSpace,
    HuggingSpace,
    Qwen_Qwen_2_5,
    StabilityAI_SD35Large,
)
from g4f.providers.response import (
    FinishReason,
    ImagePreview,
    ImageResponse,
    ProviderInfo,
    Reasoning,
)
from tests.fakes.gradio_app import CHAT, FLUX_DEV, GradioServer, fetch, png_size, space_status
from tests.fakes.space_hub import FakeSpaceHub

PNG_8x6 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEklEQVR4nGNgYPiPFTGMSmBKAAD2Ky/R"
    "eVNxlAAAAABJRU5ErkJggg=="
)


async def run(provider: Any, model: str, content: str = "a lighthouse", **kwargs: Any) -> list[Any]:
    messages = [{"role": "user", "content": content}]
    return [c async for c in provider.create_async_generator(model, messages, **kwargs)]


def images(chunks: list[Any]) -> list[ImageResponse]:
    return [c for c in chunks if isinstance(c, ImageResponse) and not isinstance(c, ImagePreview)]


def text(chunks: list[Any]) -> str:
    return "".join(c for c in chunks if isinstance(c, str))


async def test_flux_dev_queue_progress_and_png(spaces: GradioServer) -> None:
    chunks = await run(
        BlackForestLabs_Flux1Dev, "flux-dev", width=512, height=256, num_inference_steps=4
    )
    progress = [c.status for c in chunks if isinstance(c, Reasoning) and c.label == "Generating"]
    # Gradio samples tqdm progress, so not every step is sent; the first one always is.
    assert progress[0] == "Sampling 0/4" and len(progress) >= 2
    assert all(p.startswith("Sampling ") and p.endswith("/4") for p in progress)
    [image] = images(chunks)
    assert image.urls[0].startswith(spaces.space_url(FLUX_DEV) + "/gradio_api/file=")
    assert png_size(fetch(image.urls[0])) == (32, 16)
    assert image.alt == "a lighthouse"


async def test_aspect_ratio_sets_the_size(spaces: GradioServer) -> None:
    chunks = await run(
        BlackForestLabs_Flux1Dev, "flux-dev", aspect_ratio="16:9", num_inference_steps=1
    )
    assert png_size(fetch(images(chunks)[0].urls[0])) == (64, 36)
    with pytest.raises(BadRequestError):
        await run(BlackForestLabs_Flux1Dev, "flux-dev", aspect_ratio="wide")


@pytest.mark.parametrize("provider", [BlackForestLabs_Flux1Dev, StabilityAI_SD35Large])
async def test_quota_error_is_typed_without_html(spaces: GradioServer, provider: Any) -> None:
    with pytest.raises(RateLimitError) as info:
        await run(provider, provider.default_model, "quota")
    message = str(info.value)
    assert "exceeded your GPU quota" in message and "Subscribe to Pro" in message
    assert "<a" not in message and "href" not in message
    assert info.value.retry_after == 125 and info.value.provider == provider.__name__


async def test_sd35_call_protocol(spaces: GradioServer) -> None:
    chunks = await run(
        StabilityAI_SD35Large, "sd-3.5-large", width=320, height=640, negative_prompt="fog"
    )
    [image] = images(chunks)
    assert png_size(fetch(image.urls[0])) == (20, 40)


async def test_text_to_image_ignores_media(spaces: GradioServer) -> None:
    # Not even read: a text-to-image Space has no image input.
    chunks = await run(
        HuggingSpace, "flux", media=[("no-such-file.png", None)], num_inference_steps=1
    )
    assert images(chunks)


async def test_kontext_uploads_then_edits(spaces: GradioServer) -> None:
    data_uri = "data:image/png;base64," + base64.b64encode(PNG_8x6).decode()
    chunks = await run(
        BlackForestLabs_Flux1KontextDev,
        "flux-kontext-dev",
        "make it blue",
        media=[(data_uri, "in.png")],
        num_inference_steps=2,
    )
    assert png_size(fetch(images(chunks)[0].urls[0])) == (16, 12)
    with pytest.raises(BadRequestError):
        await run(BlackForestLabs_Flux1KontextDev, "flux-kontext-dev", "no image")


async def test_chat_streams_gradio_diffs(spaces: GradioServer) -> None:
    messages = [
        {"role": "system", "content": "Be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": "hello there"},
    ]
    chunks = [c async for c in Qwen_Qwen_2_5.create_async_generator("qwen-2.5-32b", messages)]
    pieces = [c for c in chunks if isinstance(c, str)]
    assert "".join(pieces) == "[32B turn 2] Be brief: hello there"
    assert len(pieces) >= 5  # one piece per diff, not one final blob
    assert chunks[-1] == FinishReason("stop")


async def test_chat_quota_error(spaces: GradioServer) -> None:
    with pytest.raises(RateLimitError):
        await run(Qwen_Qwen_2_5, "qwen-2.5-72b", "quota")


async def test_cancelling_a_long_job_closes_its_connection(spaces: GradioServer) -> None:
    stream = Qwen_Qwen_2_5.create_async_generator(
        "qwen-2.5-72b", [{"role": "user", "content": "slow"}]
    )
    received = ""
    async for chunk in stream:
        if isinstance(chunk, str):
            received += chunk
            if received.count("tick") >= 3:
                break
    await stream.aclose()
    # The server notices the closed SSE connection and stops the generator.
    await asyncio.sleep(1.0)
    first = (await asyncio.to_thread(space_status, spaces))["slow_steps"]
    await asyncio.sleep(0.6)
    second = (await asyncio.to_thread(space_status, spaces))["slow_steps"]
    assert second == first < 100


async def test_long_image_job_shows_progress_and_cancels(spaces: GradioServer) -> None:
    stream = BlackForestLabs_Flux1Dev.create_async_generator(
        "flux-dev", [{"role": "user", "content": "slow"}], num_inference_steps=50
    )
    notes = []
    async for chunk in stream:
        if isinstance(chunk, Reasoning) and chunk.label == "Generating":
            notes.append(chunk.status)
            if len(notes) == 2:
                break
    await stream.aclose()
    assert notes[0] == "Sampling 0/50" and notes[1].startswith("Sampling ")


async def test_zerogpu_token_from_cookies(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    set_cookies("huggingface.co", {"token": "cookie-secret-value"})
    await run(BlackForestLabs_Flux1Dev, "flux-dev", num_inference_steps=1)
    status = await asyncio.to_thread(space_status, spaces, FLUX_DEV)
    assert status["zerogpu_token"] == "eyJzeroGPU.black-forest-labs_FLUX.1-dev.sig"
    assert status["zerogpu_uuid"]
    assert status["cookie"] is None  # the Hub cookies go to the Hub only
    assert space_hub.paths() == [
        "/api/spaces/black-forest-labs/FLUX.1-dev",
        "/api/spaces/black-forest-labs/FLUX.1-dev/jwt",
    ]
    query = space_hub.requests[1]["query"]
    assert query["include_pro_status"] == "true" and query["expiration"].endswith("Z")


async def test_no_cookies_no_zerogpu_token(spaces: GradioServer, space_hub: FakeSpaceHub) -> None:
    await run(BlackForestLabs_Flux1Dev, "flux-dev", num_inference_steps=1)
    status = await asyncio.to_thread(space_status, spaces, FLUX_DEV)
    assert status["zerogpu_token"] is None
    assert space_hub.paths() == ["/api/spaces/black-forest-labs/FLUX.1-dev"]


async def test_refused_zerogpu_token_goes_anonymous(
    spaces: GradioServer, space_hub: FakeSpaceHub
) -> None:
    set_cookies("huggingface.co", {"token": "expired-cookie-value"})
    chunks = await run(BlackForestLabs_Flux1Dev, "flux-dev", num_inference_steps=1)
    assert images(chunks)
    assert space_hub.paths()[-1] == "/api/spaces/black-forest-labs/FLUX.1-dev/jwt"
    assert len(space_hub.requests) == 2


async def test_no_zerogpu_token_for_a_space_the_hub_says_is_not_zerogpu(
    spaces: GradioServer, space_hub: FakeSpaceHub
) -> None:
    set_cookies("huggingface.co", {"token": "cookie-secret-value"})
    chunks = await run(GradioSpace, "space:Qwen/Qwen2.5", "hi")
    assert text(chunks).endswith(": hi")
    # cpu-basic hardware: the Hub's JWT route is never asked, so the cookies stay home.
    assert space_hub.paths() == ["/api/spaces/Qwen/Qwen2.5"]


async def test_any_space_by_id_chat(spaces: GradioServer) -> None:
    chunks = await run(GradioSpace, "space:Qwen/Qwen2.5", "hi")
    assert text(chunks) == "[72B turn 1] You are a helpful assistant.: hi"
    assert sum(isinstance(c, str) for c in chunks) >= 3


async def test_any_space_by_id_image(spaces: GradioServer) -> None:
    chunks = await run(GradioSpace, "space:black-forest-labs/FLUX.1-dev/infer", "a boat")
    [image] = images(chunks)
    assert png_size(fetch(image.urls[0])) == (64, 64)


async def test_any_space_unknown_endpoint(spaces: GradioServer) -> None:
    with pytest.raises(ModelNotFoundError):
        await run(GradioSpace, "space:Qwen/Qwen2.5/nothing")


@pytest.mark.parametrize("model", ["space:only-owner", "space:a/b/c/d", "space:a/../b"])
async def test_any_space_malformed_ids(spaces: GradioServer, model: str) -> None:
    # A malformed id is the caller's mistake, refused before any request.
    with pytest.raises(InvalidRequestError):
        await run(GradioSpace, model)


async def test_unreachable_space_is_a_network_error() -> None:
    with pytest.raises(NetworkError):
        await run(BlackForestLabs_Flux1Dev, "flux-dev", space_url="http://127.0.0.1:9")


async def test_aggregator_routes_by_model(spaces: GradioServer) -> None:
    chunks = await run(HuggingSpace, "flux", n=2, num_inference_steps=1)
    assert len(images(chunks)) == 2
    info = [c for c in chunks if isinstance(c, ProviderInfo)]
    assert info[0].name == "BlackForestLabs_Flux1Dev"
    chat = await run(HuggingSpace, "", "hey")
    assert text(chat).endswith("hey")
    by_id = await run(HuggingSpace, "space:Qwen/Qwen2.5", "yo")
    assert text(by_id).endswith(": yo")
    with pytest.raises(ModelNotFoundError):
        await run(HuggingSpace, "gpt-5")


def test_children_are_only_reached_through_the_aggregator() -> None:
    for child in HuggingSpace.providers:
        assert child.include_in_any is False and child.parent == "HuggingSpace"
    keys = HuggingSpace.any_model_keys()
    assert keys["flux"] == "flux-dev" and keys["qwen-2.5-72b"] == "qwen-2.5-72b"
    assert keys["sd-3.5-large"] == "sd-3.5-large"
    assert CHAT and HuggingSpace.default_image_model == "flux-dev"


async def test_previews_stream_as_diffs_and_are_not_results(spaces: GradioServer) -> None:
    chunks = await run(
        BlackForestLabs_Flux1Dev,
        "flux-dev",
        "preview",
        num_inference_steps=6,
        width=256,
        height=256,
    )
    previews = [c for c in chunks if isinstance(c, ImagePreview)]
    assert len(previews) >= 2
    sizes = [png_size(fetch(p.urls[0])) for p in previews]
    # The second preview only exists as a diff of the first: applying it gives a new file.
    assert sizes[:2] == [(12, 8), (20, 8)]
    [final] = images(chunks)
    assert png_size(fetch(final.urls[0])) == (16, 16)


async def test_kontext_takes_a_path_or_a_url(spaces: GradioServer, tmp_path: Any) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(PNG_8x6)
    chunks = await run(
        BlackForestLabs_Flux1KontextDev,
        "",
        "edit",
        media=[(source, None)],  # a local file is a pathlib.Path, never a string
        num_inference_steps=1,
    )
    edited = images(chunks)[0].urls[0]
    assert png_size(fetch(edited)) == (16, 12)
    # The result of one Space fed to the next by URL.
    again = await run(
        HuggingSpace, "flux-kontext", "again", media=[(edited, None)], num_inference_steps=1
    )
    assert png_size(fetch(images(again)[0].urls[0])) == (32, 24)


async def test_aggregator_default_with_media_edits_the_image(spaces: GradioServer) -> None:
    chunks = await run(HuggingSpace, "", "edit", media=[(PNG_8x6, "in.png")], num_inference_steps=1)
    assert [c.name for c in chunks if isinstance(c, ProviderInfo)] == [
        "BlackForestLabs_Flux1KontextDev"
    ]
    assert png_size(fetch(images(chunks)[0].urls[0])) == (16, 12)
