"""Cookies and the cookies dir.

The cookies dir is ``G4F_COOKIES_DIR``, else what :func:`set_cookies_dir` set,
else ``./har_and_cookies`` when it exists, else the platform user data dir. It is
resolved when asked for, never at import, and nothing is written there unless a
provider caches credentials on purpose (mode 0600, atomically).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ._secrets import add_secret
from .debug import logger

__all__ = [
    "get_cookies",
    "set_cookies",
    "get_cookies_dir",
    "set_cookies_dir",
    "read_cookie_files",
    "write_private_json",
    "read_json_file",
    "CookiesConfig",
]

Cookies = dict[str, str]


class CookiesConfig:
    """Process-wide cookie store: domain → {name: value}."""

    cookies: dict[str, Cookies] = {}
    cookies_dir: str | None = None
    loaded_dirs: set[str] = set()


_write_lock = threading.Lock()


def get_cookies_dir() -> str:
    """The directory where cookie exports and auth caches live."""
    env = os.environ.get("G4F_COOKIES_DIR")
    if env:
        return env
    if CookiesConfig.cookies_dir:
        return CookiesConfig.cookies_dir
    if os.path.isdir("har_and_cookies"):
        return os.path.abspath("har_and_cookies")
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("g4f", appauthor=False), "cookies")


def set_cookies_dir(path: str | os.PathLike[str]) -> None:
    """Use ``path`` as the cookies dir from now on."""
    CookiesConfig.cookies_dir = os.fspath(path)


def _normalise_domain(domain: str) -> str:
    return domain.lstrip(".").lower()


def set_cookies(domain_name: str, cookies: Cookies | None = None) -> None:
    """Remember ``cookies`` for ``domain_name`` (``None`` forgets them)."""
    domain = _normalise_domain(domain_name)
    if cookies:
        for value in cookies.values():
            add_secret(value)
        CookiesConfig.cookies[domain] = dict(cookies)
    else:
        CookiesConfig.cookies.pop(domain, None)


def get_cookies(
    domain_name: str,
    raise_requirements_error: bool = True,
    single_browser: bool = False,
    cache_result: bool = True,
) -> Cookies:
    """Cookies known for ``domain_name``: those set, then those read from the cookies dir.

    Cookies of a parent domain apply to its subdomains, so ``.huggingface.co`` and
    ``huggingface.co`` give the same answer. Browser cookie stores are not read.
    """
    domain = _normalise_domain(domain_name)
    cookies_dir = get_cookies_dir()
    if cookies_dir not in CookiesConfig.loaded_dirs and os.path.isdir(cookies_dir):
        read_cookie_files(cookies_dir)
    found: Cookies = {}
    for known, values in CookiesConfig.cookies.items():
        if domain == known or domain.endswith("." + known):
            found.update(values)
    return found


def read_cookie_files(dir_path: str | None = None, domains_filter: list[str] | None = None) -> None:
    """Load cookies from the ``.har`` and ``.json`` exports in ``dir_path`` into the store."""
    from ._cookie_files import load_cookie_dir

    dir_path = dir_path or get_cookies_dir()
    CookiesConfig.loaded_dirs.add(dir_path)
    for domain, values in load_cookie_dir(dir_path).items():
        if domains_filter and not any(domain.endswith(_normalise_domain(d)) for d in domains_filter):
            continue
        merged = dict(CookiesConfig.cookies.get(domain, {}))
        merged.update(values)
        set_cookies(domain, merged)


def write_private_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically, readable by the owner only (0600)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            os.fchmod(fd, 0o600) if hasattr(os, "fchmod") else None
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def read_json_file(path: str | os.PathLike[str]) -> Any | None:
    """JSON content of ``path``; ``None`` (and a warning) when it is missing or corrupt."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("Ignoring unreadable file %s: %s", os.path.basename(os.fspath(path)), type(exc).__name__)
        return None
