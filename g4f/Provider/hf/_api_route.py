"""The router's per-provider chat route: ``/{provider}/<the provider's chat path>``.

The auto route (``/v1/chat/completions``, model ``id`` or ``id:provider``) lets the
router pick or resolve the backend. The per-provider route talks to one inference
provider's own OpenAI-compatible API through the router, so the body names the
provider's model id (``providerId`` of the Hub's inference provider mapping) and the
path is the provider's (huggingface_hub ``inference/_providers/*.py``,
``_prepare_route`` of each conversational task).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...config import hf_endpoint, hf_router_endpoint
from ...errors import BadRequestError, ModelNotFoundError, ResponseError
from ...inputs import join_url
from ._inference_hub import fetch_mapping
from ._media_run import mapping_entries

__all__ = ["ProviderRoute", "CHAT_PATHS", "provider_route", "clear_routes"]

#: Chat paths that differ from ``/v1/chat/completions`` (huggingface_hub ``cohere.py``,
#: ``deepinfra.py``, ``fireworks_ai.py``, ``groq.py``, ``hf_inference.py``, ``novita.py``,
#: ``zai_org.py``); ``{model}`` is the provider's model id.
CHAT_PATHS: dict[str, str] = {
    "hf-inference": "/models/{model}/v1/chat/completions",
    "cohere": "/compatibility/v1/chat/completions",
    "deepinfra": "/v1/openai/chat/completions",
    "fireworks-ai": "/inference/v1/chat/completions",
    "groq": "/openai/v1/chat/completions",
    "novita": "/v3/openai/chat/completions",
    "zai-org": "/api/paas/v4/chat/completions",
}
#: Headers a provider's API expects besides the token (huggingface_hub ``zai_org.py``).
CHAT_HEADERS: dict[str, dict[str, str]] = {
    "zai-org": {"Accept-Language": "en-US,en", "x-source-channel": "hugging_face"},
}
_TTL = 600.0
_CONVERSATIONAL = "conversational"

_routes: dict[tuple[str, str], tuple[float, dict[str, dict[str, Any]]]] = {}


def clear_routes() -> None:
    """Forget cached provider mappings."""
    _routes.clear()


@dataclass(frozen=True)
class ProviderRoute:
    """Where a per-provider chat request goes and which model id it names."""

    provider: str
    url: str
    model: str
    headers: dict[str, str]


def _valid_provider(provider: str, who: str) -> str:
    name = provider.strip().lower()
    if not name or name.strip(".") == "" or not all(c.isalnum() or c in "-_." for c in name):
        raise BadRequestError(f"{who}: invalid inference provider {provider!r}", provider=who)
    return name


async def provider_route(
    session: Any, model: str, provider: str, headers: Mapping[str, str], who: str
) -> ProviderRoute:
    """The route of ``model`` on ``provider``, from the model's (cached) Hub mapping."""
    provider = _valid_provider(provider, who)
    key = (hf_endpoint(), model)
    cached = _routes.get(key)
    if cached and time.monotonic() - cached[0] < _TTL:
        entries = cached[1]
    else:
        entries = mapping_entries(await fetch_mapping(session, model, headers))
        _routes[key] = (time.monotonic(), entries)
    chat = {p: e for p, e in entries.items() if e.get("task") == _CONVERSATIONAL}
    entry = chat.get(provider)
    if entry is None or not entry.get("providerId"):
        served = ", ".join(sorted(chat)) or "none"
        raise ModelNotFoundError(
            f"{who}: {model} is not served for chat by {provider} (providers: {served})",
            provider=who,
        )
    provider_id = str(entry["providerId"])
    # Each piece becomes one encoded path segment: the provider name comes from the caller
    # and the provider's model id from the Hub, so neither may add "/", "..", "?" or "#".
    segments: list[str] = []
    for piece in CHAT_PATHS.get(provider, "/v1/chat/completions").strip("/").split("/"):
        segments += provider_id.split("/") if piece == "{model}" else [piece]
    url = join_url(hf_router_endpoint(), provider, *segments, error=ResponseError)
    return ProviderRoute(provider, url, provider_id, dict(CHAT_HEADERS.get(provider, {})))
