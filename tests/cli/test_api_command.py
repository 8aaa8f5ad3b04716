"""``python -m g4f api`` as a real process: serves the static model lists, stops on SIGINT."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.error import HTTPError

import pytest

from g4f.models import DEFAULT_MODEL


def _start(*args: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "g4f", "api", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = re.search(r"serving on http://127\.0\.0\.1:(\d+)", line)
    if not match:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"server did not start: {line}{err}")
    return proc, int(match.group(1))


def _stop(proc: subprocess.Popen[str], signum: int = signal.SIGINT) -> tuple[int, str]:
    proc.send_signal(signum)
    try:
        _, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("the server did not stop on the signal")
    return proc.returncode, err


def test_api_serves_models_from_static_lists_and_stops_cleanly() -> None:
    begun = time.monotonic()
    proc, port = _start("--bind", "127.0.0.1:0")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=10) as resp:
            body = json.load(resp)
        startup = time.monotonic() - begun
    finally:
        code, err = _stop(proc)
    ids = {m["id"] for m in body["data"]}
    assert DEFAULT_MODEL in ids
    assert all(m["providers"] for m in body["data"])
    assert code == 0, err
    assert "Traceback" not in err
    assert startup < 10


def test_api_key_from_environment_is_required(monkeypatch) -> None:
    monkeypatch.setenv("G4F_API_KEY", "env-key-123456")
    proc, port = _start("--bind", "127.0.0.1:0")
    try:
        with pytest.raises(HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=10)
        assert info.value.code == 401
        info.value.close()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/models", headers={"Authorization": "Bearer env-key-123456"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
    finally:
        code, err = _stop(proc, signal.SIGTERM)
    assert code == 0, err
    assert "env-key-123456" not in err


def test_port_in_use_exits_1_with_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "g4f", "api", "--bind", f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"g4f: error: cannot listen on 127.0.0.1:{port}")
    )
    assert "Traceback" not in result.stderr
