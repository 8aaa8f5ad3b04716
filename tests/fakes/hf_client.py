"""Point the real ``huggingface_hub.InferenceClient`` at the fakes, without touching its code.

huggingface_hub reads its hosts from ``constants`` (``ENDPOINT`` from ``HF_ENDPOINT`` at
import, ``INFERENCE_PROXY_TEMPLATE = "https://router.huggingface.co/{provider}"``) and
makes every request through ``utils._http.get_session()``, whose client factory can be
replaced (``set_client_factory``, meant for proxies). Here the hosts become plain-HTTP
``huggingface.co`` / ``router.huggingface.co`` and the factory's client sends each host
to a fake through an HTTP proxy mount. The fakes get absolute-form requests with the
real Host header, so the client's own host checks (``fal_ai.py`` and ``wavespeed.py``
add the provider prefix only when the host is ``router.huggingface.co``) behave as in
production, and nothing leaves 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["HUB_HOST", "ROUTER_HOST", "real_hf_client"]

HUB_HOST = "huggingface.co"
ROUTER_HOST = "router.huggingface.co"


@contextmanager
def real_hf_client(monkeypatch: Any, hub_url: str, router_url: str | None = None) -> Iterator[None]:
    """Within the block, huggingface_hub talks to ``hub_url`` (Hub) and ``router_url`` (router)."""
    import httpx2
    from huggingface_hub import constants
    from huggingface_hub.inference._providers import (
        PROVIDERS,
        _common,
        fal_ai,
        together,
        wavespeed,
        zai_org,
    )
    from huggingface_hub.utils import _detect_agent, _http

    router_url = router_url or hub_url
    monkeypatch.setattr(constants, "ENDPOINT", f"http://{HUB_HOST}")
    monkeypatch.setattr(
        constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        f"http://{HUB_HOST}/{{repo_id}}/resolve/{{revision}}/{{filename}}",
    )
    monkeypatch.setattr(constants, "INFERENCE_PROXY_TEMPLATE", f"http://{ROUTER_HOST}/{{provider}}")

    # hf-inference helpers copied the router URL into ``base_url`` when they were built.
    for helpers in PROVIDERS.values():
        for helper in helpers.values():
            if helper.base_url.startswith(f"https://{ROUTER_HOST}"):
                plain = helper.base_url.replace("https://", "http://", 1)
                monkeypatch.setattr(helper, "base_url", plain)
    # The client's own poll intervals (0.5 s to 5 s) would only slow the tests down.
    for module, name in (
        (fal_ai, "_POLLING_INTERVAL"),
        (wavespeed, "_POLLING_INTERVAL"),
        (together, "_VIDEO_POLLING_INTERVAL"),
        (zai_org, "_POLLING_INTERVAL"),
    ):
        monkeypatch.setattr(module, name, 0.01)
    # No agent-registry download from the Hub (and no cache file written under HF_HOME).
    monkeypatch.setattr(_detect_agent, "_registry", _detect_agent._EMPTY_REGISTRY)

    def factory() -> httpx2.Client:
        mounts = {
            f"http://{HUB_HOST}": httpx2.HTTPTransport(proxy=hub_url),
            f"http://{ROUTER_HOST}": httpx2.HTTPTransport(proxy=router_url),
        }
        return httpx2.Client(mounts=mounts, follow_redirects=True, timeout=30, trust_env=False)

    _common._fetch_inference_provider_mapping.cache_clear()
    _http.set_client_factory(factory)
    try:
        yield
    finally:
        _http.set_client_factory(_http.default_client_factory)
        _common._fetch_inference_provider_mapping.cache_clear()
