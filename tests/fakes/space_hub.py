"""The Hub's Space routes (where a Space runs, its runtime stage, ZeroGPU tokens) on 127.0.0.1.

Each route follows the real client that reads it:

- ``GET /api/spaces/{id}``: huggingface_hub ``hf_api.py`` ``HfApi.space_info`` / ``SpaceInfo``
  (``host``, ``subdomain``, ``runtime.stage``, ``runtime.hardware.current``, ``private``,
  ``disabled``, ``sdk``), which gradio_client ``client.py`` ``Client._space_name_to_src`` reads;
  ``@gradio/client`` ``src/helpers/spaces.ts`` ``check_space_status`` reads ``runtime.stage``;
- ``GET /api/spaces/{id}/runtime``: huggingface_hub ``HfApi.get_space_runtime`` /
  ``_space_api.py`` ``SpaceRuntime`` (gradio_client ``Client._get_space_state``);
- ``GET /api/spaces/{id}/jwt``: the ZeroGPU token (``@gradio/client``
  ``src/helpers/init_helpers.ts``), given to requests carrying the session cookie or token.

A missing Space is the Hub's 401 ``RepoNotFound`` without a token and 404 with one
(huggingface_hub ``utils/_http.py`` ``hf_raise_for_status``); an unknown token is a plain 401. Each Space has a stage script:
every ``/api/spaces/{id}`` or ``/runtime`` request takes the next stage; the last one stays.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.router import ServedFake
from tests.fakes.server import FakeServer, fault_response, hf_error

__all__ = ["FakeSpaceHub", "FakeSpace", "SESSION_COOKIE", "HUB_TOKEN"]

SESSION_COOKIE = "token=cookie-secret-value"
HUB_TOKEN = "hf_space_hub_token_value"


@dataclass
class FakeSpace:
    """One Space as the Hub knows it."""

    space: str
    host: str
    hardware: str = "cpu-basic"
    stages: deque[str] = field(default_factory=lambda: deque(["RUNNING"]))
    private: bool = False
    disabled: bool = False
    sdk: str = "gradio"

    @property
    def subdomain(self) -> str:
        return self.space.lower().replace("/", "-").replace(".", "-").replace("_", "-")

    def next_stage(self) -> str:
        return self.stages.popleft() if len(self.stages) > 1 else self.stages[0]

    def runtime(self, stage: str) -> dict[str, Any]:
        return {
            "stage": stage,
            "hardware": {"current": self.hardware, "requested": self.hardware},
            "storage": None,
            "gcTimeout": 172800,
            "replicas": {"current": 1, "requested": 1},
            "devMode": False,
            "domains": [{"domain": f"{self.subdomain}.hf.space", "stage": "READY"}],
        }


class FakeSpaceHub(ServedFake):
    """The Hub's Space routes; ``spaces`` maps ``owner/name`` to a :class:`FakeSpace`."""

    def __init__(self) -> None:
        self.spaces: dict[str, FakeSpace] = {}
        self.app = web.Application()
        self.app["space_hub"] = self
        self.app.router.add_get("/api/spaces/{owner}/{name}", _space_info)
        self.app.router.add_get("/api/spaces/{owner}/{name}/runtime", _runtime)
        self.app.router.add_get("/api/spaces/{owner}/{name}/jwt", _jwt)
        self.server = FakeServer(self.app)

    def add(self, space: str, host: str, *stages: str, **kwargs: Any) -> FakeSpace:
        """Register a Space served at ``host`` going through ``stages`` (default RUNNING).

        Real hosts have no path (``https://owner-name.hf.space``); a fake one under a path
        needs a trailing ``/``, since gradio_client joins ``config`` onto the host as a URL.
        """
        entry = FakeSpace(space, host, stages=deque(stages or ["RUNNING"]), **kwargs)
        self.spaces[space] = entry
        return entry

    def paths(self) -> list[str]:
        """The path of every request the fake received, in order."""
        return [r["path"] for r in self.requests]


def _lookup(request: web.Request) -> FakeSpace | web.Response:
    fault = request.app["faults"].take(request.path)
    if fault is not None and fault.status is not None:
        return fault_response(fault)  # type: ignore[return-value]
    hub: FakeSpaceHub = request.app["space_hub"]
    space = f"{request.match_info['owner']}/{request.match_info['name']}"
    entry = hub.spaces.get(space)
    auth = request.headers.get("Authorization")
    if auth is not None and auth != f"Bearer {HUB_TOKEN}":
        return hf_error(401, "Invalid credentials in Authorization header")
    if entry is None or (entry.private and auth is None):
        # huggingface_hub utils/_http.py: 401 + RepoNotFound when anonymous, 404 otherwise.
        status = 404 if auth else 401
        return hf_error(status, "Repository not found", headers={"X-Error-Code": "RepoNotFound"})
    return entry


async def _space_info(request: web.Request) -> web.StreamResponse:
    entry = _lookup(request)
    if isinstance(entry, web.Response):
        return entry
    owner, _, _ = entry.space.partition("/")
    return web.json_response(
        {
            "_id": f"id-{entry.subdomain}",
            "id": entry.space,
            "author": owner,
            "sha": "0" * 40,
            "private": entry.private,
            "disabled": entry.disabled,
            "sdk": entry.sdk,
            "host": entry.host,
            "subdomain": entry.subdomain,
            "likes": 1,
            "tags": ["gradio", "region:us"],
            "runtime": entry.runtime(entry.next_stage()),
        }
    )


async def _runtime(request: web.Request) -> web.StreamResponse:
    entry = _lookup(request)
    if isinstance(entry, web.Response):
        return entry
    return web.json_response(entry.runtime(entry.next_stage()))


async def _jwt(request: web.Request) -> web.StreamResponse:
    entry = _lookup(request)
    if isinstance(entry, web.Response):
        return entry
    cookie = request.headers.get("Cookie", "")
    if SESSION_COOKIE not in cookie and request.headers.get("Authorization") != (
        f"Bearer {HUB_TOKEN}"
    ):
        return web.json_response({"error": "Unauthorized"}, status=401)
    return web.json_response({"token": f"eyJzeroGPU.{entry.space.replace('/', '_')}.sig"})
