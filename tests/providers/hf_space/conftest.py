"""Fixtures: the fake Spaces (a real Gradio server) and a fake Hub that says where they run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.gradio_app import CHAT, FLUX_DEV, KONTEXT, SD35, GradioServer
from tests.fakes.space_hub import FakeSpaceHub

#: Each declared Space's Hub id, its mount on the fake server and its hardware.
SPACE_MOUNTS = {
    "black-forest-labs/FLUX.1-dev": (FLUX_DEV, "zero-a10g"),
    "black-forest-labs/FLUX.1-Kontext-Dev": (KONTEXT, "zero-a10g"),
    "stabilityai/stable-diffusion-3.5-large": (SD35, "cpu-basic"),
    "Qwen/Qwen2.5": (CHAT, "cpu-basic"),
}


@pytest.fixture(autouse=True)
def fresh_space_caches() -> Iterator[None]:
    """No test sees a Space host or ``/config`` another test cached."""
    from g4f.state import reset_state

    reset_state()
    yield
    reset_state()


@pytest.fixture(scope="session")
def gradio_server() -> Iterator[GradioServer]:
    with GradioServer() as server:
        yield server


@pytest.fixture
def space_hub(
    gradio_server: GradioServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeSpaceHub]:
    """The fake Hub (``HF_ENDPOINT``) knowing every declared Space, all RUNNING."""
    with FakeSpaceHub() as hub:
        for space, (mount, hardware) in SPACE_MOUNTS.items():
            hub.add(space, gradio_server.space_url(mount) + "/", hardware=hardware)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_SPACES_ENDPOINT", raising=False)
        yield hub


@pytest.fixture
def spaces(gradio_server: GradioServer, space_hub: FakeSpaceHub) -> GradioServer:
    """The fake Spaces, found through the fake Hub as on huggingface.co."""
    return gradio_server
