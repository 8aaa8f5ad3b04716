"""The fakes held to the real client: ``gradio_client.Client`` against the fake Spaces and Hub.

A route the real client cannot complete against the fakes is a bug in the fakes. gradio_client
resolves ``owner/name`` through huggingface_hub (``space_info`` → ``host``, then
``get_space_runtime`` → ``stage``: gradio_client ``client.py`` ``Client.__init__``); those go to
the fake Hub here, the Gradio calls to the fake Spaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.gradio_app import CHAT, FLUX_DEV, KONTEXT, SD35, GradioServer, png_size
from tests.fakes.space_hub import FakeSpaceHub
from tests.providers.hf_space.test_spaces import PNG_8x6

gradio_client = pytest.importorskip("gradio_client", reason="gradio_client (dev extra) is needed")


@pytest.fixture(autouse=True)
def nothing_leaves_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """gradio_client reports usage unless ``GRADIO_ANALYTICS_ENABLED`` says no (its
    ``analytics_enabled=False`` alone does not), through huggingface_hub's telemetry, whose
    switch is read at import; both are turned off, and anything else trying to leave
    127.0.0.1 meets a dead proxy."""
    import huggingface_hub.constants

    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_DISABLE_TELEMETRY", True)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def hub_for_gradio_client(
    space_hub: FakeSpaceHub, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSpaceHub]:
    """huggingface_hub's module-level API (read by gradio_client) pointed at the fake Hub.

    huggingface_hub reads ``HF_ENDPOINT`` once, at import, into its default ``HfApi``; the
    fixture points that instance at the fake instead.
    """
    import huggingface_hub.hf_api

    monkeypatch.setattr(huggingface_hub.hf_api.api, "endpoint", space_hub.url)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield space_hub


def connect(src: str, tmp_path: Path) -> Any:
    return gradio_client.Client(
        src, verbose=False, analytics_enabled=False, download_files=str(tmp_path)
    )


def test_gradio_client_resolves_the_space_through_the_fake_hub(
    gradio_server: GradioServer, hub_for_gradio_client: FakeSpaceHub, tmp_path: Path
) -> None:
    client = connect("Qwen/Qwen2.5", tmp_path)
    assert client.src.rstrip("/") == gradio_server.space_url(CHAT)
    assert hub_for_gradio_client.paths() == [
        "/api/spaces/Qwen/Qwen2.5",
        "/api/spaces/Qwen/Qwen2.5/runtime",
    ]
    _, history, system = client.predict("hi", [], "Be short", "7B", api_name="/model_chat")
    # Gradio 6 Chatbot messages carry their content as a list of parts.
    assert history[-1]["content"] == [{"type": "text", "text": "[7B turn 1] Be short: hi"}]
    assert system == "Be short"


def test_gradio_client_refuses_a_paused_space_as_the_fake_hub_says(
    gradio_server: GradioServer, hub_for_gradio_client: FakeSpaceHub, tmp_path: Path
) -> None:
    hub_for_gradio_client.add("Qwen/Qwen2.5", gradio_server.space_url(CHAT) + "/", "PAUSED")
    with pytest.raises(ValueError, match="PAUSED"):
        connect("Qwen/Qwen2.5", tmp_path)


def test_gradio_client_streams_the_chat_space(gradio_server: GradioServer, tmp_path: Path) -> None:
    client = connect(gradio_server.space_url(CHAT), tmp_path)
    job = client.submit("hello", [], "S", "72B", api_name="/model_chat")
    outputs = list(job)
    assert len(outputs) >= 3  # every diff-applied update, not only the last
    assert outputs[-1][1][-1]["content"][0]["text"] == "[72B turn 1] S: hello"


def test_gradio_client_runs_the_flux_dev_space(gradio_server: GradioServer, tmp_path: Path) -> None:
    client = connect(gradio_server.space_url(FLUX_DEV), tmp_path)
    # Called by keyword with the real Space's parameter names, as its "Use via API" page does.
    image, seed = client.predict(
        prompt="a kite",
        seed=3,
        randomize_seed=False,
        width=512,
        height=256,
        guidance_scale=3.5,
        num_inference_steps=2,
        api_name="/infer",
    )
    assert png_size(Path(image).read_bytes()) == (32, 16) and seed == 3


def test_gradio_client_uploads_to_the_kontext_space(
    gradio_server: GradioServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.png"
    source.write_bytes(PNG_8x6)
    client = connect(gradio_server.space_url(KONTEXT), tmp_path)
    # gradio_client leaves the third output (a button update) out of the result.
    image, _ = client.predict(
        gradio_client.handle_file(str(source)), "edit", 0, True, 2.5, 1, api_name="/infer"
    )
    assert png_size(Path(image).read_bytes()) == (16, 12)


def test_gradio_client_reads_the_sd35_api(gradio_server: GradioServer, tmp_path: Path) -> None:
    client = connect(gradio_server.space_url(SD35), tmp_path)
    info = client.view_api(print_info=False, return_format="dict")
    params = [p["parameter_name"] for p in info["named_endpoints"]["/infer"]["parameters"]]
    assert params == [
        "prompt",
        "negative_prompt",
        "seed",
        "randomize_seed",
        "width",
        "height",
        "guidance_scale",
        "num_inference_steps",
    ]
    image, seed = client.predict("a", "b", 1, False, 320, 640, 4.5, 2, api_name="/infer")
    assert png_size(Path(image).read_bytes()) == (20, 40) and seed == 1
