"""``import g4f.api`` and building the CLI parser load no HTTP library (aiohttp comes with create_app)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = (
    "import sys; {statement}; "
    "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('aiohttp', 'curl_cffi'))))"
)


@pytest.mark.parametrize(
    "statement, loads_aiohttp",
    [
        ("import g4f.api", False),
        ("from g4f.cli import build_parser; build_parser()", False),
        ("import g4f.__main__", False),
        ("from g4f.api import create_app; create_app()", True),
    ],
)
def test_http_library_loaded_only_by_create_app(statement: str, loads_aiohttp: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(statement=statement)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = [m for m in result.stdout.strip().split(",") if m]
    assert ("aiohttp.web" in loaded) is loads_aiohttp, loaded
    assert not [m for m in loaded if m.startswith("curl_cffi")]
