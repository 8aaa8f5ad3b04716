"""Cookie store, cookie-file parsing (HAR, browser-extension JSON) and private JSON files."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from pathlib import Path

import pytest

import g4f
from g4f import cookies as cookies_module
from g4f._secrets import redact
from g4f.cookies import (
    get_cookies,
    get_cookies_dir,
    read_cookie_files,
    read_json_file,
    set_cookies,
    set_cookies_dir,
    write_private_json,
)

HF_CHAT = "hfchat-0123456789abcdef"
TOKEN = "tokencookie-ABCDEFGHIJKLMN"


def har(entries: list[tuple[str, dict[str, str], str | None]]) -> dict[str, object]:
    """A HAR document: (url, listed cookies, Cookie header or None) per entry."""
    items = []
    for url, listed, header in entries:
        headers = [{"name": "User-Agent", "value": "Mozilla/5.0"}]
        if header is not None:
            headers.append({"name": "Cookie", "value": header})
        items.append(
            {
                "request": {
                    "method": "GET",
                    "url": url,
                    "headers": headers,
                    "cookies": [{"name": k, "value": v} for k, v in listed.items()],
                },
                "response": {
                    "status": 200,
                    "cookies": [{"name": "ignored", "value": "response-side"}],
                },
            }
        )
    return {"log": {"version": "1.2", "entries": items}}


@pytest.fixture
def cookies_dir() -> Path:
    path = Path(get_cookies_dir())
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_har_request_cookies_are_found_for_the_domain_and_its_dot_form(cookies_dir: Path) -> None:
    (cookies_dir / "hf.har").write_text(
        json.dumps(
            har(
                [
                    ("https://huggingface.co/chat/", {"hf-chat": "old-value-1"}, None),
                    (
                        "https://huggingface.co/chat/conversation",
                        {"hf-chat": HF_CHAT, "token": TOKEN},
                        None,
                    ),
                    ("https://cdn.example.org/x.js", {"tracker": "zzz-tracking"}, None),
                ]
            )
        )
    )
    expected = {"hf-chat": HF_CHAT, "token": TOKEN}
    assert get_cookies("huggingface.co") == expected
    assert get_cookies(".huggingface.co") == expected
    assert g4f.get_cookies(".huggingface.co") == expected
    assert get_cookies("example.org") == {}
    assert get_cookies("cdn.example.org") == {"tracker": "zzz-tracking"}


def test_har_cookie_header_is_used_when_the_list_is_empty(cookies_dir: Path) -> None:
    (cookies_dir / "firefox.har").write_text(
        json.dumps(har([("https://huggingface.co/chat", {}, f"hf-chat={HF_CHAT}; token={TOKEN}")]))
    )
    assert get_cookies("huggingface.co") == {"hf-chat": HF_CHAT, "token": TOKEN}


def test_extension_json_export_with_dot_domain(cookies_dir: Path) -> None:
    future = time.time() + 86400
    export = [
        {"domain": ".huggingface.co", "name": "token", "value": TOKEN, "expirationDate": future},
        {"domain": "huggingface.co", "name": "hf-chat", "value": HF_CHAT, "hostOnly": True},
        {
            "domain": ".huggingface.co",
            "name": "stale",
            "value": "expired-value",
            "expirationDate": 1000,
        },
        {"domain": "github.com", "name": "user_session", "value": "gh-session-value"},
        {"name": "no-domain", "value": "skipped"},
        "not a cookie",
    ]
    (cookies_dir / "cookies.json").write_text(json.dumps(export))
    assert get_cookies("huggingface.co") == {"token": TOKEN, "hf-chat": HF_CHAT}
    assert get_cookies("github.com") == {"user_session": "gh-session-value"}


def test_json_export_wrapped_in_an_object(cookies_dir: Path) -> None:
    (cookies_dir / "wrapped.json").write_text(
        json.dumps({"cookies": [{"domain": ".huggingface.co", "name": "token", "value": TOKEN}]})
    )
    assert get_cookies("huggingface.co") == {"token": TOKEN}


def test_json_files_win_over_har_files(cookies_dir: Path) -> None:
    (cookies_dir / "a.har").write_text(
        json.dumps(har([("https://huggingface.co/", {"token": "from-har-file"}, None)]))
    )
    (cookies_dir / "a.json").write_text(
        json.dumps([{"domain": "huggingface.co", "name": "token", "value": TOKEN}])
    )
    assert get_cookies("huggingface.co") == {"token": TOKEN}


def test_corrupt_files_are_reported_and_ignored(
    cookies_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (cookies_dir / "broken.har").write_text('{"log": {"entries": [ {"request": ' + TOKEN)
    (cookies_dir / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    (cookies_dir / "config.json").write_text(json.dumps({"theme": "dark"}))
    (cookies_dir / "good.json").write_text(
        json.dumps([{"domain": ".huggingface.co", "name": "hf-chat", "value": HF_CHAT}])
    )
    with caplog.at_level(logging.DEBUG, logger="g4f"):
        assert get_cookies("huggingface.co") == {"hf-chat": HF_CHAT}
    messages = [r.getMessage() for r in caplog.records]
    assert any("broken.har" in m for m in messages)
    assert any("binary.json" in m for m in messages)
    assert not any(TOKEN in m for m in messages)


def test_auth_caches_are_not_cookie_exports(cookies_dir: Path) -> None:
    write_private_json(
        cookies_dir / "auth_HuggingChat.json",
        [{"domain": "huggingface.co", "name": "token", "value": "from-the-cache"}],
    )
    assert get_cookies("huggingface.co") == {}


def test_files_are_reread_when_they_change(cookies_dir: Path) -> None:
    assert get_cookies("huggingface.co") == {}
    path = cookies_dir / "later.json"
    path.write_text(
        json.dumps([{"domain": "huggingface.co", "name": "token", "value": "first-token"}])
    )
    assert get_cookies("huggingface.co") == {"token": "first-token"}
    path.write_text(
        json.dumps([{"domain": "huggingface.co", "name": "token", "value": "second-token-longer"}])
    )
    assert get_cookies("huggingface.co") == {"token": "second-token-longer"}


def test_set_cookies_wins_and_can_be_forgotten(cookies_dir: Path) -> None:
    (cookies_dir / "c.json").write_text(
        json.dumps(
            [
                {"domain": "huggingface.co", "name": n, "value": v}
                for n, v in (("token", TOKEN), ("hf-chat", HF_CHAT))
            ]
        )
    )
    g4f.set_cookies(".huggingface.co", {"token": "explicit-token"})
    assert get_cookies("huggingface.co") == {"token": "explicit-token", "hf-chat": HF_CHAT}
    set_cookies("huggingface.co", None)
    assert get_cookies("huggingface.co") == {"token": TOKEN, "hf-chat": HF_CHAT}


def test_parent_domain_cookies_apply_to_subdomains_only() -> None:
    set_cookies("huggingface.co", {"token": TOKEN})
    set_cookies("evilhuggingface.co", {"token": "not-for-hf"})
    assert get_cookies("api.huggingface.co") == {"token": TOKEN}
    assert get_cookies("huggingface.co") == {"token": TOKEN}
    assert get_cookies("co") == {}


def test_read_cookie_files_with_domain_filter(tmp_path: Path) -> None:
    (tmp_path / "all.json").write_text(
        json.dumps(
            [
                {"domain": ".huggingface.co", "name": "token", "value": TOKEN},
                {"domain": "evilhuggingface.co", "name": "token", "value": "evil-token"},
                {"domain": "github.com", "name": "gh", "value": "github-value"},
            ]
        )
    )
    read_cookie_files(str(tmp_path), domains_filter=["huggingface.co"])
    assert cookies_module.CookiesConfig.cookies == {"huggingface.co": {"token": TOKEN}}
    assert str(tmp_path) in cookies_module.CookiesConfig.loaded_dirs


def test_cookie_values_become_secrets(cookies_dir: Path) -> None:
    (cookies_dir / "s.json").write_text(
        json.dumps([{"domain": "huggingface.co", "name": "hf-chat", "value": HF_CHAT}])
    )
    get_cookies("huggingface.co")
    assert redact(f"failed with cookie {HF_CHAT}") == "failed with cookie ***"
    set_cookies("huggingface.co", {"token": "set-secret-value"})
    assert "set-secret-value" not in redact("x set-secret-value y")


def test_cookies_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_cookies_dir() == os.environ["G4F_COOKIES_DIR"]
    monkeypatch.delenv("G4F_COOKIES_DIR")
    monkeypatch.setattr(cookies_module.CookiesConfig, "cookies_dir", None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "har_and_cookies").mkdir()
    assert get_cookies_dir() == str(tmp_path / "har_and_cookies")
    set_cookies_dir(tmp_path / "elsewhere")
    assert get_cookies_dir() == str(tmp_path / "elsewhere")


def test_write_private_json_is_0600_and_atomic(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "auth_Test.json"
    write_private_json(target, {"cookies": {"token": TOKEN}})
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert read_json_file(target) == {"cookies": {"token": TOKEN}}
    write_private_json(target, {"cookies": {"token": "replaced-token"}})
    assert read_json_file(target) == {"cookies": {"token": "replaced-token"}}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["auth_Test.json"]


def test_write_private_json_failure_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "auth_Test.json"
    write_private_json(target, {"ok": 1})
    with pytest.raises(TypeError):
        write_private_json(target, {"bad": object()})
    assert read_json_file(target) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["auth_Test.json"]


def test_read_json_file_missing_or_corrupt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert read_json_file(tmp_path / "missing.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text("{nope " + TOKEN)
    with caplog.at_level(logging.WARNING, logger="g4f"):
        assert read_json_file(bad) is None
    assert "bad.json" in caplog.text and TOKEN not in caplog.text
