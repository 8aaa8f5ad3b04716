"""Inputs that name files, models or URLs: one check for each, used by every provider.

Three rules (docs/security.md, "Inputs that name files, models or URLs"):

- A media URL inside a message (``image_url.url`` and any other media part) is an
  ``http(s)://`` URL or a ``data:`` URI; anything else is an
  :class:`~g4f.errors.InvalidRequestError`. A string is never opened as a file: local
  files enter only as bytes, a file object or an :class:`os.PathLike` (``pathlib.Path``)
  given to ``media=`` by library code (:func:`media_input`).
- A model id is a Hub repo id (``name`` or ``namespace/name``: ASCII letters, digits,
  ``-``, ``_``, ``.``; no ``--`` or ``..``; not starting or ending with ``-`` or ``.``;
  not ending with ``.git``; the name at most 96 characters), optionally followed by
  ``:provider`` / ``:fastest`` / ``:cheapest``, or ``space:owner/name[/api_name]``, or a
  known alias (:func:`check_model_id`). It is checked before any request.
- Every value placed in a URL path goes through :func:`join_url`, which percent-encodes
  it as exactly one path segment and refuses ``.``/``..`` and empty segments, so no
  value can climb out of the route it was meant for or add a query or fragment.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from .errors import G4FError, InvalidRequestError

__all__ = [
    "MediaInput",
    "check_media_url",
    "check_message_media",
    "media_input",
    "data_uri_bytes",
    "check_model_id",
    "split_space_model",
    "join_url",
    "quote_path",
]

# --- media URLs ---------------------------------------------------------------------------

#: Keys of a message part (or of its nested object) that hold a media URL.
_URL_KEYS = ("url", "image_url", "video_url", "audio_url", "file_url")
_SHOWN = 40


def _shown(value: str) -> str:
    """A short, printable view of a refused value (never more than the caller sent)."""
    text = value[:_SHOWN].encode("ascii", "backslashreplace").decode()
    return repr(text + ("…" if len(value) > _SHOWN else ""))


def check_media_url(value: Any, where: str = "media") -> str:
    """``value`` when it is an ``http(s)://`` URL or a ``data:`` URI, else InvalidRequestError.

    Nothing is looked up: the answer is the same whether or not a file of that name exists.
    """
    if not isinstance(value, str):
        raise InvalidRequestError(
            f"{where} must be an http(s):// URL or a data: URI, not {type(value).__name__}"
        )
    lowered = value[:8].lower()
    if lowered.startswith("data:"):
        return value
    if lowered.startswith(("http://", "https://")):
        try:
            host = urlsplit(value).hostname
        except ValueError:
            host = None
        if host:
            return value
    # The value is not echoed: the answer is the same for every refused string.
    raise InvalidRequestError(f"{where} must be an http(s):// URL or a data: URI")


def _part_urls(part: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """``(key, value)`` of every media URL field of one non-text content part."""
    kind = part.get("type")
    holders: list[Mapping[str, Any]] = [part]
    for nested in (part.get(kind) if isinstance(kind, str) else None, part.get("source")):
        if isinstance(nested, Mapping):
            holders.append(nested)
    for holder in holders:
        for key in _URL_KEYS:
            value = holder.get(key)
            if isinstance(value, Mapping):
                value = value.get("url")
            if value is not None:
                yield key, value


def check_message_media(messages: Iterable[Any]) -> None:
    """Every media URL inside ``messages`` must pass :func:`check_media_url`."""
    for index, message in enumerate(messages):
        content = message.get("content") if isinstance(message, Mapping) else None
        if not isinstance(content, list):
            continue
        for number, part in enumerate(content):
            if not isinstance(part, Mapping) or part.get("type", "text") == "text":
                continue
            for key, value in _part_urls(part):
                check_media_url(value, f"messages[{index}].content[{number}].{key}")


@dataclass(frozen=True)
class MediaInput:
    """One media item: local ``data`` (bytes) or a checked ``url`` (http(s) or data:)."""

    data: bytes | None
    url: str | None
    name: str | None


def media_input(value: Any, name: str | None = None, where: str = "media") -> MediaInput:
    """Classify one ``media=`` item; the only place a local file is ever read.

    Bytes and file objects are taken as they are, an :class:`os.PathLike` is read (an
    explicit library argument), a string must be an http(s) URL or a ``data:`` URI.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return MediaInput(bytes(value), None, name)
    if isinstance(value, os.PathLike):
        path = os.fspath(value)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise InvalidRequestError(
                f"{where}: cannot read the file {os.path.basename(str(path))!r}: "
                f"{exc.strerror or type(exc).__name__}"
            ) from None
        return MediaInput(data, None, name or os.path.basename(str(path)))
    if hasattr(value, "read") and not isinstance(value, str):
        data = value.read()
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidRequestError(f"{where}: a file object must be opened in binary mode")
        return MediaInput(
            bytes(data), None, name or os.path.basename(str(getattr(value, "name", ""))) or None
        )
    return MediaInput(None, check_media_url(value, where), name)


def data_uri_bytes(uri: str, where: str = "media") -> bytes:
    """The bytes of a ``data:`` URI (base64 or percent-encoded)."""
    header, comma, payload = uri.partition(",")
    if not comma:
        raise InvalidRequestError(f"{where}: a data: URI needs a comma before its data")
    if ";base64" not in header.lower():
        return unquote_to_bytes(payload)
    try:
        return base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError):
        raise InvalidRequestError(f"{where}: a data: URI is not valid base64") from None


# --- model ids ----------------------------------------------------------------------------

# One repo-id part: starts and ends with a word character, ASCII only (the Hub's rule).
_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"(?:(?P<namespace>{_PART})/)?(?P<name>{_PART})", re.ASCII)
#: ``:fastest``, ``:cheapest``, ``:preferred`` or an inference provider's name.
_SUFFIX = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.\-]{0,62}[A-Za-z0-9])?", re.ASCII)
#: A Gradio endpoint name (``infer``, ``model_chat``, ``lambda_1``).
_API_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,98}[A-Za-z0-9_])?", re.ASCII)
_MAX_NAME = 96
_SPACE_PREFIX = "space:"


def _repo_id_ok(value: str) -> bool:
    match = _REPO_ID.fullmatch(value)
    return (
        match is not None
        and len(match.group("name")) <= _MAX_NAME
        and len(match.group("namespace") or "") <= _MAX_NAME
        and "--" not in value
        and ".." not in value
        and not value.endswith(".git")
    )


def _bad_model(model: str, why: str) -> InvalidRequestError:
    return InvalidRequestError(f"Invalid model id {_shown(model)}: {why}")


def split_space_model(model: str) -> tuple[str, str | None]:
    """``"space:owner/name[/api_name]"`` → ``("owner/name", api_name)``, checked."""
    parts = model.removeprefix(_SPACE_PREFIX).split("/")
    if len(parts) not in (2, 3):
        raise _bad_model(model, "a Space is named space:owner/name[/api_name]")
    space = "/".join(parts[:2])
    if not _repo_id_ok(space):
        raise _bad_model(model, "the Space id is not a valid owner/name")
    api_name = parts[2] if len(parts) == 3 else None
    if api_name is not None and not _API_NAME.fullmatch(api_name):
        raise _bad_model(model, "the endpoint name may hold only letters, digits, '_' and '-'")
    return space, api_name


def check_model_id(model: Any, aliases: Container[str] = ()) -> str:
    """``model`` when it is empty, a known alias, a Space id or a repo id (with a suffix).

    Anything else is an :class:`InvalidRequestError`, raised before any request is made.
    """
    if not isinstance(model, str):
        raise InvalidRequestError(f"model must be a string, not {type(model).__name__}")
    if not model or model in aliases:
        return model
    if model.startswith(_SPACE_PREFIX):
        split_space_model(model)
        return model
    base, colon, suffix = model.partition(":")
    if colon and not _SUFFIX.fullmatch(suffix):
        raise _bad_model(model, "the suffix after ':' must be a provider name or a policy")
    if not _repo_id_ok(base):
        raise _bad_model(
            model,
            "a model is 'name' or 'namespace/name' of letters, digits, '-', '_' and '.' "
            "(no '--' or '..', not starting or ending with '-' or '.'), or a known alias",
        )
    return model


# --- URLs -----------------------------------------------------------------------------------

#: Characters kept as they are in a path segment (RFC 3986 ``pchar`` minus nothing risky:
#: no ``/``, ``\``, ``?``, ``#``, ``%`` or whitespace).
_SEGMENT_SAFE = "-._~!$&'()*+,;=:@"
_DOT_SEGMENTS = {".", ".."}
_SEPARATORS = re.compile(r"[/\\]")


def _segment(value: Any, error: type[G4FError]) -> str:
    text = str(value)
    if not text:
        raise error("An empty value cannot be a URL path segment")
    # A server that decodes %2F or treats "\" as "/" must see neither a dot segment nor
    # an empty one (normalization would fold it away and shift the route).
    if any(not piece or piece in _DOT_SEGMENTS for piece in _SEPARATORS.split(text)):
        raise error(f"{_shown(text)} cannot be a URL path segment")
    try:
        return quote(text, safe=_SEGMENT_SAFE, encoding="utf-8", errors="strict")
    except UnicodeEncodeError:
        raise error(f"{_shown(text)} is not valid text for a URL") from None


def join_url(base: str, *segments: Any, error: type[G4FError] = InvalidRequestError) -> str:
    """``base`` followed by each value percent-encoded as exactly one path segment.

    A value that is empty, ``.`` or ``..``, or has such a piece between ``/`` or ``\\``,
    or is not encodable raises ``error`` (InvalidRequestError: pass ResponseError for values a
    service sent). Multi-segment ids are passed split: ``*repo_id.split("/")``.
    """
    return base.rstrip("/") + "".join("/" + _segment(s, error) for s in segments)


def quote_path(path: str, error: type[G4FError] = InvalidRequestError) -> str:
    """A ``/``-separated path (a leading ``/`` kept) with each piece encoded as a segment.

    Used for paths a service hands back (Gradio file paths, queue URLs, API prefixes);
    an empty path stays empty.
    """
    if not path:
        return ""
    lead = "/" if path.startswith("/") else ""
    pieces = path[len(lead) :].split("/")
    return lead + "/".join(_segment(piece, error) for piece in pieces)
