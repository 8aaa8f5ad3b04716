"""Fixtures: the fake Spaces (a real Gradio server) and the Space providers pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.gradio_app import CHAT, FLUX_DEV, KONTEXT, SD35, GradioServer


@pytest.fixture(scope="session")
def gradio_server() -> Iterator[GradioServer]:
    with GradioServer() as server:
        yield server


@pytest.fixture
def spaces(gradio_server: GradioServer, monkeypatch: pytest.MonkeyPatch) -> GradioServer:
    """Every Space provider's ``url`` pointed at its fake Space."""
    from g4f.Provider.hf_space import (
        BlackForestLabs_Flux1Dev,
        BlackForestLabs_Flux1KontextDev,
        GradioSpace,
        Qwen_Qwen_2_5,
        StabilityAI_SD35Large,
    )

    for provider, mount in (
        (BlackForestLabs_Flux1Dev, FLUX_DEV),
        (BlackForestLabs_Flux1KontextDev, KONTEXT),
        (StabilityAI_SD35Large, SD35),
        (Qwen_Qwen_2_5, CHAT),
    ):
        monkeypatch.setattr(provider, "url", gradio_server.space_url(mount))
    monkeypatch.setattr(GradioSpace, "url", gradio_server.url + "/{subdomain}")
    return gradio_server
