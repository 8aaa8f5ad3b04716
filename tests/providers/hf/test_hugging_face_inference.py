"""HuggingFaceInference against the fake router and Hub: TGI, templates, images, discovery, errors."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from g4f.errors import BadRequestError, ModelNotFoundError, ResponseError, ResponseStatusError
from g4f.Provider.hf._inference_hub import clear_model_data
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.providers.response import FinishReason, ImageResponse, Usage
from tests.fakes.hub import DEEPSEEK_EOS, FakeHub
from tests.fakes.router import LEGACY_HOST, TOKEN, FakeRouter, TgiScript, png_size

HELLO = [{"role": "user", "content": "What is deep learning?"}]


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeRouter, FakeHub]]:
    clear_model_data()
    with FakeRouter() as router, FakeHub() as hub:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield router, hub
    clear_model_data()


@pytest.fixture
def router(fakes: tuple[FakeRouter, FakeHub]) -> FakeRouter:
    return fakes[0]


@pytest.fixture
def hub(fakes: tuple[FakeRouter, FakeHub]) -> FakeHub:
    return fakes[1]


async def collect(stream: AsyncIterator[Any]) -> list[Any]:
    return [chunk async for chunk in stream]


async def run(model: str = "qwq-32b", messages: Any = HELLO, **kwargs: Any) -> list[Any]:
    return await collect(HuggingFaceInference.create_async_generator(model, messages, **kwargs))


async def run_engine(model: str = "qwq-32b", **kwargs: Any) -> list[Any]:
    """Through the failover engine, which owns the 503 ``estimated_time`` wait."""
    from g4f.providers.engine import failover

    return await collect(failover(HuggingFaceInference, model, HELLO, **kwargs))


def text_of(chunks: list[Any]) -> str:
    return "".join(c for c in chunks if isinstance(c, str))


def finish_of(chunks: list[Any]) -> list[str]:
    return [c.reason for c in chunks if isinstance(c, FinishReason)]


def image_of(chunks: list[Any]) -> ImageResponse:
    [image] = [c for c in chunks if isinstance(c, ImageResponse)]
    return image


def decode(uri: str) -> bytes:
    header, _, payload = uri.partition(",")
    assert header == "data:image/png;base64"
    return base64.b64decode(payload)


# --- text generation -----------------------------------------------------------------------


async def test_tgi_stream(router: FakeRouter) -> None:
    chunks = await run()
    body = router.tgi_bodies[-1]
    assert body["model"] == "Qwen/QwQ-32B"
    assert (
        body["inputs"]
        == "<|im_start|>user\nWhat is deep learning?<|im_end|>\n<|im_start|>assistant\n"
    )
    assert body["stream"] is True
    assert body["parameters"] == {
        "return_full_text": False,
        "max_new_tokens": 1024,
        "details": True,
    }
    assert router.requests[-1]["path"] == "/hf-inference/models/Qwen/QwQ-32B"
    assert text_of(chunks) == router.tgi.text.lstrip()
    assert "</s>" not in text_of(chunks), "special tokens are not shown"
    assert sum(isinstance(c, str) for c in chunks) > 3
    assert finish_of(chunks) == ["stop"]
    [usage] = [c for c in chunks if isinstance(c, Usage)]
    assert usage.prompt_tokens == router.tgi.input_length and usage.completion_tokens == 9


async def test_stream_and_non_stream_agree(router: FakeRouter) -> None:
    streamed = await run()
    whole = await run(stream=False)
    assert router.tgi_bodies[-1]["stream"] is False
    assert text_of(streamed) == text_of(whole)
    assert finish_of(streamed) == finish_of(whole) == ["stop"]
    assert [c.get_dict() for c in streamed if isinstance(c, Usage)] == [
        c.get_dict() for c in whole if isinstance(c, Usage)
    ]


async def test_non_stream_without_details(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import g4f.Provider.hf._inference_tgi as tgi

    original = tgi.tgi_parameters
    monkeypatch.setattr(
        "g4f.Provider.hf.HuggingFaceInference.tgi_parameters",
        lambda *a, **k: {**original(*a, **k), "details": False},
    )
    chunks = await run(stream=False)
    assert text_of(chunks) == router.tgi.text.lstrip()
    assert finish_of(chunks) == []


async def test_max_tokens_gives_length(router: FakeRouter) -> None:
    streamed = await run(max_tokens=3)
    whole = await run(max_tokens=3, stream=False)
    assert router.tgi_bodies[-1]["parameters"]["max_new_tokens"] == 3
    assert text_of(streamed) == text_of(whole) == "Deep learning is"
    assert finish_of(streamed) == finish_of(whole) == ["length"]


@pytest.mark.parametrize(("eos", "finish"), [("</s>", "stop"), (None, "length")])
async def test_finish_from_special_token_without_details(
    router: FakeRouter, eos: str | None, finish: str
) -> None:
    router.tgi = TgiScript(eos=eos, details_in_stream=False)
    chunks = await run()
    assert finish_of(chunks) == [finish]
    assert not [c for c in chunks if isinstance(c, Usage)]


async def test_sampling_parameters_and_extra_body(router: FakeRouter) -> None:
    await run(
        temperature=0.7,
        top_p=0.95,
        seed=11,
        stop=["\nUser:"],
        extra_body={"top_k": 40, "repetition_penalty": 1.1},
    )
    parameters = router.tgi_bodies[-1]["parameters"]
    assert (
        parameters["temperature"] == 0.7
        and parameters["top_p"] == 0.95
        and parameters["seed"] == 11
    )
    assert (
        parameters["stop"] == ["\nUser:"]
        and parameters["top_k"] == 40
        and parameters["repetition_penalty"] == 1.1
    )


async def test_gpt2_gets_512_new_tokens(router: FakeRouter) -> None:
    await run(model="openai-community/gpt2")
    body = router.tgi_bodies[-1]
    assert body["parameters"]["max_new_tokens"] == 512
    assert body["inputs"] == HELLO[0]["content"], "generic template, one message"


@pytest.mark.parametrize(
    ("model", "prefix", "suffix"),
    [
        ("qwq-32b", "<|im_start|>system\nBe brief.<|im_end|>\n", "<|im_start|>assistant\n"),
        (
            "llama-3.3-70b",
            "<|begin_of_text|><|start_header_id|>system",
            "<|start_header_id|>assistant<|end_header_id|>\n\n",
        ),
        ("mistral-nemo", "<s>[INST] Be brief.\n\nWhat is deep learning? [/INST]", "[/INST]"),
        (
            "deepseek-r1",
            "<\uff5cbegin\u2581of\u2581sentence\uff5c>Be brief.",
            "<\uff5cAssistant\uff5c>",
        ),
        ("HuggingFaceH4/zephyr-7b-beta", "<|system|>\nBe brief.</s>\n", "<|assistant|>\n"),
        ("unknown/eos-model", "System: Be brief.\nUser: What is deep learning?", "\nAssistant:"),
    ],
)
async def test_template_chosen_from_hub_metadata(
    router: FakeRouter, hub: FakeHub, model: str, prefix: str, suffix: str
) -> None:
    await run(model=model, messages=[{"role": "system", "content": "Be brief."}, *HELLO])
    inputs = router.tgi_bodies[-1]["inputs"]
    assert inputs.startswith(prefix) and inputs.endswith(suffix)
    model_id = HuggingFaceInference.get_model(model)
    assert any(r["path"] == f"/api/models/{model_id}" for r in hub.requests)


async def test_metadata_is_fetched_once(router: FakeRouter, hub: FakeHub) -> None:
    await run()
    await run()
    assert [r["path"] for r in hub.requests] == ["/api/models/Qwen/QwQ-32B"]


async def test_deepseek_eos_object_in_metadata(router: FakeRouter, hub: FakeHub) -> None:
    assert (
        hub.models["deepseek-ai/DeepSeek-R1"]["config"]["tokenizer_config"]["eos_token"]["content"]
        == DEEPSEEK_EOS
    )
    await run(model="deepseek-r1")
    assert router.tgi_bodies[-1]["inputs"].endswith("<\uff5cAssistant\uff5c>")


async def test_action_continue_leaves_the_turn_open(router: FakeRouter) -> None:
    messages = HELLO + [{"role": "assistant", "content": "Deep learning"}]
    chunks = await run(messages=messages, action="continue")
    inputs = router.tgi_bodies[-1]["inputs"]
    assert inputs.endswith("<|im_start|>assistant\nDeep learning")
    assert text_of(chunks) == router.tgi.text, "the first token keeps its space when continuing"


async def test_long_context_is_truncated(router: FakeRouter) -> None:
    messages = [{"role": "system", "content": "SYS"}]
    for index in range(1, 12):
        messages.append(
            {"role": "user" if index % 2 else "assistant", "content": f"T{index} " + "y" * 500}
        )
    await run(messages=messages)
    inputs = router.tgi_bodies[-1]["inputs"]
    assert len(inputs) <= 4096
    assert "T1 " in inputs and "T11 " in inputs and "T5 " not in inputs
    await run(messages=messages, max_inputs_length=1500)
    inputs = router.tgi_bodies[-1]["inputs"]
    assert "SYS" in inputs and "T11 " in inputs and "T1 " not in inputs and "T10 " not in inputs


async def test_token_is_optional(router: FakeRouter) -> None:
    await run()
    assert "Authorization" not in router.requests[-1]["headers"]


async def test_token_is_sent_when_there_is_one(
    router: FakeRouter, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    await run(bill_to="acme-org-bill")
    headers = router.requests[-1]["headers"]
    assert (
        headers["Authorization"] == f"Bearer {TOKEN}" and headers["X-HF-Bill-To"] == "acme-org-bill"
    )
    assert hub.requests[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"


# --- errors --------------------------------------------------------------------------------


async def test_unknown_model_on_the_hub(router: FakeRouter) -> None:
    with pytest.raises(ModelNotFoundError) as info:
        await run(model="nobody/nothing")
    assert info.value.status_code == 404
    assert router.requests == []


async def test_model_not_deployed_on_hf_inference(router: FakeRouter, hub: FakeHub) -> None:
    router.text_models.discard("Qwen/QwQ-32B")
    with pytest.raises(ModelNotFoundError):
        await run()


async def test_unsupported_task(router: FakeRouter) -> None:
    with pytest.raises(ModelNotFoundError, match="feature-extraction"):
        await run(model="sentence-transformers/all-MiniLM-L6-v2")


async def test_tgi_validation_error(router: FakeRouter) -> None:
    with pytest.raises(BadRequestError, match="temperature. must be strictly positive") as info:
        await run(temperature=0)
    assert info.value.status_code == 422


async def test_cold_model_503_wait_then_answer(router: FakeRouter) -> None:
    router.faults.add(
        status=503,
        message="Model Qwen/QwQ-32B is currently loading",
        extra={"estimated_time": 0.3},
        path="/hf-inference",
    )
    chunks = await run_engine()
    assert text_of(chunks) == router.tgi.text.lstrip()
    assert [r["path"] for r in router.requests].count("/hf-inference/models/Qwen/QwQ-32B") == 2


async def test_cold_model_beyond_the_timeout(router: FakeRouter) -> None:
    router.faults.add(
        status=503,
        message="Model is currently loading",
        extra={"estimated_time": 900.0},
        path="/hf-inference",
    )
    with pytest.raises(ResponseStatusError) as info:
        await run(timeout=3)
    assert info.value.retry_after == 900.0


async def test_in_band_tgi_error(router: FakeRouter) -> None:
    router.faults.add(
        inband_error="Request failed during generation: CUDA OOM", path="/hf-inference"
    )
    with pytest.raises(ResponseError, match="CUDA OOM"):
        await run()


async def test_hub_unreachable_uses_the_generic_template(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    chunks = await run(messages=[{"role": "system", "content": "S"}, *HELLO])
    assert router.tgi_bodies[-1]["inputs"] == "System: S\nUser: What is deep learning?\nAssistant:"
    assert text_of(chunks)


# --- images --------------------------------------------------------------------------------


async def test_flux_through_together(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    chunks = await run(model="flux", messages="a red fox", aspect_ratio="16:9")
    image = image_of(chunks)
    assert image.alt == "a red fox"
    assert image.urls == [f"{router.url}/files/img0-1024x576.png"]
    body = router.together_bodies[-1]
    assert body == {
        "response_format": "url",
        "prompt": "a red fox",
        "model": "black-forest-labs/FLUX.1-dev",
        "width": 1024,
        "height": 576,
    }
    assert router.image_bodies == []


async def test_flux_falls_back_to_hf_inference_on_404(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    router.together_models.clear()
    chunks = await run(
        model="flux-schnell", messages=[{"role": "user", "content": "a boat"}], seed=5
    )
    [url] = image_of(chunks).urls
    assert png_size(decode(url)) == (1024, 1024)
    body = router.image_bodies[-1]
    assert body["model"] == "black-forest-labs/FLUX.1-schnell"
    assert body["inputs"] == "a boat" and body["parameters"] == {
        "width": 1024,
        "height": 1024,
        "seed": 5,
    }
    assert router.requests[-1]["headers"]["Accept"] == "image/png"


async def test_flux_without_token_uses_hf_inference(router: FakeRouter) -> None:
    chunks = await run(model="flux-dev", messages="a boat", width=640, height=320)
    assert png_size(decode(image_of(chunks).urls[0])) == (640, 320)
    assert router.together_bodies == []


@pytest.mark.parametrize(
    ("ratio", "size"),
    [("1:1", (1024, 1024)), ("9:16", (576, 1024)), ("21:9", (1024, 440)), ("4:5", (832, 1040))],
)
async def test_image_bytes_with_aspect_ratio(
    router: FakeRouter, hub: FakeHub, ratio: str, size: tuple[int, int]
) -> None:
    chunks = await run(
        model="stabilityai/stable-diffusion-3.5-large", messages="a castle", aspect_ratio=ratio
    )
    image = image_of(chunks)
    assert png_size(decode(image.urls[0])) == size
    assert isinstance(router.image_bodies[-1]["parameters"]["seed"], int)
    assert any(
        r["path"] == "/api/models/stabilityai/stable-diffusion-3.5-large" for r in hub.requests
    )


async def test_several_images(router: FakeRouter) -> None:
    chunks = await run(model="flux", messages="a tree", n=2, seed=1)
    assert len(image_of(chunks).urls) == 2
    assert [b["parameters"]["seed"] for b in router.image_bodies] == [1, 2]


async def test_image_route_answering_json_is_an_error(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    router.image_models.discard("black-forest-labs/FLUX.1-dev")
    router.text_models.add("black-forest-labs/FLUX.1-dev")
    with pytest.raises(ResponseError, match="expected image bytes"):
        await run(model="flux", messages="a tree")


async def test_together_error_is_typed(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    router.faults.add(
        status=402, message="You have exceeded your monthly included credits", path="/together"
    )
    from g4f.errors import PaymentRequiredError

    with pytest.raises(PaymentRequiredError):
        await run(model="flux", messages="a tree")


# --- discovery -----------------------------------------------------------------------------


async def test_trending_discovery_merged_with_static(hub: FakeHub) -> None:
    assert HuggingFaceInference.get_models() == HuggingFaceInference.static_models()
    models = await HuggingFaceInference.refresh_models()
    assert models[0] == HuggingFaceInference.default_model
    assert "zai-org/GLM-4.6" in models and "Qwen/Qwen3-8B" in models
    assert "tiny/rarely-used" not in models, "trendingScore below 10"
    assert "cold/trending-but-cold" not in models, "not warm"
    assert "black-forest-labs/FLUX.1-Krea-dev" in models and "someone/unpopular-image" not in models
    assert set(HuggingFaceInference.static_models()) <= set(models)
    assert "black-forest-labs/FLUX.1-Krea-dev" in HuggingFaceInference.get_image_models()
    queries = [r["query"] for r in hub.requests]
    assert {"inference": "warm", "pipeline_tag": "text-generation"} in queries
    assert {"pipeline_tag": "text-to-image"} in queries


async def test_discovery_with_the_hub_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    assert await HuggingFaceInference.refresh_models() == HuggingFaceInference.static_models()


async def test_discovery_with_a_hub_error(hub: FakeHub) -> None:
    hub.faults.add(status=429, message="Too many requests", path="/api/models")
    assert await HuggingFaceInference.refresh_models() == HuggingFaceInference.static_models()


async def test_nothing_goes_to_the_legacy_host(router: FakeRouter, hub: FakeHub) -> None:
    await run()
    await run(stream=False)
    await run(model="flux", messages="a tree")
    await run(model="stabilityai/stable-diffusion-3.5-large", messages="a tree")
    await HuggingFaceInference.refresh_models()
    assert router.hosts() == {"127.0.0.1"} and hub.hosts() == {"127.0.0.1"}
    assert LEGACY_HOST not in router.hosts() | hub.hosts()
    assert all(r["path"].startswith(("/hf-inference/", "/together/")) for r in router.requests)


def test_declared_models_reach_any_provider() -> None:
    keys = HuggingFaceInference.any_model_keys()
    for alias in (
        "llama-3.3-70b",
        "deepseek-r1",
        "qwen-2.5-coder-32b",
        "flux",
        "flux-dev",
        "flux-schnell",
    ):
        assert alias in keys
    assert (
        keys["flux"] == "black-forest-labs/FLUX.1-dev"
        and keys["flux-schnell"] == "black-forest-labs/FLUX.1-schnell"
    )
    assert not HuggingFaceInference.needs_auth


# --- through the public client -------------------------------------------------------------


def test_client_chat_stream_and_non_stream_agree(router: FakeRouter) -> None:
    from g4f.client import Client

    client = Client()
    request = {"model": "llama-3.3-70b", "provider": HuggingFaceInference, "messages": HELLO}
    completion = client.chat.completions.create(**request)
    chunks = list(client.chat.completions.create(stream=True, **request))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert completion.choices[0].message.content == streamed == router.tgi.text.lstrip()
    assert completion.choices[0].finish_reason == chunks[-1].choices[0].finish_reason == "stop"
    assert completion.usage.completion_tokens == chunks[-1].usage.completion_tokens == 9
    assert router.tgi_bodies[-1]["inputs"].startswith("<|begin_of_text|>")


def test_client_images_generate_flux(router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    from g4f.client import Client

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    result = Client().images.generate(
        "a lighthouse at dusk", model="flux", provider=HuggingFaceInference, aspect_ratio="3:2"
    )
    assert [image.url for image in result.data] == [f"{router.url}/files/img0-1024x682.png"]
    assert result.provider == "HuggingFaceInference"
    assert router.together_bodies[-1]["prompt"] == "a lighthouse at dusk"
    assert router.together_bodies[-1]["model"] == "black-forest-labs/FLUX.1-dev"


def test_client_images_b64_from_bytes(router: FakeRouter) -> None:
    from g4f.client import Client

    result = Client().images.generate(
        "a castle",
        model="stabilityai/stable-diffusion-3.5-large",
        provider=HuggingFaceInference,
        response_format="b64_json",
        width=320,
        height=200,
    )
    [image] = result.data
    assert image.url is None
    assert png_size(base64.b64decode(image.b64_json)) == (320, 200)


def test_client_images_generate_flux_through_any_provider(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from g4f.client import Client
    from g4f.providers.any_provider import get_model_map

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    assert get_model_map()["flux"]["HuggingFaceInference"] == "black-forest-labs/FLUX.1-dev"
    result = Client().images.generate("a quiet harbour", model="flux", response_format="b64_json")
    assert png_size(base64.b64decode(result.data[0].b64_json)) == (1024, 1024)
    assert result.provider == "HuggingFaceInference"
    assert router.together_bodies[-1]["prompt"] == "a quiet harbour"


def test_any_provider_map_has_both_providers() -> None:
    from g4f.providers.any_provider import get_model_map

    model_map = get_model_map()
    for alias in ("llama-3.3-70b", "deepseek-r1", "qwen-2.5-coder-32b"):
        assert {"HuggingFaceAPI", "HuggingFaceInference"} <= set(model_map[alias])
    for alias in ("flux", "flux-dev", "flux-schnell"):
        assert "HuggingFaceInference" in model_map[alias]


def test_any_provider_with_a_token_uses_the_router(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from g4f.client import Client

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    completion = Client().chat.completions.create(model="llama-3.3-70b", messages=HELLO)
    assert completion.provider == "HuggingFaceAPI"
    assert completion.choices[0].message.content == router.chat.content


def test_any_provider_without_a_token_uses_hf_inference(router: FakeRouter) -> None:
    from g4f.client import Client

    completion = Client().chat.completions.create(model="deepseek-r1", messages=HELLO)
    assert completion.provider == "HuggingFaceInference"
    assert completion.choices[0].message.content == router.tgi.text.lstrip()
    assert router.chat_bodies == []


def test_any_provider_fails_over_after_payment_required(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from g4f.client import Client

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    router.faults.add(
        status=402, message="You have depleted your monthly included credits.", path="/v1/chat"
    )
    completion = Client().chat.completions.create(model="qwq-32b", messages=HELLO)
    assert completion.provider == "HuggingFaceInference"
    assert completion.choices[0].message.content == router.tgi.text.lstrip()
    paths = [r["path"] for r in router.requests]
    assert paths == ["/v1/chat/completions", "/hf-inference/models/Qwen/QwQ-32B"]


def test_any_provider_reports_every_failure(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from g4f.client import Client
    from g4f.errors import PaymentRequiredError, RetryProviderError

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    router.faults.add(
        status=402, message="You have depleted your monthly included credits.", path="/v1/chat"
    )
    router.text_models.clear()
    with pytest.raises(RetryProviderError) as info:
        Client().chat.completions.create(model="llama-3.3-70b", messages=HELLO)
    errors = info.value.exceptions
    assert isinstance(errors["HuggingFaceAPI"], PaymentRequiredError)
    assert isinstance(errors["HuggingFaceInference"], ModelNotFoundError)
    assert TOKEN not in str(info.value)


async def test_router_suffixes_are_not_served_here(router: FakeRouter, hub: FakeHub) -> None:
    with pytest.raises(ModelNotFoundError, match="HuggingFaceAPI"):
        await run(model="llama-3.3-70b:together")
    assert router.requests == [] and hub.requests == []


def test_any_provider_passes_router_suffixes_to_the_router(
    router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from g4f.client import Client

    monkeypatch.setenv("HF_TOKEN", TOKEN)
    completion = Client().chat.completions.create(model="openai/gpt-oss-120b:groq", messages=HELLO)
    assert completion.provider == "HuggingFaceAPI"
    assert router.chat_bodies[-1]["model"] == "openai/gpt-oss-120b:groq"
    assert router.tgi_bodies == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"cut_after": 2}, "NetworkError"),
        ({"stall": 3.0}, "TimeoutError"),
        ({"malformed": True}, "StreamParseError"),
        ({"status": 504, "message": "Gateway Time-out", "shape": "html"}, "ResponseStatusError"),
        (
            {"status": 429, "message": "Too many", "headers": {"Retry-After": "12"}},
            "RateLimitError",
        ),
    ],
)
async def test_tgi_stream_misbehaviour(
    router: FakeRouter, fault: dict[str, Any], error: str
) -> None:
    import g4f.errors as errors

    router.faults.add(path="/hf-inference", **fault)
    with pytest.raises(getattr(errors, error)) as info:
        await run(stream_timeout=0.5)
    if error == "RateLimitError":
        assert info.value.retry_after == 12.0


async def test_trending_image_models_expire_with_the_discovery(hub: FakeHub) -> None:
    await HuggingFaceInference.refresh_models()
    assert "black-forest-labs/FLUX.1-Krea-dev" in HuggingFaceInference.get_image_models()
    HuggingFaceInference.clear_models_cache()
    assert HuggingFaceInference.get_image_models() == HuggingFaceInference.image_models


def test_client_continue_and_template(router: FakeRouter) -> None:
    from g4f.client import Client

    messages = [*HELLO, {"role": "assistant", "content": "Deep learning"}]
    completion = Client().chat.completions.create(
        model="mistral-nemo",
        provider=HuggingFaceInference,
        messages=messages,
        action="continue",
        max_tokens=4,
    )
    assert (
        router.tgi_bodies[-1]["inputs"] == "<s>[INST] What is deep learning? [/INST] Deep learning"
    )
    assert router.tgi_bodies[-1]["parameters"]["max_new_tokens"] == 4
    assert completion.choices[0].message.content == " Deep learning is a"
    assert completion.choices[0].finish_reason == "length"


async def test_async_client_image_bytes_as_data_uri(router: FakeRouter) -> None:
    from g4f.client import AsyncClient

    result = await AsyncClient().images.generate(
        "a quiet street", model="sd-3.5-large", provider=HuggingFaceInference, aspect_ratio="2:1"
    )
    [image] = result.data
    assert image.url is not None and png_size(decode(image.url)) == (1024, 512)
    assert router.image_bodies[-1]["model"] == "stabilityai/stable-diffusion-3.5-large"
