"""Where a Space runs, and every URL the Space providers build (one place to wrap).

The Hub says where a Space is served and whether it is up, as the real clients ask it
(docs/protocols/spaces.md, "Space host and runtime stage"):

- gradio_client ``Client("owner/name")`` reads ``host`` from ``GET {HF_ENDPOINT}/api/spaces/{id}``
  (``huggingface_hub.space_info``) and the runtime ``stage``; it waits while the Space is
  ``BUILDING`` and refuses the "invalid" stages (paused, build/runtime/config errors);
- the JS client (``@gradio/client`` ``helpers/spaces.ts``) treats ``SLEEPING``/``STOPPED`` as
  "waking up" and polls the stage until the Space runs.

:func:`resolve_space` does the same within the call's deadline; a Space that never comes
up, or is paused or broken, is a :class:`~g4f.errors.SpaceNotRunningError` naming the stage.
``space_url=`` (an argument) or ``HF_SPACES_ENDPOINT`` point a Space elsewhere; then the Hub
is not asked.
"""

from __future__ import annotations

import asyncio
import re
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ...config import get_hf_token, hf_endpoint, hf_spaces_endpoint
from ...debug import logger
from ...errors import (
    BadRequestError,
    G4FError,
    InvalidRequestError,
    MissingAuthError,
    ModelNotFoundError,
    ResponseError,
    SpaceNotRunningError,
)
from ...inputs import join_url, quote_path, split_space_model
from ...state import get_store

__all__ = [
    "SpaceHost",
    "check_space_id",
    "space_subdomain",
    "hub_space_url",
    "gradio_url",
    "gradio_file_url",
    "resolve_space",
    "forget_space",
    "RUNNING_STAGES",
]

#: Stages in which the Space answers (``RUNNING_BUILDING``: the old build serves meanwhile).
RUNNING_STAGES = frozenset({"RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"})
#: Asleep: a request to the host wakes it (the JS client's "Waking it up...").
SLEEPING_STAGES = frozenset({"SLEEPING", "STOPPED"})
#: On the way up by itself: wait.
STARTING_STAGES = frozenset({"BUILDING", "APP_STARTING"})
#: Will not come up without its owner (gradio_client's INVALID_RUNTIME, plus DELETING).
FAILED_STAGES = frozenset(
    {"PAUSED", "NO_APP_FILE", "CONFIG_ERROR", "BUILD_ERROR", "RUNTIME_ERROR", "DELETING"}
)

#: Metadata must answer fast: a slow Hub should not eat the call's whole budget.
METADATA_TIMEOUT = 10.0
#: Seconds between two stage checks while waiting (gradio_client waits 2 s, the JS client 1 s).
POLL_INTERVAL = 2.0
#: Retry-After of a Space that did not come up in time (longer than the retry layer waits,
#: so the same call is not re-run at once after it spent its whole deadline waiting).
STILL_STARTING_RETRY = 60.0
#: How long a resolved running host is reused without asking the Hub again.
HOST_TTL = 300.0


@dataclass(frozen=True)
class SpaceHost:
    """A resolved Space: its base URL, where that came from and the Hub's view of it."""

    space: str
    url: str
    source: Literal["argument", "env", "hub"]
    stage: str = ""
    hardware: str = ""

    @property
    def zerogpu(self) -> bool:
        """Whether the Hub says the Space runs on ZeroGPU (``zero-*`` hardware)."""
        return self.hardware.startswith("zero")


def _host_key(space: str) -> str:
    """The run-time store key of a Space's resolved host (per Hub endpoint)."""
    return f"space-host:{hf_endpoint()}:{space}"


def check_space_id(space: str) -> str:
    """``space`` when it is a valid ``owner/name`` Hub id (the Hub's repo-id grammar, the one
    rule in :mod:`g4f.inputs`); else an :class:`InvalidRequestError`, before any request."""
    if not isinstance(space, str) or space.count("/") != 1:
        raise InvalidRequestError(f"not a Space id (owner/name): {str(space)[:120]!r}")
    split_space_model("space:" + space)
    return space


def space_subdomain(space: str) -> str:
    """The subdomain Hugging Face gives a Space: ``owner-name``, lowercased, ``.``/``_`` as ``-``."""
    return re.sub(r"[._/]", "-", space.lower())


def hub_space_url(space: str, *tail: str) -> str:
    """``{HF_ENDPOINT}/api/spaces/{owner}/{name}[/tail...]`` for a checked Space id."""
    return join_url(hf_endpoint(), "api", "spaces", *check_space_id(space).split("/"), *tail)


def gradio_url(base_url: str, api_prefix: str, *segments: str) -> str:
    """A URL on the Space: ``{base}{api_prefix}/{segment}/...`` (``api_prefix`` may be empty).

    Each segment (endpoint names, event ids the Space sent) is one encoded path segment.
    """
    base = f"{base_url.rstrip('/')}{api_prefix.rstrip('/')}"
    return join_url(base, *(s.strip("/") for s in segments), error=ResponseError)


def gradio_file_url(base_url: str, api_prefix: str, path: str) -> str:
    """The URL of a file the Space holds: ``{base}{api_prefix}/file={path}``, the path (which
    the Space sent) encoded piece by piece."""
    return f"{base_url.rstrip('/')}{api_prefix.rstrip('/')}/file={quote_path(path, ResponseError)}"


_PLACEHOLDERS = frozenset({"subdomain", "owner", "name"})


def _template_url(template: str, space: str) -> str:
    """``template`` with ``{subdomain}``, ``{owner}``, ``{name}`` filled (nothing else allowed)."""
    fields = list(string.Formatter().parse(template))
    if any(
        f is not None and (f not in _PLACEHOLDERS or spec or conv) for _, f, spec, conv in fields
    ):
        raise ValueError("unknown placeholder")
    owner, _, name = space.partition("/")
    return template.format(subdomain=space_subdomain(space), owner=owner, name=name).rstrip("/")


def _check_base_url(url: str, where: str) -> str:
    if not re.match(r"https?://[^/?#\s]+", url):
        raise BadRequestError(f"{where} must be an http(s) URL, not {url[:100]!r}")
    return url.rstrip("/")


def forget_space(space: str) -> None:
    """Drop the cached host of ``space`` (its Space stopped answering)."""
    get_store().delete(_host_key(space))


async def resolve_space(
    session: Any,
    space: str,
    *,
    space_url: str | None = None,
    api_key: str | None = None,
    deadline: float | None = None,
) -> SpaceHost:
    """Where ``space`` runs, once it is running (woken up or waited for until ``deadline``).

    ``space_url`` (argument), then ``HF_SPACES_ENDPOINT``, override the Hub's answer.
    """
    check_space_id(space)
    if space_url:
        return SpaceHost(space, _check_base_url(space_url, "space_url"), "argument")
    template = hf_spaces_endpoint()
    if template:
        try:
            url = _template_url(template, space)
        except ValueError:
            raise BadRequestError(
                "HF_SPACES_ENDPOINT may only use {subdomain}, {owner} and {name}"
            ) from None
        return SpaceHost(space, _check_base_url(url, "HF_SPACES_ENDPOINT"), "env")
    cached = get_store().get(_host_key(space))
    if cached is not None:
        return SpaceHost(**cached)
    if deadline is None:
        deadline = time.monotonic() + session.timeouts.total
    host = await _space_info(session, space, api_key, deadline)
    woken = False
    while host.stage not in RUNNING_STAGES:
        if host.stage in FAILED_STAGES:
            raise SpaceNotRunningError(
                f"the Space {space} is {host.stage}: it will not run until its owner fixes it",
                stage=host.stage,
                provider=session.provider,
            )
        if host.stage not in SLEEPING_STAGES | STARTING_STAGES:
            # A stage this code does not know: try the Space, as gradio_client does.
            logger.debug("Space %s is in an unknown stage %r; trying it", space, host.stage)
            break
        if host.stage in SLEEPING_STAGES and not woken:
            await _wake(session, host.url, deadline)
            woken = True
        left = deadline - time.monotonic()
        if left <= POLL_INTERVAL:
            raise SpaceNotRunningError(
                f"the Space {space} is still {host.stage} (waited until the call's deadline)",
                stage=host.stage,
                status_code=503,
                # The whole budget went to waiting: come back in a while, not at once.
                retry_after=STILL_STARTING_RETRY,
                provider=session.provider,
            )
        await asyncio.sleep(POLL_INTERVAL)
        host = await _space_info(session, space, api_key, deadline)
    # Plain data in the store (a networked backend serializes it).
    get_store().set(
        _host_key(space),
        {
            "space": host.space,
            "url": host.url,
            "source": host.source,
            "stage": host.stage,
            "hardware": host.hardware,
        },
        HOST_TTL,
    )
    return host


async def _space_info(session: Any, space: str, api_key: str | None, deadline: float) -> SpaceHost:
    """``GET /api/spaces/{id}`` → host, runtime stage and hardware (a typed error otherwise)."""
    token = get_hf_token(api_key)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = max(0.1, min(METADATA_TIMEOUT, deadline - time.monotonic()))
    try:
        async with session.request(
            "GET", hub_space_url(space), headers=headers, timeout=timeout
        ) as response:
            await response.raise_for_status()
            data = await response.json()
    except (ModelNotFoundError, MissingAuthError) as exc:
        # The Hub answers 401 (RepoNotFound) for a private or missing Space without a token,
        # 404 for a missing one; with a token, a 401 means the token itself is refused.
        if isinstance(exc, MissingAuthError) and token:
            raise MissingAuthError(
                f"the Hub refused the token while looking up the Space {space}",
                status_code=exc.status_code,
                provider=session.provider,
            ) from None
        raise ModelNotFoundError(
            f"no Space {space} on the Hub (a private one needs a token)",
            status_code=exc.status_code,
            provider=session.provider,
        ) from None
    return _parse_info(space, data, session.provider)


def _parse_info(space: str, data: Any, provider: str | None) -> SpaceHost:
    if not isinstance(data, Mapping):
        raise ResponseError(f"the Hub's record of {space} is not a JSON object", provider=provider)
    runtime = data.get("runtime") if isinstance(data.get("runtime"), Mapping) else {}
    hardware = runtime.get("hardware") if isinstance(runtime.get("hardware"), Mapping) else {}
    stage = str(runtime.get("stage") or "")
    if data.get("disabled"):
        raise SpaceNotRunningError(
            f"the Space {space} is disabled on the Hub", stage="DISABLED", provider=provider
        )
    if data.get("private"):
        # A private Space wants the user's token on every request to it, where the Space's
        # own code can read it; g4f never hands a token to third-party code.
        raise MissingAuthError(
            f"the Space {space} is private; g4f calls public Spaces only "
            "(duplicate it as public, or run it and use space_url=)",
            provider=provider,
        )
    host = data.get("host")
    if not isinstance(host, str) or not host:
        subdomain = data.get("subdomain")
        if data.get("sdk") not in (None, "gradio") or not isinstance(subdomain, str):
            raise ResponseError(
                f"the Hub gives no host for {space} (sdk {data.get('sdk')!r}): not a Gradio app",
                provider=provider,
            )
        host = f"https://{subdomain}.hf.space"
    try:
        url = _check_base_url(host, f"the Hub's host for {space}")
    except BadRequestError as exc:
        raise ResponseError(str(exc), provider=provider) from None
    current = hardware.get("current") or hardware.get("requested") or ""
    return SpaceHost(space, url, "hub", stage or "RUNNING", str(current))


async def _wake(session: Any, url: str, deadline: float) -> None:
    """Knock on a sleeping Space's host: any request to it starts the Space."""
    timeout = max(0.1, min(METADATA_TIMEOUT, deadline - time.monotonic()))
    try:
        async with session.request("GET", gradio_url(url, "", "config"), timeout=timeout):
            pass
    except G4FError as exc:
        # A waking Space often answers an error page or times out; the stage tells the rest.
        logger.debug("waking %s: %s", url, type(exc).__name__)
