"""Cookie and auth cache files: private modes, atomic writes, corruption, concurrent writers."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from g4f.cookies import get_cookies, get_cookies_dir, read_json_file, write_private_json
from g4f.errors import MissingAuthError
from g4f.Provider.hf.HuggingChat import HuggingChat
from g4f.providers.response import AuthResult
from tests.fakes.chatui import ChatUI, ChatUIServer, extension_export
from tests.security._leaks import CHAT_TOKEN, HF_CHAT

MODEL = "meta-llama/Llama-3.3-70B-Instruct"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    """The most permissive umask: file modes must not depend on the user's umask."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_private_json_is_0600_in_a_0700_dir_whatever_the_umask(
    tmp_path: Path, umask_zero: None
) -> None:
    target = tmp_path / "new-dir" / "auth_X.json"
    write_private_json(target, {"cookies": {"token": CHAT_TOKEN}})
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    assert read_json_file(target) == {"cookies": {"token": CHAT_TOKEN}}


def test_rewriting_a_world_readable_file_makes_it_private(tmp_path: Path) -> None:
    target = tmp_path / "auth_X.json"
    target.write_text("{}")
    target.chmod(0o644)
    write_private_json(target, {"a": 1})
    assert mode(target) == 0o600 and read_json_file(target) == {"a": 1}


def test_a_symlinked_cache_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    target = tmp_path / "auth_X.json"
    target.symlink_to(outside)
    write_private_json(target, {"a": 1})
    assert outside.read_text() == "keep me"
    assert not target.is_symlink() and mode(target) == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "auth_X.json"
    write_private_json(target, {"old": True})
    with pytest.raises(TypeError):
        write_private_json(target, {"new": object()})  # not JSON: fails half-way through the dump
    assert read_json_file(target) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auth_X.json"]


def test_concurrent_threads_never_expose_a_torn_file(tmp_path: Path) -> None:
    target = tmp_path / "auth_X.json"
    write_private_json(target, {"writer": -1, "n": -1, "pad": "x" * 4096})
    stop = threading.Event()
    torn: list[Any] = []

    def writer(number: int) -> None:
        for n in range(40):
            write_private_json(target, {"writer": number, "n": n, "pad": "x" * 4096})

    def reader() -> None:
        while not stop.is_set():
            data = read_json_file(target)
            if not (isinstance(data, dict) and data.get("pad") == "x" * 4096):
                torn.append(data)

    watcher = threading.Thread(target=reader)
    watcher.start()
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    watcher.join()
    assert torn == []
    final = read_json_file(target)
    assert final["n"] == 39 and final["writer"] in range(6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["auth_X.json"]


_WRITER = """
import sys
from g4f.cookies import write_private_json
folder, number = sys.argv[1], int(sys.argv[2])
for n in range(25):
    write_private_json(f"{folder}/shared.json", {"writer": number, "n": n})
    write_private_json(f"{folder}/auth_P{number}.json", {"writer": number, "n": n})
"""


def test_concurrent_processes_lose_no_update_of_their_own_files(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    processes = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(i)], cwd=root)
        for i in range(4)
    ]
    assert [p.wait(60) for p in processes] == [0, 0, 0, 0]
    for number in range(4):
        assert read_json_file(tmp_path / f"auth_P{number}.json") == {"writer": number, "n": 24}
        assert mode(tmp_path / f"auth_P{number}.json") == 0o600
    shared = read_json_file(tmp_path / "shared.json")
    assert shared["n"] == 24 and shared["writer"] in range(4)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


CORRUPT = [
    b"",
    b"{not json",
    b'{"cookies": {"hf-chat": "a", "tok',
    b"\xff\xfe\x00garbage",
    b"null",
    b"[]",
    b'"a string"',
    b'{"cookies": "not a mapping"}',
    b'{"cookies": [1, 2, 3]}',
    b'{"cookies": {"hf-chat": 5, "token": null}}',
    b'{"api_key": {"nested": true}}',
    b"[" * 100_000,
]


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ChatUIServer]:
    with ChatUIServer(ChatUI(linger_after_final=0.0)) as fake:
        fake.state.sessions[HF_CHAT] = CHAT_TOKEN
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        monkeypatch.setenv("G4F_BROWSER_EXECUTABLE_PATH", str(tmp_path / "no-browser"))
        yield fake


async def _ask(**kwargs: Any) -> str:
    messages = [{"role": "user", "content": "hello there friend"}]
    chunks = [c async for c in HuggingChat.create_async_generator(MODEL, messages, **kwargs)]
    return "".join(c for c in chunks if isinstance(c, str))


@pytest.mark.parametrize("content", CORRUPT, ids=lambda c: repr(c[:24]))
async def test_a_corrupt_auth_cache_is_reported_and_ignored(
    content: bytes, chat: ChatUIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="g4f")
    cache = HuggingChat.get_cache_file()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(content)
    with pytest.raises(MissingAuthError):
        await _ask()
    cookies = {"hf-chat": HF_CHAT, "token": CHAT_TOKEN}
    assert await _ask(cookies=cookies) == chat.state.answers[-1]
    # The good credentials replaced the corrupt cache, privately.
    assert HuggingChat.read_auth_cache().cookies == cookies
    assert mode(cache) == 0o600
    if content.strip() and content.strip()[:1] not in (b"{", b"[", b'"', b"n"):
        assert any(
            cache.name in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
        )


def test_corrupt_cookie_exports_are_skipped_by_name(caplog: pytest.LogCaptureFixture) -> None:
    folder = Path(get_cookies_dir())
    folder.mkdir(parents=True, exist_ok=True)
    for index, content in enumerate(CORRUPT):
        (folder / f"bad{index}.json").write_bytes(content)
        (folder / f"bad{index}.har").write_bytes(content)
    (folder / "good.json").write_text(json.dumps(extension_export({"token": CHAT_TOKEN})))
    with caplog.at_level(logging.WARNING, logger="g4f"):
        assert get_cookies("huggingface.co") == {"token": CHAT_TOKEN}
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "bad1.json" in warned and "bad1.har" in warned
    assert CHAT_TOKEN not in warned


def test_auth_cache_round_trip_keeps_only_what_was_given(tmp_path: Path) -> None:
    result = AuthResult(cookies={"hf-chat": HF_CHAT, "token": CHAT_TOKEN})
    HuggingChat.write_auth_cache(result)
    assert HuggingChat.read_auth_cache().get_dict() == result.get_dict()
    assert mode(HuggingChat.get_cache_file()) == 0o600
