"""HuggingSpace through the public client, against the real Gradio fake Spaces."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest

from g4f.client import AsyncClient, Client
from g4f.errors import RateLimitError
from g4f.Provider import HuggingSpace
from tests.fakes.gradio_app import FLUX_DEV, GradioServer, fetch, png_size, space_status


def test_images_generate_url(spaces: GradioServer) -> None:
    response = Client().images.generate(
        "a red kite",
        model="flux",
        provider=HuggingSpace,
        width=256,
        height=512,
        num_inference_steps=2,
    )
    assert response.provider == "BlackForestLabs_Flux1Dev"
    [image] = response.data
    assert image.url.startswith(spaces.space_url(FLUX_DEV) + "/gradio_api/file=")
    assert png_size(fetch(image.url)) == (16, 32)
    assert image.b64_json is None


def test_images_generate_b64_and_n(spaces: GradioServer) -> None:
    response = Client().images.generate(
        "two kites", model="sd-3.5-large", provider=HuggingSpace, response_format="b64_json", n=2
    )
    assert len(response.data) == 2
    for image in response.data:
        assert image.url is None
        assert png_size(base64.b64decode(image.b64_json)) == (64, 64)


def test_save_writes_only_where_asked(
    spaces: GradioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    response = Client().images.generate(
        "a kite", model="flux-dev", provider="HuggingSpace", num_inference_steps=1
    )
    assert list(work.iterdir()) == []
    target = tmp_path / "out" / "kite.png"
    assert response.save(str(target)) == [str(target)]
    assert png_size(target.read_bytes()) == (64, 64)
    assert list(work.iterdir()) == [] and os.listdir(tmp_path / "out") == ["kite.png"]


def test_quota_error_reaches_the_caller_typed(spaces: GradioServer) -> None:
    with pytest.raises(RateLimitError) as info:
        Client().images.generate("quota", model="flux", provider=HuggingSpace)
    assert "<a" not in str(info.value)


def test_streamed_chat_through_the_chat_space(spaces: GradioServer) -> None:
    stream = Client().chat.completions.create(
        [{"role": "system", "content": "Short"}, {"role": "user", "content": "what is up"}],
        model="qwen-2.5-72b",
        provider=HuggingSpace,
        stream=True,
    )
    chunks = list(stream)
    content = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert "".join(content) == "[72B turn 1] Short: what is up"
    assert len(content) >= 5
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_async_chat_non_stream_and_any_space(spaces: GradioServer) -> None:
    client = AsyncClient()
    completion = await client.chat.completions.create(
        "hello", model="space:Qwen/Qwen2.5", provider=HuggingSpace
    )
    assert (
        completion.choices[0].message.content == "[72B turn 1] You are a helpful assistant.: hello"
    )


def test_previews_are_not_returned_as_results(spaces: GradioServer) -> None:
    response = Client().images.generate(
        "preview", model="flux", provider=HuggingSpace, num_inference_steps=6, width=256, height=256
    )
    [image] = response.data
    assert png_size(fetch(image.url)) == (16, 16)


def test_abandoned_client_stream_stops_the_space(spaces: GradioServer) -> None:
    stream = Client().chat.completions.create(
        "slow", model="qwen-2.5-72b", provider=HuggingSpace, stream=True
    )
    received = ""
    for chunk in stream:
        received += chunk.choices[0].delta.content or "" if chunk.choices else ""
        if received.count("tick") >= 3:
            break
    stream.close()
    time.sleep(1.0)
    first = space_status(spaces)["slow_steps"]
    time.sleep(0.6)
    assert space_status(spaces)["slow_steps"] == first < 100
