"""The API server owns one connection pool: upstream connections are reused, closed on cleanup."""

from __future__ import annotations

from collections.abc import Iterator

import aiohttp
import pytest

from tests.api.conftest import serve
from tests.chaos._sockets import available, connections_to
from tests.client.test_client_pool import CountingRouter
from tests.fakes.router import TOKEN

pytestmark = pytest.mark.skipif(not available(), reason="needs Linux /proc to count sockets")

BODY = {"model": "llama-3.3-70b", "messages": [{"role": "user", "content": "Hello"}]}


@pytest.fixture
def router(
    monkeypatch: pytest.MonkeyPatch, mock_registry: dict[str, str]
) -> Iterator[CountingRouter]:
    mock_registry["HuggingFaceAPI"] = "g4f.Provider.hf.HuggingFaceAPI"
    with CountingRouter() as fake:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", fake.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield fake


async def test_server_reuses_upstream_connections_and_closes_them_on_cleanup(
    router: CountingRouter,
) -> None:
    from g4f.api import create_app

    async with aiohttp.ClientSession() as client:
        async with serve(create_app(provider="HuggingFaceAPI")) as (url, _):
            for stream in (False, True, False, True, False):
                async with client.post(
                    url + "/v1/chat/completions", json={**BODY, "stream": stream}
                ) as response:
                    assert response.status == 200
                    body = await response.read()
                    assert body.endswith(b"data: [DONE]\n\n") if stream else b"choices" in body
            assert connections_to(router.port) == 1, "one idle upstream connection between requests"
        assert connections_to(router.port) == 0, "cleanup closes the server's pool"
    assert len(router.ports) == 5
    assert len(set(router.ports)) == 1


async def test_server_callers_tokens_never_cross_through_its_pool(
    router: CountingRouter,
) -> None:
    from g4f.api import create_app

    async with aiohttp.ClientSession() as client:
        async with serve(create_app(provider="HuggingFaceAPI")) as (url, _):
            for key in ("hf_callerOne0123456789", TOKEN, "hf_callerTwo0123456789"):
                async with client.post(
                    url + "/v1/chat/completions",
                    json=BODY,
                    headers={"Authorization": f"Bearer {key}"},
                ) as response:
                    await response.read()
    sent = [r["headers"].get("Authorization") for r in router.requests if "chat" in r["path"]]
    assert sent == [
        "Bearer hf_callerOne0123456789",
        f"Bearer {TOKEN}",
        "Bearer hf_callerTwo0123456789",
    ]
    assert all("Cookie" not in r["headers"] for r in router.requests)
