"""``g4f.cli.main`` against mock providers: output, stdin, tables, files, exit codes."""

from __future__ import annotations

import json
import os
import struct
import sys
import types

import pytest

from tests.api import providers as mocks


def test_chat_streams_tokens_as_they_arrive(console, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 4)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.02)
    progress = []
    original = mocks.SlowProvider.create_async_generator

    async def watched(model, messages, **kwargs):
        async for chunk in original(model, messages, **kwargs):
            progress.append((chunk, sys.stdout.getvalue()))
            yield chunk

    monkeypatch.setattr(mocks.SlowProvider, "create_async_generator", watched)
    assert console.run(["chat", "-m", "slow", "count"]) == 0
    assert console.out == "tick0 tick1 tick2 tick3 \n"
    # When the provider produced tick N, ticks 0..N-1 were already on the terminal.
    assert [printed for _, printed in progress] == [
        "",
        "tick0 ",
        "tick0 tick1 ",
        "tick0 tick1 tick2 ",
    ]


def test_chat_prompt_words_system_and_no_stream(console) -> None:
    assert (
        console.run(
            ["chat", "--model", "echo", "--system", "be nice", "--no-stream", "hello", "world"]
        )
        == 0
    )
    assert console.out == "echo(org/Echo-7B): hello world\n"
    assert mocks.EchoProvider.last["messages"] == [
        {"role": "system", "content": "be nice"},
        {"role": "user", "content": "hello world"},
    ]


def test_chat_reads_prompt_from_piped_stdin(console) -> None:
    assert console.run(["chat", "-m", "echo"], stdin="question from a pipe\n") == 0
    assert console.out == "echo(org/Echo-7B): question from a pipe\n"
    assert console.run(["chat", "-m", "echo", "summarize"], stdin="file contents") == 0
    assert mocks.EchoProvider.last["messages"][-1]["content"] == "file contents\n\nsummarize"


def test_reasoning_is_dimmed_only_on_a_terminal(console) -> None:
    assert console.run(["chat", "-m", "thinker", "why"], tty=True) == 0
    assert console.out == "\x1b[2mLet me think about why\x1b[0m\n\nWHY\n"
    assert console.run(["chat", "-m", "thinker", "why"], tty=False) == 0
    assert console.out == "WHY\n"
    assert "Let me think about why" in console.err
    assert console.run(["chat", "-m", "thinker", "--no-reasoning", "why"], tty=True) == 0
    assert console.out == "WHY\n"


def test_no_color_disables_ansi(console, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert console.run(["chat", "-m", "thinker", "why"], tty=True) == 0
    assert "\x1b" not in console.out
    assert console.out == "WHY\n"


def test_provider_failure_exits_1_with_one_line(console) -> None:
    assert console.run(["chat", "-m", "shared-model", "hi"]) == 1
    lines = console.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("g4f: error: RetryProviderError: All providers failed")
    assert "BrokenAuth" in lines[0] and "BrokenAnswer" in lines[0]
    assert mocks.SECRET not in console.err
    assert console.out == ""


def test_failure_after_streaming_started_keeps_partial_text(console, registry) -> None:
    from tests.mocks import RaisesAfterTwoChunks

    registry["RaisesAfterTwoChunks"] = "tests.mocks"
    RaisesAfterTwoChunks.reset()
    assert console.run(["chat", "-p", "RaisesAfterTwoChunks", "hi"]) == 1
    assert console.out == "ab\n"
    assert "NetworkError" in console.err and "connection cut" in console.err
    assert len(console.err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["chat", "-p", "NoSuchProvider", "hi"],
        ["frobnicate"],
        [],
        ["image", "x", "-n", "50"],
        ["image", "x", "--size", "big"],
        ["login", "myspace"],
        ["api", "--bind", "127.0.0.1:http"],
        ["models", "--provider", "Nope"],
        ["api", "--provider", "Nope"],
        ["api", "--max-body", "0"],
        ["login", "huggingchat", "--timeout", "0"],
    ],
)
def test_usage_errors_exit_2(console, argv: list[str]) -> None:
    assert console.run(argv) == 2
    assert console.err.strip()
    assert "Traceback" not in console.err


def test_help_and_version_exit_0(console) -> None:
    assert console.run(["--help"]) == 0
    assert "chat" in console.out and "models" in console.out
    assert console.run(["--version"]) == 0
    assert console.out.startswith("g4f ")


def test_models_table_and_json(console) -> None:
    assert console.run(["models"]) == 0
    lines = console.out.splitlines()
    assert lines[0].split() == ["MODEL", "PROVIDERS"]
    assert any(
        line.split(None, 1) == ["shared-model", "BrokenAuth, BrokenAnswer"] for line in lines
    )
    assert console.run(["models", "--json"]) == 0
    data = {entry["id"]: entry["providers"] for entry in json.loads(console.out)}
    assert data["echo"] == ["EchoProvider"]
    assert data["mock-image"] == ["ImageProvider"]
    assert console.run(["models", "--provider", "EchoProvider"]) == 0
    rows = [line.split() for line in console.out.splitlines()]
    assert ["org/Echo-7B", "chat", "echo"] in rows
    assert console.run(["models", "-p", "VideoProvider", "--json"]) == 0
    assert json.loads(console.out) == [{"id": "mock-video", "type": "video", "alias": None}]


def test_providers_table_and_json(console) -> None:
    assert console.run(["providers"]) == 0
    rows = {line.split()[0]: line.split() for line in console.out.splitlines()[2:]}
    assert rows["EchoProvider"][1:4] == ["yes", "no", "2"]
    assert console.run(["providers", "--json"]) == 0
    names = {entry["name"] for entry in json.loads(console.out)}
    assert {cls.__name__ for cls in mocks.ALL} <= names


def _png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as handle:
        data = handle.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_image_saved_to_output_file(console, tmp_path) -> None:
    target = tmp_path / "out" / "square.png"
    assert (
        console.run(["image", "a square", "-m", "mock-image", "--size", "20x10", "-o", str(target)])
        == 0
    )
    assert _png_size(str(target)) == (20, 10)
    assert f"saved {target}" in console.out
    assert mocks.ImageProvider.last["prompt"] == "a square"
    assert "queued" in console.err
    assert (
        console.run(
            ["image", "two", "-m", "mock-image", "-n", "2", "-o", str(tmp_path / "pair.png")]
        )
        == 0
    )
    assert _png_size(str(tmp_path / "pair-1.png")) == (8, 4)
    assert _png_size(str(tmp_path / "pair-2.png")) == (8, 4)


def test_image_without_output_writes_a_file_in_cwd(console, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert console.run(["image", "a dot", "-m", "mock-image"]) == 0
    saved = [name for name in os.listdir(tmp_path) if name.startswith("g4f-image-")]
    assert len(saved) == 1 and saved[0].endswith(".png")
    assert _png_size(str(tmp_path / saved[0])) == (8, 4)


def test_video_shows_progress_and_saves(console, tmp_path) -> None:
    target = tmp_path / "clip.mp4"
    assert console.run(["video", "a cat surfing", "-m", "mock-video", "-o", str(target)]) == 0
    assert target.read_bytes() == b"MP4:a cat surfing"
    notes = [line.split("] ", 1)[1] for line in console.err.splitlines()]
    assert [n for n in notes if n.startswith("mock-video:")] == [
        "mock-video: IN_QUEUE",
        "mock-video: IN_PROGRESS",
        "mock-video: COMPLETED",
    ]


def test_image_provider_failure_exits_1(console, tmp_path) -> None:
    assert console.run(["image", "x", "-m", "shared-model", "-o", str(tmp_path / "x.png")]) == 1
    assert console.err.splitlines()[-1].startswith("g4f: error: RetryProviderError")
    assert not (tmp_path / "x.png").exists()


def test_login_missing_helper_is_a_clear_message(console, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "g4f.Provider.hf._login", None)
    assert console.run(["login", "huggingchat"]) == 1
    assert "HuggingChat login is not available" in console.err
    assert "Traceback" not in console.err


def test_login_calls_the_helper_and_reports_missing_extra(console, monkeypatch, tmp_path) -> None:
    from g4f.errors import MissingAuthError, MissingRequirementsError

    calls = []

    async def login_huggingchat(cookies_dir=None, timeout=300.0, *, proxy=None):
        calls.append((cookies_dir, timeout, proxy))

    module = types.ModuleType("g4f.Provider.hf._login")
    module.login_huggingchat = login_huggingchat
    monkeypatch.setitem(sys.modules, "g4f.Provider.hf._login", module)
    argv = ["login", "HuggingChat", "--cookies-dir", str(tmp_path), "--timeout", "5"]
    assert console.run(argv) == 0
    assert calls == [(str(tmp_path), 5.0, None)]
    assert f"Logged in to HuggingChat; the session is saved in {tmp_path}" in console.out

    async def needs_nodriver(**kwargs):
        raise MissingRequirementsError("nodriver is not installed")

    module.login_huggingchat = needs_nodriver
    assert console.run(["login", "huggingchat"]) == 1
    assert "pip install 'g4f[login]'" in console.err

    async def nobody(**kwargs):
        raise MissingAuthError("Nobody logged in within 5 s")

    module.login_huggingchat = nobody
    assert console.run(["login", "huggingchat"]) == 1
    assert (
        console.err.splitlines()[-1] == "g4f: error: MissingAuthError: Nobody logged in within 5 s"
    )


def test_login_with_the_real_helper_without_nodriver(console, monkeypatch) -> None:
    pytest.importorskip(
        "g4f.Provider.hf._login",
        reason="the HuggingChat login helper (g4f/Provider/hf/_login.py) is not in this tree",
    )
    monkeypatch.setitem(sys.modules, "nodriver", None)
    assert console.run(["login", "huggingchat", "--timeout", "1"]) == 1
    assert "pip install 'g4f[login]'" in console.err
    assert "Traceback" not in console.err
