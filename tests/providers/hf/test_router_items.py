"""Issue #14 items 12 and 13 (chat) through the public client.

12: the Hub's repository errors (huggingface_hub ``utils/_http.py``): ``RepoNotFound``
is a missing model, ``GatedRepo`` a licence to accept, and only a rejected token is
:class:`MissingAuthError` — for HuggingFaceMedia (tests/fakes/media.py) and
HuggingFaceInference (tests/fakes/hub.py).
13: the per-provider chat route of HuggingFaceAPI (tests/fakes/router.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from g4f.client import Client
from g4f.errors import BadRequestError, GatedModelError, MissingAuthError, ModelNotFoundError
from g4f.Provider.hf._api_route import clear_routes
from g4f.Provider.hf._inference_hub import clear_model_data
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from tests.fakes.hub import FakeHub
from tests.fakes.media import GATED, MediaState, serve_media
from tests.fakes.media import TOKEN as MEDIA_TOKEN
from tests.fakes.router import TOKEN, ChatScript, FakeRouter
from tests.fakes.server import FakeServer

HELLO = [{"role": "user", "content": "Capital of France?"}]
ANSWER = "Paris is the capital of France."


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    with serve_media(MediaState(), monkeypatch) as server:
        yield server


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeRouter, FakeHub]]:
    clear_model_data()
    clear_routes()
    with FakeRouter() as router, FakeHub() as hub:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        router.chat = ChatScript(content=ANSWER)
        yield router, hub
    clear_model_data()
    clear_routes()


# --- 12. HuggingFaceMedia --------------------------------------------------------------------


def test_12_media_missing_repo_is_model_not_found(media: FakeServer) -> None:
    with pytest.raises(ModelNotFoundError, match="not found on the Hub") as info:
        Client(api_key=MEDIA_TOKEN).images.generate(
            "a fox", model="nobody/private-model", provider=HuggingFaceMedia
        )
    assert info.value.status_code == 401
    assert "token" not in str(info.value).lower()
    assert [r["path"] for r in media.requests] == ["/api/models/nobody/private-model"]


def test_12_media_gated_repo_says_to_accept_the_licence(media: FakeServer) -> None:
    with pytest.raises(GatedModelError) as info:
        Client(api_key=MEDIA_TOKEN).images.generate("a fox", model=GATED, provider=HuggingFaceMedia)
    assert isinstance(info.value, MissingAuthError)
    assert "accept its licence" in str(info.value)
    assert info.value.url == f"{media.url}/{GATED}"
    assert len(media.requests) == 1


def test_12_media_rejected_token_stays_missing_auth(media: FakeServer) -> None:
    with pytest.raises(MissingAuthError) as info:
        Client(api_key="hf_rejectedToken000000000").images.generate(
            "a fox", model="black-forest-labs/FLUX.1-dev", provider=HuggingFaceMedia
        )
    assert not isinstance(info.value, GatedModelError)
    assert len(media.requests) == 1


# --- 12. HuggingFaceInference ----------------------------------------------------------------


def test_12_inference_missing_repo_is_model_not_found(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    with pytest.raises(ModelNotFoundError, match="not found on the Hub"):
        Client(api_key=TOKEN).chat.completions.create(
            model="nobody/private-model", messages=HELLO, provider=HuggingFaceInference
        )
    assert len(hub.requests) == 1 and router.requests == []


def test_12_inference_gated_repo(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    hub.gated.add("Qwen/QwQ-32B")
    with pytest.raises(GatedModelError, match="accept its licence") as info:
        Client(api_key=TOKEN).chat.completions.create(
            model="Qwen/QwQ-32B", messages=HELLO, provider=HuggingFaceInference
        )
    assert info.value.status_code == 403 and info.value.url == f"{hub.url}/Qwen/QwQ-32B"
    assert len(hub.requests) == 1 and router.requests == []


def test_12_inference_rejected_token_is_missing_auth(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    with pytest.raises(MissingAuthError) as info:
        Client(api_key="hf_rejectedToken000000000").chat.completions.create(
            model="Qwen/QwQ-32B", messages=HELLO, provider=HuggingFaceInference
        )
    assert not isinstance(info.value, GatedModelError)
    assert len(hub.requests) == 1


# --- 13. HuggingFaceAPI per-provider route ---------------------------------------------------


@pytest.mark.parametrize(
    "model, provider, path, provider_model",
    [
        (
            "llama-3.3-70b",
            "together",
            "/together/v1/chat/completions",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
        ),
        (
            "meta-llama/Llama-3.3-70B-Instruct",
            "novita",
            "/novita/v3/openai/chat/completions",
            "meta-llama/llama-3.3-70b-instruct",
        ),
        ("openai/gpt-oss-120b", "groq", "/groq/openai/v1/chat/completions", "openai/gpt-oss-120b"),
        ("zai-org/GLM-4.6", "zai-org", "/zai-org/api/paas/v4/chat/completions", "glm-4.6"),
        (
            "meta-llama/Llama-3.3-70B-Instruct",
            "hf-inference",
            "/hf-inference/models/meta-llama/Llama-3.3-70B-Instruct/v1/chat/completions",
            "meta-llama/Llama-3.3-70B-Instruct",
        ),
    ],
    ids=["together", "novita", "groq", "zai-org", "hf-inference"],
)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_13_chat_on_a_named_provider_route(
    fakes: tuple[FakeRouter, FakeHub],
    model: str,
    provider: str,
    path: str,
    provider_model: str,
    stream: bool,
) -> None:
    router, hub = fakes
    client = Client(api_key=TOKEN)
    result = client.chat.completions.create(
        model=model,
        messages=HELLO,
        provider=HuggingFaceAPI,
        inference_provider=provider,
        stream=stream,
    )
    if stream:
        text = "".join(chunk.choices[0].delta.content or "" for chunk in result)
    else:
        text = result.choices[0].message.content
    assert text == ANSWER
    [post] = [r for r in router.requests if r["method"] == "POST"]
    assert post["path"] == path
    assert router.chat_bodies[0]["model"] == provider_model
    assert [r["query"] for r in hub.requests] == [{"expand[]": "inferenceProviderMapping"}]


def test_13_provider_route_mapping_is_cached(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    client = Client(api_key=TOKEN)
    for _ in range(2):
        client.chat.completions.create(
            model="llama-3.3-70b",
            messages=HELLO,
            provider=HuggingFaceAPI,
            inference_provider="together",
        )
    assert len(hub.requests) == 1 and len(router.chat_bodies) == 2


def test_13_provider_that_does_not_serve_the_model(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    with pytest.raises(ModelNotFoundError, match="not served for chat by groq") as info:
        Client(api_key=TOKEN).chat.completions.create(
            model="llama-3.3-70b",
            messages=HELLO,
            provider=HuggingFaceAPI,
            inference_provider="groq",
        )
    assert "together" in str(info.value)
    assert router.requests == [] and len(hub.requests) == 1


@pytest.mark.parametrize("name", ["../v1", "groq/openai", "", "a b"])
def test_13_invalid_provider_name_is_refused(fakes: tuple[FakeRouter, FakeHub], name: str) -> None:
    router, hub = fakes
    with pytest.raises(BadRequestError):
        Client(api_key=TOKEN).chat.completions.create(
            model="llama-3.3-70b",
            messages=HELLO,
            provider=HuggingFaceAPI,
            inference_provider=name,
        )
    assert router.requests == [] and hub.requests == []


def test_12_router_gated_answer_is_gated_model_error(fakes: tuple[FakeRouter, FakeHub]) -> None:
    router, hub = fakes
    # The router relays the Hub's code for a gated model served by hf-inference.
    message = "Access to model Qwen/QwQ-32B is restricted."
    router.faults.add(
        status=403,
        message=message,
        headers={"X-Error-Code": "GatedRepo", "X-Error-Message": message},
        path="/hf-inference/",
    )
    with pytest.raises(GatedModelError, match="accept its licence"):
        Client(api_key=TOKEN).chat.completions.create(
            model="Qwen/QwQ-32B", messages=HELLO, provider=HuggingFaceInference
        )
    assert len([r for r in router.requests if r["method"] == "POST"]) == 1
