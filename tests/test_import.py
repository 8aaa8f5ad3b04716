"""Importing g4f is cheap and silent: no HTTP library, no provider, no network, no disk writes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FORBIDDEN = (
    "aiohttp",
    "curl_cffi",
    "pydantic",
    "gradio",
    "nodriver",
    "platformdirs",
    "g4f.Provider.hf",
    "g4f.Provider.hf_space",
)


def _imported_modules(statement: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
    )
    names = []
    for line in result.stderr.splitlines():
        if "|" in line and line.startswith("import time:"):
            names.append(line.rsplit("|", 1)[1].strip())
    return names


@pytest.mark.parametrize(
    "statement",
    [
        "from g4f.client import Client",
        "import g4f",
        "import g4f.Provider",
        "from g4f.client import AsyncClient; import g4f.models",
    ],
)
def test_import_loads_no_heavy_module(statement: str) -> None:
    modules = _imported_modules(statement)
    assert modules, "importtime printed nothing"
    bad = [
        m
        for m in modules
        if any(
            m == f or m.startswith(f + ".") or (f.endswith("hf") and m.startswith(f))
            for f in FORBIDDEN
        )
    ]
    assert not bad, f"{statement!r} imported {bad}"


GUARD = textwrap.dedent(
    """
    import sys
    events = []
    def hook(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.bind"):
            events.append((event, repr(args)[:80]))
        elif event == "open" and len(args) > 1 and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
            events.append((event, repr(args)[:80]))
        elif event in ("os.mkdir", "os.rename", "os.replace", "os.remove"):
            events.append((event, repr(args)[:80]))
    sys.addaudithook(hook)
    import g4f, g4f.client, g4f.Provider, g4f.models, g4f.cookies
    from g4f.client import Client
    Client()
    import g4f.Provider as P
    for name in P.provider_names():
        P.get_provider(name)
    print(events)
    """
)


def test_import_touches_neither_network_nor_disk(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", GUARD],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    events = [
        e
        for e in eval(result.stdout.strip().splitlines()[-1])
        if "__pycache__" not in e[1] and ".pyc" not in e[1]
    ]  # noqa: S307 - our own repr
    assert events == [], f"import did I/O: {events}"
