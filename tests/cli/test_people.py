"""The CLI as a person meets it: pipes, terminals, widths, spinners, JSON, a conversation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from g4f.cli._listing import table
from tests.api import providers as mocks

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "G4F_"))}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1", **extra)
    return env


def test_models_into_a_closed_pipe_exits_0_without_a_traceback() -> None:
    # The reader is gone before g4f writes a byte: every write raises EPIPE, as with
    # `g4f models | head -1` once head has exited.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "g4f", "models"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""


def test_broken_pipe_in_process_is_exit_0(console, monkeypatch) -> None:
    class Gone(type(console.stdout)):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    from g4f.cli import main

    monkeypatch.setattr(sys, "stdout", Gone())
    assert main(["providers"]) == 0


def test_error_keeps_the_part_that_says_what_to_do(console, monkeypatch) -> None:
    from g4f.errors import MissingAuthError
    from g4f.Provider.hf._router import TOKEN_HINT

    long = "x" * 500 + f" needs a Hugging Face token: {TOKEN_HINT}"

    async def refuse(model, messages, **kwargs):
        raise MissingAuthError(long, provider="EchoProvider")
        yield  # pragma: no cover

    monkeypatch.setattr(mocks.EchoProvider, "create_async_generator", refuse)
    assert console.run(["chat", "-m", "echo", "-p", "EchoProvider", "hi"]) == 1
    assert console.err.rstrip().endswith("https://huggingface.co/settings/tokens")
    assert "g4f login token" in console.err
    assert len(console.err.splitlines()) == 1


def test_global_debug_shows_a_redacted_traceback(console) -> None:
    assert console.run(["--debug", "chat", "-m", "shared-model", "-p", "BrokenAuth", "hi"]) == 1
    assert "Traceback" in console.err
    assert mocks.SECRET not in console.err
    assert console.run(["chat", "-m", "shared-model", "-p", "BrokenAuth", "hi"]) == 1
    assert "Traceback" not in console.err


def test_table_fits_the_width_and_never_cuts_without_one() -> None:
    rows = [["llama-3.3-70b", ", ".join(f"Provider{i}" for i in range(12))]]
    whole = table(["MODEL", "PROVIDERS"], rows, None)
    assert "Provider11" in whole and "…" not in whole
    for width in (40, 80, 200):
        fitted = table(["MODEL", "PROVIDERS"], rows, width)
        assert all(len(line) <= width for line in fitted.splitlines()), width
    assert "Provider11" in table(["MODEL", "PROVIDERS"], rows, 200)


@pytest.mark.parametrize("columns", ["50", "200"])
def test_models_honours_columns_when_piped(console, monkeypatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    assert console.run(["providers"]) == 0
    lines = console.out.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    if columns == "200":
        assert "…" not in console.out  # wide enough: nothing is cut at a fixed width


def test_spinner_runs_on_a_terminal_only_while_waiting(console, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "first_delay", 0.5)
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 2)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.0)
    console.stderr = None  # replaced by run(); a terminal stderr is set below

    from g4f.cli import main
    from tests.cli.conftest import Stream

    err = Stream(tty=True)
    out = Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", Stream(tty=True))
    assert main(["chat", "-m", "slow", "count"]) == 0
    frames = [w for w in err.writes if "waiting for slow" in w]
    assert len(frames) >= 2, err.writes  # it moved while the provider was silent
    assert out.getvalue() == "tick0 tick1 \n"
    assert err.writes[-1] == "\r\x1b[K"  # the spinner line was wiped before the answer

    monkeypatch.setenv("NO_COLOR", "1")
    err = Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["chat", "-m", "slow", "count"]) == 0
    assert not any("\x1b" in w for w in err.writes)


def test_json_on_every_command(console, tmp_path: Path) -> None:
    assert console.run(["chat", "-m", "echo", "--json", "hi"]) == 0
    completion = json.loads(console.out)
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == "echo(org/Echo-7B): hi"
    assert console.run(["models", "--json"]) == 0
    assert any(entry["id"] == "echo" for entry in json.loads(console.out))
    assert console.run(["providers", "--json"]) == 0
    assert {"name", "working", "needs_auth"} <= set(json.loads(console.out)[0])
    target = tmp_path / "cat.png"
    assert console.run(["image", "a cat", "-m", "mock-image", "-o", str(target), "--json"]) == 0
    report = json.loads(console.out)
    assert report["results"][0]["file"] == str(target)
    assert report["results"][0]["bytes"] == target.stat().st_size > 0


def test_interactive_chat_keeps_history_and_commands(console, tmp_path: Path) -> None:
    saved = tmp_path / "talk.json"
    script = "\n".join(
        [
            "first question",
            "/model echo-1",
            "second question",
            f"/save {saved}",
            "/clear",
            "third question",
            "/nonsense",
            "/exit",
        ]
    )
    from g4f.cli import main
    from tests.cli.conftest import Stream

    console.monkeypatch.setattr(sys, "stdin", Stream(tty=True, text=script + "\n"))
    console.monkeypatch.setattr(sys, "stdout", console.stdout)
    console.monkeypatch.setattr(sys, "stderr", console.stderr)
    assert main(["chat", "-m", "echo"]) == 0
    assert "echo(org/Echo-7B): first question" in console.out
    assert "echo(echo-1): second question" in console.out
    talk = json.loads(saved.read_text())
    assert [m["content"] for m in talk["messages"]] == [
        "first question",
        "echo(org/Echo-7B): first question",
        "second question",
        "echo(echo-1): second question",
    ]
    # After /clear the third request carries only the new question.
    assert [m["content"] for m in mocks.EchoProvider.last["messages"]] == ["third question"]
    assert "unknown command /nonsense" in console.err


def test_interactive_chat_in_a_real_terminal(tmp_path: Path) -> None:
    """A person at a pseudo-terminal: ask, follow up (history reaches the router), Ctrl-D."""
    pty = pytest.importorskip("pty", reason="needs a POSIX pseudo-terminal (the pty module)")
    from tests.fakes.router import TOKEN, ChatScript, FakeRouter

    with FakeRouter() as router:
        router.chat = ChatScript(content="Paris.", chunk_size=2)
        pid, fd = pty.fork()
        if pid == 0:  # the child: g4f chat on the terminal
            os.execve(
                sys.executable,
                [
                    sys.executable,
                    "-m",
                    "g4f",
                    "chat",
                    "-m",
                    "llama-3.3-70b",
                    "-p",
                    "HuggingFaceAPI",
                ],
                _env(HF_ROUTER_ENDPOINT=router.url, HF_TOKEN=TOKEN, TERM="dumb"),
            )
        seen = b""

        def read_until(marker: bytes, count: int = 1) -> None:
            nonlocal seen
            deadline = time.monotonic() + 30
            while seen.count(marker) < count:
                assert time.monotonic() < deadline, seen
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break

        try:
            read_until(b"> ")
            os.write(fd, b"capital of France?\n")
            read_until(b"Paris.", 1)
            read_until(b"> ", 2)
            os.write(fd, b"and of Italy?\n")
            read_until(b"Paris.", 2)
            read_until(b"> ", 3)
            os.write(fd, b"\x04")  # Ctrl-D
            _, status = os.waitpid(pid, 0)
        finally:
            os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    second = router.chat_bodies[1]["messages"]
    assert [m["content"] for m in second] == ["capital of France?", "Paris.", "and of Italy?"]


def test_token_login_saves_the_token_privately(console, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "hf" / "token"
    monkeypatch.setenv("HF_TOKEN_PATH", str(path))
    secret = "hf_" + "a" * 34
    assert console.run(["login", "token"], stdin=secret + "\n") == 0
    assert path.read_text() == secret
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret not in console.out + console.err
    from g4f.config import get_hf_token

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGINGFACE_API_KEY", raising=False)
    assert get_hf_token() == secret
    assert console.run(["login", "token"], stdin="\n") == 2
    assert console.run(["login", "token"], stdin="two words\n") == 2


def test_browser_login_says_what_is_missing_before_promising_a_window(console, monkeypatch) -> None:
    import g4f.Provider.hf._login as login

    monkeypatch.setattr(login, "browser_available", lambda *a, **k: False)
    called = []
    monkeypatch.setattr(login, "login_huggingchat", lambda **kw: called.append(kw))
    assert console.run(["login", "huggingchat"]) == 1
    assert called == []
    assert "browser window" not in console.err
    assert "cookie export" in console.err
