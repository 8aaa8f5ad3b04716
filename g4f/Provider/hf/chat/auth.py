"""Where HuggingChat's credentials come from, in order (``docs/auth.md``).

1. cookies passed in (``cookies=``);
2. cookies from the ``.har``/``.json`` exports in the cookies dir, or set with
   ``g4f.cookies.set_cookies`` (``get_cookies("huggingface.co")``);
3. the cached ``auth_HuggingChat.json``;
4. a nodriver browser login, when the ``login`` extra and a browser are installed
   (``G4F_BROWSER_LOGIN=0`` turns this automatic login off; ``g4f login huggingchat``
   still works).

A source is used only when it has both chat-ui cookies (``hf-chat`` is coupled to
``token``) and is not the pair the service just rejected (``failed_auth``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from ...._secrets import add_secret
from ....config import hf_endpoint
from ....cookies import get_cookies
from ....debug import logger
from ....errors import MissingAuthError, MissingRequirementsError
from ....providers.response import AuthResult, RequestLogin

__all__ = ["iter_credentials", "has_stored_credentials", "LOGIN_HINT"]

_PROVIDER = "HuggingChat"
REQUIRED = ("hf-chat", "token")
LOGIN_HINT = (
    "HuggingChat needs a logged-in session (the hf-chat and token cookies of huggingface.co): "
    "run `g4f login huggingchat` (needs `pip install 'g4f[login]'` and Chromium/Chrome), "
    "or put a .har or cookie-export .json of huggingface.co in the cookies dir, "
    "or pass cookies={'hf-chat': ..., 'token': ...}."
)


def _complete(cookies: Mapping[str, Any] | None) -> bool:
    return bool(cookies) and all(cookies.get(name) for name in REQUIRED)  # type: ignore[union-attr]


def _pair(auth: AuthResult | None) -> tuple[str, ...] | None:
    cookies = getattr(auth, "cookies", None) if auth is not None else None
    if not isinstance(cookies, Mapping):
        return None
    return tuple(str(cookies.get(name, "")) for name in REQUIRED)


def _env_timeout(default: float = 300.0) -> float:
    """``G4F_LOGIN_TIMEOUT`` seconds (the default when unset or not a positive number)."""
    try:
        value = float(os.environ.get("G4F_LOGIN_TIMEOUT", default))
    except ValueError:
        return default
    return value if value > 0 else default


def _browser_login_allowed() -> bool:
    return os.environ.get("G4F_BROWSER_LOGIN", "1").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )


def _cookie_auth(cookies: Mapping[str, Any]) -> AuthResult:
    values = {str(k): str(v) for k, v in cookies.items()}
    for value in values.values():
        add_secret(value)
    return AuthResult(cookies=values, headers={}, impersonate="chrome")


def _dir_cookies() -> dict[str, str]:
    found = dict(get_cookies("huggingface.co"))
    host = urlsplit(hf_endpoint()).hostname or ""
    if host and host != "huggingface.co":
        found.update(get_cookies(host))
    return found


def _candidates(
    cookies: Mapping[str, Any] | None, read_cache: Callable[[], AuthResult | None]
) -> Iterator[tuple[str, AuthResult | None]]:
    yield "cookies passed in", _cookie_auth(cookies) if _complete(cookies) else None
    files = _dir_cookies()
    yield "cookies dir", _cookie_auth(files) if _complete(files) else None
    cached = read_cache()
    yield (
        "auth cache",
        cached if cached is not None and _complete(getattr(cached, "cookies", None)) else None,
    )


def has_stored_credentials(
    cookies: Mapping[str, Any] | None, read_cache: Callable[[], AuthResult | None]
) -> bool:
    """Whether a complete cookie pair is at hand without a browser login."""
    return any(auth is not None for _, auth in _candidates(cookies, read_cache))


async def iter_credentials(
    read_cache: Callable[[], AuthResult | None],
    *,
    cookies: Mapping[str, Any] | None = None,
    failed_auth: AuthResult | None = None,
    proxy: str | None = None,
    login_url: str,
    login_timeout: float | None = None,
) -> AsyncIterator[Any]:
    """``RequestLogin`` chunks (browser login only), then the ``AuthResult`` to use."""
    for source, auth in _candidates(cookies, read_cache):
        if auth is None:
            continue
        if failed_auth is not None and _pair(auth) == _pair(failed_auth):
            logger.debug("%s: skipping the %s, rejected just now", _PROVIDER, source)
            continue
        logger.debug("%s: using the %s", _PROVIDER, source)
        yield auth
        return
    from .. import _login

    if not _browser_login_allowed() or not _login.browser_available():
        raise MissingAuthError(f"{_PROVIDER}: not logged in. {LOGIN_HINT}", provider=_PROVIDER)
    yield RequestLogin(_PROVIDER, os.environ.get("G4F_LOGIN_URL", ""))
    timeout = login_timeout or _env_timeout()
    try:
        values, user_agent = await _login.browser_login(
            login_url, probe_url=f"{login_url}/api/v2/user", timeout=timeout, proxy=proxy
        )
    except (MissingAuthError, MissingRequirementsError) as exc:
        raise MissingAuthError(
            f"{_PROVIDER}: browser login failed: {exc}. {LOGIN_HINT}", provider=_PROVIDER
        ) from None
    yield AuthResult(
        cookies=values,
        headers={"user-agent": user_agent} if user_agent else {},
        impersonate="chrome",
    )
