"""The Gradio wire protocol, as the Space providers use it (PROTOCOLS.md §F).

- ``space_config``: ``GET {base}/config`` → API prefix and ``api_name`` → ``fn_index``;
- ``queue_events``: ``POST {prefix}/queue/join`` then the ``{prefix}/queue/data`` SSE
  stream of ``{"msg": ...}`` messages, with Gradio's output diffs applied so every
  update carries full output values;
- ``call_events``: ``POST {prefix}/call/{api_name}`` then its ``event:``/``data:`` stream;
- ``upload``: ``POST {prefix}/upload`` (multipart) → FileData objects;
- ``zerogpu_headers``: the ZeroGPU token from the Hub when cookies or a token exist;
- ``space_error``: a Space's error text (HTML stripped) as a typed error.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from ..._secrets import add_secret
from ...config import hf_endpoint
from ...debug import logger
from ...errors import G4FError, RateLimitError, ResponseError, strip_html
from ...inputs import join_url, quote_path
from ...providers.lookup import lookup
from ...requests import FormFile

__all__ = [
    "GradioUpdate",
    "SpaceConfig",
    "space_config",
    "queue_events",
    "call_events",
    "upload",
    "file_url",
    "apply_diff",
    "zerogpu_headers",
    "space_error",
    "new_session_hash",
    "request_json",
]

_CONFIG_TTL = 600.0
_TRY_AGAIN = re.compile(r"try again in (?:(\d+):)?(\d+):(\d+)", re.I)
#: ZeroGPU quotas refill over minutes; retrying within seconds cannot help.
_QUOTA_DEFAULT_WAIT = 60.0


@dataclass(frozen=True)
class SpaceConfig:
    """What a Space's ``/config`` says: its API prefix and its named endpoints."""

    api_prefix: str
    endpoints: Mapping[str, tuple[int, int | None]]
    version: str = ""
    #: The example value of the app's first Chatbot: it shows the history format it takes.
    chat_example: Any = None

    def fn(self, api_name: str, provider: str) -> tuple[int, int | None]:
        """``(fn_index, trigger_id)`` of a named endpoint."""
        try:
            return self.endpoints[api_name.lstrip("/")]
        except KeyError:
            raise ResponseError(
                f"{provider}: the Space has no endpoint /{api_name.lstrip('/')}", provider=provider
            ) from None


@dataclass
class GradioUpdate:
    """One step of a job: ``kind`` is queue | progress | log | generating | completed."""

    kind: str
    data: list[Any] | None = None
    status: str = ""


def new_session_hash() -> str:
    """A fresh session hash, as the Gradio JS client makes them."""
    return uuid.uuid4().hex[:11]


def space_error(message: Any, provider: str, status_code: int | None = None) -> G4FError:
    """A Space's error text as a typed error: quota → RateLimitError, else ResponseError."""
    text = strip_html(str(message or "")) or "the Space reported an error"
    who = f"{provider}: "
    if "quota" in text.lower():
        wait = _TRY_AGAIN.search(text)
        retry_after = _QUOTA_DEFAULT_WAIT
        if wait:
            hours, minutes, seconds = (int(g or 0) for g in wait.groups())
            retry_after = float(hours * 3600 + minutes * 60 + seconds)
        return RateLimitError(
            who + text, provider=provider, status_code=429, retry_after=retry_after
        )
    return ResponseError(who + text, provider=provider, status_code=status_code)


async def request_json(session: Any, method: str, url: str, **kwargs: Any) -> Any:
    """The JSON body of a request (a typed error for an error status)."""
    async with session.request(method, url, **kwargs) as response:
        await response.raise_for_status()
        return await response.json()


async def space_config(
    session: Any, base_url: str, headers: Mapping[str, str] | None = None
) -> SpaceConfig:
    """The Space's API prefix and endpoints: a metadata look-up (short timeout, cached
    for a while per base URL, a failure for a short while)."""

    async def fetch() -> SpaceConfig:
        data = await request_json(session, "GET", f"{base_url}/config", headers=headers)
        if not isinstance(data, Mapping):
            raise ResponseError(
                "the Space's /config is not a JSON object", provider=session.provider
            )
        try:
            return _parse_config(data)
        except (LookupError, TypeError, ValueError):
            raise ResponseError(
                "the Space's /config has malformed dependencies or components",
                provider=session.provider,
            ) from None

    return await lookup(
        f"space-config:{base_url}",
        fetch,
        ttl=_CONFIG_TTL,
        what="the Space's config",
        provider=session.provider,
    )


def _parse_config(data: Mapping[str, Any]) -> SpaceConfig:
    endpoints: dict[str, tuple[int, int | None]] = {}
    for index, dep in enumerate(data.get("dependencies") or []):
        if not isinstance(dep, Mapping) or not dep.get("api_name"):
            continue
        targets = dep.get("targets") or []
        trigger = targets[0][0] if targets and isinstance(targets[0], list) else None
        endpoints[str(dep["api_name"]).lstrip("/")] = (int(dep.get("id", index)), trigger)
    chatbots = [
        c
        for c in data.get("components") or []
        if isinstance(c, Mapping) and c.get("type") == "chatbot"
    ]
    example = (chatbots[0].get("example_inputs") if chatbots else None) or None
    # The prefix sits between the Space's host and every route: a path, nothing else.
    raw = str(data.get("api_prefix") or "").strip("/")
    prefix = quote_path("/" + raw, ResponseError) if raw else ""
    return SpaceConfig(prefix, endpoints, str(data.get("version") or ""), example)


def apply_diff(value: Any, diff: list[Any]) -> Any:
    """``value`` after Gradio's streamed edits ``[[action, path, new], ...]``.

    An edit that does not fit the value (bad path, wrong shape) is a :class:`ResponseError`.
    """
    try:
        return _apply_diff(copy.deepcopy(value), diff)
    except (LookupError, TypeError, ValueError, AttributeError) as exc:
        raise ResponseError(
            f"malformed Gradio diff: {type(exc).__name__}: {str(exc)[:100]}"
        ) from None


def _apply_diff(value: Any, diff: list[Any]) -> Any:
    for action, path, new in diff:
        if not path:
            value = new if action == "replace" else value + new
            continue
        target = value
        for key in path[:-1]:
            target = target[key]
        last = path[-1]
        if action == "replace":
            target[last] = new
        elif action == "append":
            target[last] += new
        elif action == "add":
            if isinstance(target, list):
                target.insert(int(last), new)
            else:
                target[last] = new
        elif action == "delete":
            del target[int(last) if isinstance(target, list) else last]
        else:
            raise ResponseError(f"unknown Gradio diff action {action!r}")
    return value


def _progress_text(message: Mapping[str, Any]) -> str:
    """Display text of a progress message; anything unexpected in it reads as "Generating"."""
    units = message.get("progress_data")
    unit = units[0] if isinstance(units, list) and units else None
    if not isinstance(unit, Mapping):
        return "Generating"
    desc = unit.get("desc") or "Generating"
    if unit.get("index") is not None and unit.get("length"):
        return f"{desc} {unit['index']}/{unit['length']}"
    progress = unit.get("progress")
    if isinstance(progress, (int, float)) and math.isfinite(progress):
        return f"{desc} {round(100 * progress)}%"
    return str(desc)


def _event_id(reply: Any, provider: str) -> str:
    event_id = reply.get("event_id") if isinstance(reply, Mapping) else None
    if not isinstance(event_id, str) or not event_id:
        raise ResponseError(f"{provider}: the Space gave no event_id", provider=provider)
    return event_id


async def queue_events(
    session: Any,
    base_url: str,
    api_name: str,
    data: list[Any],
    *,
    headers: Mapping[str, str] | None = None,
    provider: str,
) -> AsyncIterator[GradioUpdate]:
    """Run ``api_name`` through the queue protocol; updates carry full output values."""
    config = await space_config(session, base_url, headers)
    fn_index, trigger_id = config.fn(api_name, provider)
    api = f"{base_url}{config.api_prefix}"
    session_hash = new_session_hash()
    body = {
        "data": data,
        "event_data": None,
        "fn_index": fn_index,
        "trigger_id": trigger_id,
        "session_hash": session_hash,
    }
    event_id = _event_id(
        await request_json(session, "POST", f"{api}/queue/join", json=body, headers=headers),
        provider,
    )
    outputs: list[Any] | None = None
    async with session.get(
        f"{api}/queue/data",
        params={"session_hash": session_hash},
        headers={**(headers or {}), "Accept": "text/event-stream"},
    ) as response:
        await response.raise_for_status()
        async for message in response.sse():
            if not isinstance(message, Mapping) or message.get("event_id") not in (None, event_id):
                continue
            kind = message.get("msg")
            if kind == "close_stream":
                break
            try:
                update = _queue_update(kind, message, outputs, provider)
            except (LookupError, TypeError, ValueError, AttributeError) as exc:
                raise ResponseError(
                    f"{provider}: malformed Gradio {str(kind)[:40]} message: {type(exc).__name__}",
                    provider=provider,
                ) from None
            if update is None:
                continue
            if update.kind == "generating":
                outputs = update.data
            yield update
            if update.kind == "completed":
                return
    raise ResponseError(
        f"{provider}: the Space closed the stream before completing", provider=provider
    )


def _queue_update(
    kind: Any, message: Mapping[str, Any], outputs: list[Any] | None, provider: str
) -> GradioUpdate | None:
    """The update one queue message means (``None``: nothing to report); errors raised typed.

    A message of the wrong shape raises a plain exception the caller turns into a
    :class:`ResponseError`.
    """
    if kind == "estimation":
        rank, size = message.get("rank"), message.get("queue_size")
        return GradioUpdate("queue", status=f"{int(rank or 0) + 1}/{size}" if size else "")
    if kind == "progress":
        return GradioUpdate("progress", status=_progress_text(message))
    if kind == "log":
        return GradioUpdate("log", status=str(message.get("log", "")))
    if kind in ("process_generating", "process_completed"):
        generating = kind == "process_generating"
        output = message.get("output") or {}
        if not isinstance(output, Mapping):
            raise TypeError("output is not an object")
        if not message.get("success", generating) or output.get("error"):
            raise space_error(output.get("error") or (None if generating else output), provider)
        data = output.get("data")
        if data is not None and not isinstance(data, list):
            raise TypeError("output data is not a list")
        if not generating:
            return GradioUpdate("completed", list(data or outputs or []))
        chunk = list(data or [])
        if outputs is not None:
            chunk = [apply_diff(old, diff) for old, diff in zip(outputs, chunk, strict=False)]
        return GradioUpdate("generating", chunk)
    if kind == "unexpected_error":
        raise space_error(message.get("message"), provider)
    return None


async def call_events(
    session: Any,
    base_url: str,
    api_name: str,
    data: list[Any],
    *,
    headers: Mapping[str, str] | None = None,
    provider: str,
    api_prefix: str = "/gradio_api",
) -> AsyncIterator[GradioUpdate]:
    """Run ``api_name`` through the call protocol (``event: generating|complete|error``)."""
    url = join_url(base_url + api_prefix, "call", api_name.lstrip("/"), error=ResponseError)
    event_id = _event_id(
        await request_json(session, "POST", url, json={"data": data}, headers=headers), provider
    )
    async with session.get(
        join_url(url, event_id, error=ResponseError),
        headers={**(headers or {}), "Accept": "text/event-stream"},
    ) as response:
        await response.raise_for_status()
        async for event in response.iter_sse():
            if event.event == "heartbeat":
                continue
            value = event.json(provider) if event.data.strip() else None
            if event.event == "error":
                error = value.get("error") if isinstance(value, Mapping) else value
                raise space_error(error, provider)
            if event.event == "generating" and isinstance(value, list):
                yield GradioUpdate("generating", value)
            elif event.event == "complete":
                yield GradioUpdate("completed", value if isinstance(value, list) else [])
                return
    raise ResponseError(
        f"{provider}: the Space closed the stream before completing", provider=provider
    )


def file_url(base_url: str, api_prefix: str, value: Any) -> str | None:
    """The URL of a FileData output (``url``, else built from its ``path``)."""
    if not isinstance(value, Mapping):
        return None
    url = value.get("url")
    if isinstance(url, str) and url:
        return url if "://" in url or url.startswith("data:") else f"{base_url}/{url.lstrip('/')}"
    path = value.get("path")
    return _file_url(base_url, api_prefix, path) if isinstance(path, str) and path else None


def _file_url(base_url: str, api_prefix: str, path: str) -> str:
    """``{base}{prefix}/file={path}`` with the Space's file path encoded piece by piece."""
    return f"{base_url}{api_prefix}/file={quote_path(path, ResponseError)}"


async def upload(
    session: Any,
    base_url: str,
    api_prefix: str,
    files: list[tuple[bytes, str, str]],
    *,
    headers: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Upload ``(data, filename, mime)`` files; FileData objects for the job's inputs."""
    upload_id = new_session_hash()
    form = [FormFile("files", data, filename=name, content_type=mime) for data, name, mime in files]
    paths = await request_json(
        session,
        "POST",
        f"{base_url}{api_prefix}/upload",
        params={"upload_id": upload_id},
        form=form,
        headers=headers,
    )
    if not isinstance(paths, list) or len(paths) != len(files):
        raise ResponseError(
            "the Space's upload reply is not a list of paths", provider=session.provider
        )
    return [
        {
            "path": path,
            "url": _file_url(base_url, api_prefix, str(path)),
            "orig_name": name,
            "size": len(data),
            "mime_type": mime,
            "meta": {"_type": "gradio.FileData"},
        }
        for path, (data, name, mime) in zip(paths, files, strict=True)
    ]


async def zerogpu_headers(
    session: Any, space: str, cookies: Mapping[str, str] | None, api_key: str | None = None
) -> dict[str, str]:
    """``x-zerogpu-token``/``x-zerogpu-uuid`` for a ZeroGPU Space, when the user is known.

    The token comes from the Hub's Space JWT endpoint, authenticated by the
    huggingface.co cookies or a token; those credentials go to the Hub only, never
    to the Space. Without them, or when the Hub refuses, the Space is used anonymously.
    """
    if not cookies and not api_key:
        return {}
    expiration = (datetime.now(timezone.utc) + timedelta(minutes=10)).isoformat(
        timespec="milliseconds"
    )
    headers: dict[str, str] = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if api_key:
        add_secret(api_key)
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        data = await request_json(
            session,
            "GET",
            join_url(hf_endpoint(), "api", "spaces", *space.split("/"), "jwt"),
            params={"expiration": expiration.replace("+00:00", "Z"), "include_pro_status": "true"},
            headers=headers,
        )
    except G4FError as exc:
        logger.debug(
            "ZeroGPU token for %s unavailable (%s); going anonymous", space, type(exc).__name__
        )
        return {}
    token = data.get("token") if isinstance(data, Mapping) else None
    if not isinstance(token, str) or not token:
        return {}
    add_secret(token)
    return {"x-zerogpu-token": token, "x-zerogpu-uuid": uuid.uuid4().hex}
