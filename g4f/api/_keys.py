"""The API keys file of ``g4f api --keys FILE``: who may call, and with which limits.

The file is JSON or TOML (by its suffix; ``.toml`` is TOML, anything else JSON)::

    {"keys": [{"name": "alice", "key": "sk-...", "rpm": 60, "tpd": 200000,
               "models": ["llama-3.3-70b"]}]}

``key`` is the key itself or ``sha256:<64 hex digits>`` (its SHA-256), ``rpm``
(requests per minute), ``tpd`` (tokens per UTC day) and ``models`` are optional.
Only SHA-256 digests are kept in memory (a plain key is hashed while the file is
read) and only key *names* go to the shared store. The file must not be readable or
writable by group or others: the server refuses to start otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InvalidRequestError

__all__ = ["ApiKey", "KeyRing", "load_keys", "digest"]

_HEX = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_FIELDS = {"name", "key", "rpm", "tpd", "models"}


def digest(key: str) -> str:
    """The hex SHA-256 of a presented key."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One key: its name, the digest it is recognised by, its limits (None: none)."""

    name: str
    digest: str
    rpm: int | None = None
    tpd: int | None = None
    models: frozenset[str] | None = None

    def __repr__(self) -> str:  # never the digest: it identifies the key
        return f"ApiKey(name={self.name!r}, rpm={self.rpm}, tpd={self.tpd})"


class KeyRing:
    """The keys by digest."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self.keys = list(keys)
        self._by_digest = {k.digest: k for k in keys}

    def find(self, presented: str) -> ApiKey | None:
        """The key whose digest matches ``presented`` (None: unknown)."""
        return self._by_digest.get(digest(presented))

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return f"<KeyRing {len(self.keys)} keys>"


def _fail(path: Path, message: str) -> InvalidRequestError:
    return InvalidRequestError(f"keys file {path}: {message}")


def _check_mode(path: Path) -> None:
    try:
        info = path.stat()
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _fail(path, "is not a regular file")
    if os.name == "posix" and info.st_mode & 0o077:
        raise _fail(
            path,
            f"is accessible by group or others (mode {stat.S_IMODE(info.st_mode):04o}); "
            f"it holds secrets: run 'chmod 600 {path}'",
        )


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".toml":
        try:
            import tomllib
        except ImportError:  # Python 3.10
            try:
                import tomli as tomllib  # type: ignore[no-redef]
            except ImportError:
                raise _fail(path, "TOML needs Python 3.11+ (or 'tomli'); use JSON") from None
        try:
            return tomllib.loads(text)
        except ValueError as exc:
            raise _fail(path, f"is not valid TOML ({exc})") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _fail(path, f"is not valid JSON ({exc.args[0] if exc.args else exc})") from None


def _limit(path: Path, where: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(path, f"{where} must be a positive integer")
    return value


def _entry(path: Path, index: int, item: Any, names: set[str]) -> ApiKey:
    where = f"keys[{index}]"
    if not isinstance(item, dict):
        raise _fail(path, f"{where} must be an object")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise _fail(path, f"{where} has unknown fields: {', '.join(unknown)}")
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(path, f"{where}.name must be 1-64 letters, digits or ._@-")
    if name in names:
        raise _fail(path, f"{where}.name {name!r} is used twice")
    names.add(name)
    key = item.get("key")
    if not isinstance(key, str) or not key.strip():
        raise _fail(path, f"{where}.key must be a non-empty string")
    if key.startswith("sha256:"):
        hexed = key[7:].lower()
        if not _HEX.match(hexed):
            raise _fail(path, f"{where}.key: 'sha256:' must be followed by 64 hex digits")
    elif not (key.isascii() and key.isprintable()) or len(key) < 8:
        raise _fail(path, f"{where}.key must be at least 8 printable ASCII characters")
    else:
        hexed = digest(key)
    models = item.get("models")
    if models is not None:
        if not isinstance(models, list) or not all(isinstance(m, str) and m for m in models):
            raise _fail(path, f"{where}.models must be a list of model names")
        models = frozenset(models)
    return ApiKey(
        name=name,
        digest=hexed,
        rpm=_limit(path, f"{where}.rpm", item.get("rpm")),
        tpd=_limit(path, f"{where}.tpd", item.get("tpd")),
        models=models,
    )


def load_keys(path: str | os.PathLike[str]) -> KeyRing:
    """Read and check a keys file (see the module docstring); InvalidRequestError if wrong."""
    path = Path(path).expanduser()
    _check_mode(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, f"cannot be read ({type(exc).__name__})") from None
    data = _parse(path, text)
    items = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail(path, "needs a non-empty 'keys' list")
    names: set[str] = set()
    keys = [_entry(path, i, item, names) for i, item in enumerate(items)]
    digests = [k.digest for k in keys]
    if len(set(digests)) != len(digests):
        raise _fail(path, "the same key appears twice")
    return KeyRing(keys)
