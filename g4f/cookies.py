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
    "write_private_text",
    "read_json_file",
    "CookiesConfig",
]

Cookies = dict[str, str]


class CookiesConfig:
    """Process-wide cookie store: domain → {name: value}.

    ``cookies`` holds what :func:`set_cookies` and :func:`read_cookie_files` put
    there; ``loaded_dirs`` the directories read so far.
    """

    cookies: dict[str, Cookies] = {}
    cookies_dir: str | None = None
    loaded_dirs: set[str] = set()


_write_lock = threading.Lock()
# Cookies read implicitly from a cookies dir, with the signature of its files then.
_dir_cache: dict[str, tuple[tuple[Any, ...], dict[str, Cookies]]] = {}


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
    return domain.strip().lstrip(".").lower()


def _applies(cookie_domain: str, domain: str) -> bool:
    """Whether cookies of ``cookie_domain`` are sent to ``domain`` (same or a subdomain)."""
    return domain == cookie_domain or domain.endswith("." + cookie_domain)


def _register(cookies: Cookies) -> None:
    for value in cookies.values():
        add_secret(value)


def set_cookies(domain_name: str, cookies: Cookies | None = None) -> None:
    """Remember ``cookies`` for ``domain_name`` (``None`` or ``{}`` forgets them).

    Cookies set here win over those read implicitly from the cookies dir.
    """
    domain = _normalise_domain(domain_name)
    if cookies:
        _register(cookies)
        CookiesConfig.cookies[domain] = {str(k): str(v) for k, v in cookies.items()}
    else:
        CookiesConfig.cookies.pop(domain, None)


def _dir_cookies(cookies_dir: str) -> dict[str, Cookies]:
    """Cookies of the exports in ``cookies_dir``, re-read when its files change."""
    from ._cookie_files import dir_signature, load_cookie_dir

    if not os.path.isdir(cookies_dir):
        return {}
    signature = dir_signature(cookies_dir)
    cached = _dir_cache.get(cookies_dir)
    if cached is None or cached[0] != signature or cookies_dir not in CookiesConfig.loaded_dirs:
        loaded = load_cookie_dir(cookies_dir)
        for values in loaded.values():
            _register(values)
        _dir_cache[cookies_dir] = (signature, loaded)
        CookiesConfig.loaded_dirs.add(cookies_dir)
        return loaded
    return cached[1]


def get_cookies(
    domain_name: str,
    raise_requirements_error: bool = True,
    single_browser: bool = False,
    cache_result: bool = True,
) -> Cookies:
    """Cookies known for ``domain_name``: those in the cookies dir's exports, then those set.

    Cookies of a parent domain apply to its subdomains, so ``.huggingface.co`` and
    ``huggingface.co`` give the same answer. The ``.har``/``.json`` files are re-read
    when they change. Browser cookie stores are not read; the other parameters exist
    for compatibility with g4f and change nothing.
    """
    domain = _normalise_domain(domain_name)
    found: Cookies = {}
    for source in (_dir_cookies(get_cookies_dir()), CookiesConfig.cookies):
        for known, values in sorted(source.items(), key=lambda item: len(item[0])):
            if _applies(known, domain):
                found.update(values)
    return found


def read_cookie_files(dir_path: str | None = None, domains_filter: list[str] | None = None) -> None:
    """Load the cookies of the ``.har`` and ``.json`` exports in ``dir_path`` into the store.

    ``domains_filter`` keeps only those domains (and their subdomains). Files that
    cannot be parsed are reported by name in the log and skipped.
    """
    from ._cookie_files import load_cookie_dir

    dir_path = dir_path or get_cookies_dir()
    CookiesConfig.loaded_dirs.add(dir_path)
    wanted = [_normalise_domain(d) for d in domains_filter or []]
    for domain, values in load_cookie_dir(dir_path).items():
        if wanted and not any(_applies(w, domain) for w in wanted):
            continue
        merged = dict(CookiesConfig.cookies.get(domain, {}))
        merged.update(values)
        set_cookies(domain, merged)


def write_private_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically, readable by the owner only (0600)."""
    write_private_text(path, json.dumps(data))


def write_private_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by the owner only (0600)."""
    target = Path(path)
    # The directory holding credentials is private too (its parents are left as they are).
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _write_lock:
        # mkstemp creates the file 0600, so the secret is never readable by others.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
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
    except (OSError, ValueError, RecursionError) as exc:
        logger.warning(
            "Ignoring unreadable file %s: %s", os.path.basename(os.fspath(path)), type(exc).__name__
        )
        return None
