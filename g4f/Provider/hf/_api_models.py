"""The router's model catalogue (``GET /v1/models``) read into small records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RouterModel", "parse_model_list"]


@dataclass(frozen=True)
class RouterModel:
    """One model of the router: which backends serve it and what they support."""

    id: str
    providers: tuple[str, ...] = ()
    live_providers: tuple[str, ...] = ()
    context_length: int | None = None
    supports_tools: bool = False
    supports_structured_output: bool = False
    vision: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _entries(data: Any) -> list[Any]:
    if isinstance(data, Mapping):
        data = data.get("data", data.get("models", []))
    return data if isinstance(data, list) else []


def _record(item: Mapping[str, Any]) -> RouterModel | None:
    model_id = item.get("id") or item.get("name")
    if not isinstance(model_id, str) or not model_id:
        return None
    backends = [
        p for p in item.get("providers") or [] if isinstance(p, Mapping) and p.get("provider")
    ]
    live = [p for p in backends if p.get("status", "live") == "live"]
    lengths = [p["context_length"] for p in live if isinstance(p.get("context_length"), int)]
    modalities = (item.get("architecture") or {}).get("input_modalities") or []
    return RouterModel(
        id=model_id,
        providers=tuple(str(p["provider"]) for p in backends),
        live_providers=tuple(str(p["provider"]) for p in live),
        context_length=max(lengths) if lengths else None,
        supports_tools=any(p.get("supports_tools") is True for p in live),
        supports_structured_output=any(p.get("supports_structured_output") is True for p in live),
        vision="image" in modalities or bool(item.get("vision")),
        extra={k: v for k, v in item.items() if k not in ("id", "providers", "architecture")},
    )


def parse_model_list(data: Any) -> list[RouterModel]:
    """Records of a ``/v1/models`` body (``{"data": [...]}``, ``{"models": [...]}`` or a list)."""
    records = [_record(item) for item in _entries(data) if isinstance(item, Mapping)]
    return [record for record in records if record is not None]
