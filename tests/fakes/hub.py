"""A fake Hugging Face Hub API on 127.0.0.1 (wire reference: docs/protocols/hub.md).

``GET /api/models`` lists models with ``trendingScore`` (filtered by ``pipeline_tag``
and ``inference=warm`` like the Hub), ``GET /api/models/{id}`` returns one model's
metadata (``pipeline_tag``, ``author``, ``config.model_type``,
``config.tokenizer_config.eos_token``) and, when ``expand`` / ``expand[]`` asks for
it, the ``inferenceProviderMapping`` of chat models (huggingface_hub ``hf_api.py``
``ModelInfo``). Errors follow huggingface_hub ``utils/_http.py``: a missing or
private repo is a 401 with ``X-Error-Code: RepoNotFound``, a gated one a 403 with
``GatedRepo``, a rejected token a 401 with ``X-Error-Message: Invalid credentials in
Authorization header``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.router import TOKEN, ServedFake
from tests.fakes.router_chat import CHAT_MAPPING
from tests.fakes.server import FakeServer, fault_response, hf_error

__all__ = ["FakeHub", "model_metadata", "DEEPSEEK_EOS", "BAD_CREDENTIALS"]

BAD_CREDENTIALS = "Invalid credentials in Authorization header"

DEEPSEEK_EOS = "<\uff5cend\u2581of\u2581sentence\uff5c>"


def model_metadata(
    model_id: str,
    pipeline_tag: str = "text-generation",
    model_type: str | None = None,
    eos: Any = None,
    author: str | None = None,
) -> dict[str, Any]:
    """A Hub ``/api/models/{id}`` body."""
    config: dict[str, Any] = {}
    if model_type:
        config["model_type"] = model_type
    if eos is not None:
        config["tokenizer_config"] = {"eos_token": eos, "bos_token": "<s>"}
    return {
        "_id": f"id-{model_id}",
        "id": model_id,
        "modelId": model_id,
        "author": author or model_id.split("/")[0],
        "pipeline_tag": pipeline_tag,
        "library_name": "transformers",
        "tags": ["safetensors", pipeline_tag],
        "downloads": 1234,
        "likes": 56,
        "config": config,
    }


def _default_models() -> dict[str, dict[str, Any]]:
    entries = [
        model_metadata("Qwen/QwQ-32B", model_type="qwen2", eos="<|im_end|>"),
        model_metadata("meta-llama/Llama-3.3-70B-Instruct", model_type="llama", eos="<|eot_id|>"),
        model_metadata("mistralai/Mistral-Nemo-Instruct-2407", model_type="mistral", eos="</s>"),
        model_metadata(
            "deepseek-ai/DeepSeek-R1",
            model_type="deepseek_v3",
            eos={"__type": "AddedToken", "content": DEEPSEEK_EOS, "lstrip": False},
        ),
        model_metadata("HuggingFaceH4/zephyr-7b-beta", model_type="mistral", eos="</s>"),
        model_metadata("microsoft/Phi-3.5-mini-instruct", model_type="phi3", eos="<|endoftext|>"),
        model_metadata("openai-community/gpt2", model_type="gpt2", eos="<|endoftext|>"),
        model_metadata("google/gemma-2-2b-it", model_type="gemma2", eos="<eos>"),
        model_metadata("openai/gpt-oss-120b", model_type="gpt_oss", eos="<|return|>"),
        model_metadata("unknown/eos-model", model_type="custom", eos="<|custom_end|>"),
        model_metadata("stabilityai/stable-diffusion-3.5-large", pipeline_tag="text-to-image"),
        model_metadata("sentence-transformers/all-MiniLM-L6-v2", pipeline_tag="feature-extraction"),
        model_metadata("zai-org/GLM-4.6", model_type="glm4_moe", eos="<|endoftext|>"),
    ]
    return {entry["id"]: entry for entry in entries}


def _default_listing() -> list[dict[str, Any]]:
    def item(model_id: str, tag: str, score: float, warm: bool = True) -> dict[str, Any]:
        entry = {
            "_id": f"id-{model_id}",
            "id": model_id,
            "pipeline_tag": tag,
            "trendingScore": score,
            "likes": 1,
        }
        if warm:
            entry["inference"] = "warm"
        return entry

    return [
        item("zai-org/GLM-4.6", "text-generation", 120),
        item("Qwen/Qwen3-8B", "text-generation", 48),
        item("tiny/rarely-used", "text-generation", 3),
        item("cold/trending-but-cold", "text-generation", 90, warm=False),
        item("black-forest-labs/FLUX.1-Krea-dev", "text-to-image", 75),
        item("someone/unpopular-image", "text-to-image", 5),
    ]


class FakeHub(ServedFake):
    """The fake Hub's state: model metadata and the listing."""

    def __init__(self) -> None:
        self.models: dict[str, dict[str, Any]] = _default_models()
        #: Models whose repo is gated (their model API answers 403 GatedRepo).
        self.gated: set[str] = set()
        #: Hub id → provider → providerId of conversational mapping entries.
        self.chat_mapping: dict[str, dict[str, str]] = {k: dict(v) for k, v in CHAT_MAPPING.items()}
        self.listing: list[dict[str, Any]] = _default_listing()
        self.app = web.Application()
        self.app["hub"] = self
        self.app.router.add_get("/api/models", _list_models)
        self.app.router.add_get("/api/models/{model:.+}", _model_info)
        self.server = FakeServer(self.app)


# huggingface_hub hf_api.py (HfApi.list_models: filters pipeline_tag and inference=warm).
async def _list_models(request: web.Request) -> web.StreamResponse:
    fault = request.app["faults"].take(request.path)
    if fault is not None and fault.status is not None:
        return fault_response(fault)  # type: ignore[return-value]
    hub: FakeHub = request.app["hub"]
    tag = request.query.get("pipeline_tag")
    warm = request.query.get("inference") == "warm"
    items = [
        item
        for item in hub.listing
        if (tag is None or item.get("pipeline_tag") == tag)
        and (not warm or item.get("inference") == "warm")
    ]
    return web.json_response(items)


# huggingface_hub hf_api.py (HfApi.model_info, ModelInfo's inferenceProviderMapping) and
# utils/_http.py (hf_raise_for_status: X-Error-Code RepoNotFound / GatedRepo, X-Error-Message).
async def _model_info(request: web.Request) -> web.StreamResponse:
    fault = request.app["faults"].take(request.path)
    if fault is not None and fault.status is not None:
        return fault_response(fault)  # type: ignore[return-value]
    hub: FakeHub = request.app["hub"]
    model = request.match_info["model"]
    if request.headers.get("Authorization") not in (None, f"Bearer {TOKEN}"):
        return hf_error(401, BAD_CREDENTIALS, headers={"X-Error-Message": BAD_CREDENTIALS})
    if model in hub.gated:
        message = f"Access to model {model} is restricted and you are not in the authorized list."
        return hf_error(
            403, message, headers={"X-Error-Code": "GatedRepo", "X-Error-Message": message}
        )
    data = hub.models.get(model)
    if data is None:
        # The Hub answers 401 for a missing repo as for a private one.
        headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
        return hf_error(401, "Repository not found", headers=headers)
    expand = request.query.getall("expand", []) + request.query.getall("expand[]", [])
    if "inferenceProviderMapping" in expand:
        mapping = {
            provider: {"status": "live", "providerId": provider_id, "task": "conversational"}
            for provider, provider_id in hub.chat_mapping.get(model, {}).items()
        }
        data = {**data, "inferenceProviderMapping": mapping}
    return web.json_response(data)
