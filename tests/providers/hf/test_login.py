"""The nodriver browser login, with a real headless Chromium against the fake chat-ui login pages."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from g4f.errors import MissingAuthError, MissingRequirementsError
from g4f.Provider.hf import _login
from g4f.Provider.hf.HuggingChat import HuggingChat
from g4f.providers.engine import failover
from g4f.providers.response import AuthResult, RequestLogin
from tests.fakes.chatui import PASSWORD, USERNAME, ChatUIServer

requires_browser = pytest.mark.skipif(
    not _login.browser_available(_login.find_browser()),
    reason="Chromium is not installed (Debian package `chromium`) or nodriver is missing; "
    "the real browser login test needs both",
)


BROWSER = _login.find_browser()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh browser profile; the browser found at import is used whatever the env says now."""
    if BROWSER:
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", BROWSER)
    return tmp_path / "profile"


async def _wait_for_path(tab: Any, path: str) -> None:
    for _ in range(150):
        state = await tab.evaluate(
            "location.pathname + ' ' + document.readyState", return_by_value=True
        )
        if state == f"{path} complete":
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the browser never reached {path}")


async def _retry(step: Any, attempts: int = 20) -> None:
    # A page that is still settling can invalidate a node between lookup and use.
    for attempt in range(attempts):
        try:
            await step()
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2)


async def log_in_as_user(tab: Any) -> None:
    """What a person does in the window: follow Sign in, type the credentials, submit."""
    await _wait_for_path(tab, "/chat")

    async def sign_in() -> None:
        await (await tab.select("#signin", timeout=15)).click()
        await _wait_for_path(tab, "/login")

    async def fill() -> None:
        await tab.evaluate(
            "document.getElementById('username').value = ''; document.getElementById('password').value = ''"
        )
        await (await tab.select("#username", timeout=15)).send_keys(USERNAME)
        await (await tab.select("#password", timeout=15)).send_keys(PASSWORD)
        await (await tab.select("#submit", timeout=15)).click()

    await _retry(sign_in)
    await _retry(fill)


@pytest.fixture
def server() -> Iterator[ChatUIServer]:
    with ChatUIServer() as fake:
        yield fake


@requires_browser
async def test_browser_login_stores_the_session_cookies(
    server: ChatUIServer, tmp_path: Path, profile: Path
) -> None:
    cookies_dir = tmp_path / "cookies"
    auth = await _login.login_huggingchat(
        cookies_dir,
        timeout=30,
        url=f"{server.url}/chat",
        headless=True,
        user_data_dir=profile,
        on_page=log_in_as_user,
    )
    assert server.state.logins == 1
    ((session, token),) = server.state.sessions.items()
    assert auth.cookies["hf-chat"] == session and auth.cookies["token"] == token
    stored = cookies_dir / "auth_HuggingChat.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    data = json.loads(stored.read_text())
    assert data["cookies"]["hf-chat"] == session and data["cookies"]["token"] == token
    assert "Chrome/" in data["headers"]["user-agent"]
    assert data["impersonate"] == "chrome"
    # The stored session really is logged in.
    assert [r["path"] for r in server.requests].count("/chat/api/v2/conversations") >= 1


@requires_browser
async def test_browser_login_gives_up_when_nobody_logs_in(
    server: ChatUIServer, profile: Path
) -> None:
    from nodriver.core import util

    with pytest.raises(MissingAuthError, match="Nobody logged in within 3 s"):
        await _login.browser_login(
            f"{server.url}/chat",
            probe_url=f"{server.url}/chat/api/v2/conversations",
            timeout=3,
            headless=True,
            user_data_dir=profile,
        )
    assert server.state.logins == 0
    assert not util.get_registered_instances()


@requires_browser
async def test_expired_cache_is_replaced_by_a_browser_login(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: Path
) -> None:
    with ChatUIServer(auto_login=True) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("G4F_BROWSER_HEADLESS", "1")
        monkeypatch.setenv("G4F_BROWSER_LOGIN", "1")  # this test is about the automatic login
        monkeypatch.setenv("G4F_BROWSER_USER_DATA_DIR", str(profile))
        stale = AuthResult(
            cookies={"hf-chat": "old-session-1234", "token": "old-token-1234"},
            headers={},
            impersonate="chrome",
        )
        HuggingChat.write_auth_cache(stale)
        chunks = [
            c
            # Through the failover engine, which owns re-authentication (one more attempt).
            async for c in failover(
                HuggingChat,
                "openai/gpt-oss-120b",
                [{"role": "user", "content": "hi"}],
                login_timeout=60,
                timeout=120,
            )
        ]
        assert any(isinstance(c, RequestLogin) for c in chunks)
        assert "".join(c for c in chunks if isinstance(c, str)) == server.state.answers[-1]
        assert server.state.logins == 1
        cached = HuggingChat.read_auth_cache()
        assert cached is not None
        ((session, token),) = server.state.sessions.items()
        assert cached.cookies["hf-chat"] == session and cached.cookies["token"] == token


def test_browser_available_needs_a_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "missing-chrome"))
    assert _login.browser_available() is False


async def test_missing_browser_binary_is_a_requirements_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "missing-chrome"))
    with pytest.raises(MissingRequirementsError, match="G4F_BROWSER_EXECUTABLE_PATH"):
        await _login.login_huggingchat(tmp_path, timeout=1, url="http://127.0.0.1:9/chat")
    assert not (tmp_path / "auth_HuggingChat.json").exists()


async def test_missing_nodriver_is_a_requirements_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "nodriver", None)
    assert _login.browser_available() is False
    with pytest.raises(MissingRequirementsError, match=r"g4f\[login\]"):
        await _login.login_huggingchat(tmp_path, timeout=1, url="http://127.0.0.1:9/chat")


async def test_no_display_and_not_headless_fails_fast(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check applies to Linux only")
    monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", sys.executable)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("G4F_BROWSER_HEADLESS", raising=False)
    with pytest.raises(MissingAuthError, match="No display"):
        await _login.browser_login("http://127.0.0.1:9/chat", timeout=1)


@requires_browser
def test_cli_login_command_with_a_real_browser(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    profile: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from g4f.cli import main

    with ChatUIServer(auto_login=True) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        monkeypatch.setenv("G4F_BROWSER_HEADLESS", "1")
        monkeypatch.setenv("G4F_BROWSER_USER_DATA_DIR", str(profile))
        cookies_dir = tmp_path / "cli-cookies"
        code = main(["login", "huggingchat", "--cookies-dir", str(cookies_dir), "--timeout", "60"])
        assert code == 0, capsys.readouterr()
        ((session, token),) = server.state.sessions.items()
    data = json.loads((cookies_dir / "auth_HuggingChat.json").read_text())
    assert data["cookies"]["hf-chat"] == session and data["cookies"]["token"] == token
    output = capsys.readouterr()
    assert session not in output.out + output.err and token not in output.out + output.err
