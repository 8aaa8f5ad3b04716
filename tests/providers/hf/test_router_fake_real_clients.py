"""The fake router and Hub driven by the real clients: huggingface_hub and the openai SDK.

``InferenceClient(provider=...).chat_completion`` reads the Hub mapping from
tests/fakes/hub.py and posts to the provider's route on tests/fakes/router.py, as
huggingface_hub's conversational helpers do (``_providers/_common.py`` and the
per-provider files). The openai SDK uses both the auto route and a per-provider base
URL. A route these clients cannot complete is a bug in the fake.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.hf_client import ROUTER_HOST, real_hf_client
from tests.fakes.hub import FakeHub
from tests.fakes.router import TOKEN, ChatScript, FakeRouter
from tests.fakes.router_chat import CHAT_MAPPING

ANSWER = "Paris is the capital of France."
HELLO = [{"role": "user", "content": "Capital of France?"}]


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeHub, FakeRouter]]:
    with FakeHub() as hub, FakeRouter() as router, real_hf_client(monkeypatch, hub.url, router.url):
        router.chat = ChatScript(content=ANSWER)
        yield hub, router


CASES = [
    ("together", "meta-llama/Llama-3.3-70B-Instruct", "/together/v1/chat/completions"),
    ("novita", "meta-llama/Llama-3.3-70B-Instruct", "/novita/v3/openai/chat/completions"),
    (
        "hf-inference",
        "meta-llama/Llama-3.3-70B-Instruct",
        "/hf-inference/models/meta-llama/Llama-3.3-70B-Instruct/v1/chat/completions",
    ),
    ("groq", "openai/gpt-oss-120b", "/groq/openai/v1/chat/completions"),
    ("cerebras", "openai/gpt-oss-120b", "/cerebras/v1/chat/completions"),
    ("zai-org", "zai-org/GLM-4.6", "/zai-org/api/paas/v4/chat/completions"),
]


@pytest.mark.parametrize("provider, model, path", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_inference_client_chat_per_provider(
    fakes: tuple[FakeHub, FakeRouter], provider: str, model: str, path: str, stream: bool
) -> None:
    from huggingface_hub import InferenceClient

    _, router = fakes
    client = InferenceClient(provider=provider, api_key=TOKEN)  # type: ignore[arg-type]
    answer = client.chat_completion(HELLO, model=model, stream=stream)
    if stream:
        text = "".join(chunk.choices[0].delta.content or "" for chunk in answer if chunk.choices)
    else:
        text = answer.choices[0].message.content
    assert text == ANSWER
    [post] = [r for r in router.requests if r["method"] == "POST"]
    assert (post["host"], post["path"]) == (ROUTER_HOST, path)
    # The provider's own id comes from the fake Hub's mapping (it differs from the Hub id
    # for together, novita, cerebras and zai-org).
    assert router.chat_bodies[0]["model"] == CHAT_MAPPING[model][provider]


def test_inference_client_unknown_provider_model_is_refused_by_the_fake(
    fakes: tuple[FakeHub, FakeRouter],
) -> None:
    import httpx2

    _, router = fakes
    # Posting the Hub id (not the provider's id) to the provider route is what the
    # provider's own API refuses.
    response = httpx2.post(
        f"{router.url}/together/v1/chat/completions",
        json={"model": "meta-llama/Llama-3.3-70B-Instruct", "messages": HELLO},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_openai_sdk_on_the_auto_and_provider_routes(
    fakes: tuple[FakeHub, FakeRouter], stream: bool
) -> None:
    from openai import OpenAI

    _, router = fakes
    for base, model in (
        (f"{router.url}/v1", "meta-llama/Llama-3.3-70B-Instruct:together"),
        (f"{router.url}/together/v1", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        (f"{router.url}/groq/openai/v1", "openai/gpt-oss-120b"),
    ):
        client = OpenAI(base_url=base, api_key=TOKEN, max_retries=0)
        answer = client.chat.completions.create(model=model, messages=HELLO, stream=stream)  # type: ignore[arg-type]
        if stream:
            text = "".join(c.choices[0].delta.content or "" for c in answer if c.choices)
        else:
            text = answer.choices[0].message.content
        assert text == ANSWER, base
        client.close()
    paths = [r["path"] for r in router.requests if r["method"] == "POST"]
    assert paths == [
        "/v1/chat/completions",
        "/together/v1/chat/completions",
        "/groq/openai/v1/chat/completions",
    ]


def test_openai_sdk_lists_the_router_models(fakes: tuple[FakeHub, FakeRouter]) -> None:
    from openai import OpenAI

    _, router = fakes
    with OpenAI(base_url=f"{router.url}/v1", api_key=TOKEN, max_retries=0) as client:
        ids = [model.id for model in client.models.list()]
    assert "openai/gpt-oss-120b" in ids


def test_hfapi_reads_the_fake_hub(fakes: tuple[FakeHub, FakeRouter]) -> None:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

    hub, _ = fakes
    hub.gated.add("Qwen/QwQ-32B")
    api = HfApi(token=TOKEN)
    info = api.model_info("zai-org/GLM-4.6", expand=["inferenceProviderMapping"])
    [mapping] = info.inference_provider_mapping or []
    assert (mapping.provider, mapping.provider_id, mapping.task) == (
        "zai-org",
        "glm-4.6",
        "conversational",
    )
    assert api.model_info("openai/gpt-oss-120b").pipeline_tag == "text-generation"
    with pytest.raises(GatedRepoError):
        api.model_info("Qwen/QwQ-32B")
    with pytest.raises(RepositoryNotFoundError) as missing:
        api.model_info("nobody/no-such-model")
    assert not isinstance(missing.value, GatedRepoError)
    with pytest.raises(HfHubHTTPError) as bad:
        HfApi(token="hf_notTheRightToken000000").model_info("openai/gpt-oss-120b")
    assert not isinstance(bad.value, RepositoryNotFoundError)
