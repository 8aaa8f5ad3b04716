"""Browser login for HuggingChat, driven by nodriver (the optional ``login`` extra).

:func:`login_huggingchat` opens the chat page in Chromium/Chrome, waits until the
user has logged in (the ``token`` and ``hf-chat`` cookies exist and chat-ui's
``/api/v2/user`` names a user: anonymous sessions get 200 there too, with ``null``),
then stores the cookies and the browser's user agent in ``auth_HuggingChat.json``
(0600, atomic). ``g4f login huggingchat`` calls it, and
HuggingChat calls :func:`browser_login` when no other credentials work.

Environment: ``G4F_BROWSER_EXECUTABLE_PATH`` (the browser binary),
``G4F_BROWSER_HEADLESS=1`` (no window; useful only when the page logs in by itself),
``G4F_BROWSER_USER_DATA_DIR`` (profile dir; default: platformdirs
``user_config_dir("g4f-nodriver")``, so a login in that profile is remembered).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..._secrets import add_secret
from ...debug import logger
from ...errors import MissingAuthError, MissingRequirementsError
from ...providers.response import AuthResult

__all__ = [
    "login_huggingchat",
    "browser_login",
    "browser_available",
    "find_browser",
    "BROWSER_ARGS",
    "REQUIRED_COOKIES",
]

REQUIRED_COOKIES = ("hf-chat", "token")
#: Flags that keep Chromium from stalling on machines without internet or a GPU.
BROWSER_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--no-default-browser-check",
]
# /api/v2/user answers 200 for anonymous sessions too (superjson {"json": null}): only a
# user name in the answer means the chat-ui OAuth callback has bound the session.
_PROBE = """fetch(%r, {credentials: "include", headers: {accept: "application/json"}})
.then(r => r.ok ? r.json() : null)
.then(b => Boolean(b && b.json && (b.json.username || b.json.id))).catch(() => false)"""

PageHook = Callable[[Any], Awaitable[None]]


def find_browser(path: str | None = None) -> str | None:
    """The browser binary: ``path``, ``G4F_BROWSER_EXECUTABLE_PATH``, else Chromium/Chrome on PATH."""
    path = path or os.environ.get("G4F_BROWSER_EXECUTABLE_PATH")
    if path:
        return path if os.path.exists(path) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def browser_available(executable_path: str | None = None) -> bool:
    """Whether nodriver is installed and a Chromium/Chrome binary is found."""
    try:
        import nodriver  # noqa: F401
    except ImportError:
        return False
    return find_browser(executable_path) is not None


def _headless(value: bool | None) -> bool:
    if value is not None:
        return value
    return os.environ.get("G4F_BROWSER_HEADLESS", "").lower() in ("1", "true", "yes")


def _profile_dir(user_data_dir: str | os.PathLike[str] | None) -> str:
    if user_data_dir:
        return os.fspath(user_data_dir)
    if os.environ.get("G4F_BROWSER_USER_DATA_DIR"):
        return os.environ["G4F_BROWSER_USER_DATA_DIR"]
    from platformdirs import user_config_dir

    return user_config_dir("g4f-nodriver")


def _cookies_for(cookies: list[Any], url: str) -> dict[str, str]:
    host = (urlsplit(url).hostname or "").lower()
    found: dict[str, str] = {}
    for cookie in cookies:
        domain = str(getattr(cookie, "domain", "")).lstrip(".").lower()
        if domain and (host == domain or host.endswith("." + domain)):
            found[str(cookie.name)] = str(cookie.value)
    return found


@contextlib.contextmanager
def _quiet_cdp_logs() -> Any:
    """CDP traffic carries cookie values: keep nodriver's debug logging off meanwhile."""
    cdp_logger = logging.getLogger("nodriver")
    previous = cdp_logger.level
    cdp_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        cdp_logger.setLevel(previous)


async def _stop(browser: Any) -> None:
    process = getattr(browser, "_process", None)
    # Close every CDP websocket (tabs, then the browser's own) before the process goes.
    for connection in [*getattr(browser, "targets", []), browser]:
        with contextlib.suppress(Exception):
            await connection.aclose()
    if process is not None and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    with contextlib.suppress(Exception):
        from nodriver.core import util

        util.get_registered_instances().discard(browser)


async def _logged_in(
    tab: Any, browser: Any, url: str, probe_url: str | None
) -> dict[str, str] | None:
    cookies = _cookies_for(await browser.cookies.get_all(), url)
    if not all(cookies.get(name) for name in REQUIRED_COOKIES):
        return None
    if probe_url:
        named = await tab.evaluate(_PROBE % probe_url, await_promise=True, return_by_value=True)
        if named is not True:
            return None
        # The probe may refresh the session cookie; read the jar again.
        cookies = _cookies_for(await browser.cookies.get_all(), url)
    return cookies


async def browser_login(
    url: str,
    *,
    probe_url: str | None = None,
    timeout: float = 300.0,
    proxy: str | None = None,
    headless: bool | None = None,
    user_data_dir: str | os.PathLike[str] | None = None,
    executable_path: str | None = None,
    on_page: PageHook | None = None,
) -> tuple[dict[str, str], str]:
    """Open ``url`` in a browser and wait for a login; ``(cookies for its host, user agent)``.

    The login is complete when the ``hf-chat`` and ``token`` cookies exist and
    ``probe_url`` (chat-ui's ``/api/v2/user``) names a user inside the page; before
    chat-ui's OAuth callback the session is anonymous and the answer is ``null``. ``on_page(tab)`` runs once the page is open (automation, tests).
    Raises :class:`MissingRequirementsError` without nodriver or a browser binary,
    :class:`MissingAuthError` when nobody logs in within ``timeout`` seconds.
    """
    try:
        import nodriver
    except ImportError:
        raise MissingRequirementsError(
            "The browser login needs nodriver: pip install 'g4f[login]'"
        ) from None
    executable = find_browser(executable_path)
    if executable is None:
        raise MissingRequirementsError(
            "No Chromium or Chrome found for the browser login; install one "
            "(Debian: apt-get install chromium) or set G4F_BROWSER_EXECUTABLE_PATH"
        )
    headless = _headless(headless)
    if (
        not headless
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    ):
        raise MissingAuthError(
            "No display for the login browser: run `g4f login huggingchat` where a browser "
            "window can open, or put a .har/.json cookie export in the cookies dir"
        )
    args = list(BROWSER_ARGS) + ([f"--proxy-server={proxy}"] if proxy else [])
    profile = _profile_dir(user_data_dir)
    # The profile keeps the huggingface.co session: private to the user.
    Path(profile).mkdir(mode=0o700, parents=True, exist_ok=True)
    with _quiet_cdp_logs():
        try:
            browser = await nodriver.start(
                headless=headless,
                browser_executable_path=executable,
                browser_args=args,
                sandbox=False,
                user_data_dir=profile,
            )
        except Exception as exc:  # noqa: BLE001 - nodriver raises bare Exception on start failures
            raise MissingAuthError(
                f"The login browser did not start ({type(exc).__name__})"
            ) from None
        hook: asyncio.Task[None] | None = None
        try:
            tab = await browser.get(url)
            user_agent = str(await tab.evaluate("navigator.userAgent", return_by_value=True) or "")
            if on_page is not None:
                hook = asyncio.create_task(on_page(tab))
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                cookies = await _logged_in(tab, browser, url, probe_url)
                if cookies is not None:
                    for value in cookies.values():
                        add_secret(value)
                    return cookies, user_agent
                await asyncio.sleep(0.5)
            raise MissingAuthError(f"Nobody logged in within {timeout:g} s")
        finally:
            if hook is not None:
                hook.cancel()
                with contextlib.suppress(BaseException):
                    await hook
            await _stop(browser)


async def login_huggingchat(
    cookies_dir: str | os.PathLike[str] | None = None,
    timeout: float = 300.0,
    *,
    url: str | None = None,
    proxy: str | None = None,
    headless: bool | None = None,
    user_data_dir: str | os.PathLike[str] | None = None,
    executable_path: str | None = None,
    on_page: PageHook | None = None,
) -> AuthResult:
    """Log in to HuggingChat in a browser and cache the session; returns the credentials.

    Signature (used by ``g4f login huggingchat``)::

        await login_huggingchat(cookies_dir=None, timeout=300.0, *, url=None, proxy=None,
                                headless=None, user_data_dir=None, executable_path=None,
                                on_page=None) -> AuthResult

    ``cookies_dir`` defaults to :func:`g4f.cookies.get_cookies_dir`; the credentials
    (``cookies``: the chat host's cookies, ``hf-chat`` and ``token`` among them; ``headers``: the browser's user agent;
    ``impersonate="chrome"``) are written to ``{cookies_dir}/auth_HuggingChat.json``
    (mode 0600, atomically). ``url`` defaults to ``{HF_ENDPOINT}/chat``. Raises
    :class:`MissingRequirementsError` (no nodriver / no browser) or
    :class:`MissingAuthError` (nobody logged in within ``timeout`` seconds).
    """
    from ...cookies import get_cookies_dir, write_private_json
    from .chat.api import chat_base

    base = (url or chat_base()).rstrip("/")
    cookies, user_agent = await browser_login(
        base,
        probe_url=f"{base}/api/v2/user",
        timeout=timeout,
        proxy=proxy,
        headless=headless,
        user_data_dir=user_data_dir,
        executable_path=executable_path,
        on_page=on_page,
    )
    auth = AuthResult(
        cookies=cookies,
        headers={"user-agent": user_agent} if user_agent else {},
        impersonate="chrome",
    )
    target = Path(cookies_dir or get_cookies_dir()) / "auth_HuggingChat.json"
    write_private_json(target, auth.get_dict())
    logger.debug("HuggingChat: login stored in %s", target.name)
    return auth
