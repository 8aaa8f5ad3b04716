"""API keys with limits in one process (memory store): the file, 401/403/429, /v1/usage.

The same limits across processes through Redis are in tests/api/test_shared_e2e.py.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from g4f.api._keys import load_keys
from g4f.errors import InvalidRequestError
from tests.api import providers as mocks

ALICE = "sk-alice-0123456789"
BOB = "sk-bob-0123456789"
ADMIN = "admin-key-0123456789"
HELLO = [{"role": "user", "content": "hi"}]


def write(tmp_path: Path, data: Any, name: str = "keys.json", mode: int = 0o600) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    path.chmod(mode)
    return path


def test_json_and_toml_plain_and_hashed_keys(tmp_path: Path) -> None:
    hashed = "sha256:" + hashlib.sha256(BOB.encode()).hexdigest()
    ring = load_keys(
        write(
            tmp_path,
            {
                "keys": [
                    {"name": "alice", "key": ALICE, "rpm": 60, "tpd": 1000, "models": ["echo"]},
                    {"name": "bob", "key": hashed},
                ]
            },
        )
    )
    alice, bob = ring.find(ALICE), ring.find(BOB)
    assert alice is not None and (alice.name, alice.rpm, alice.tpd) == ("alice", 60, 1000)
    assert alice.models == frozenset({"echo"})
    assert bob is not None and bob.rpm is None and bob.models is None
    assert ring.find("sk-nobody-000000") is None
    # Only digests are kept: the plain key is in no field and no repr.
    assert ALICE not in repr(ring.keys) and ALICE not in str(vars(ring))
    assert alice.digest == hashlib.sha256(ALICE.encode()).hexdigest()
    toml = write(
        tmp_path,
        f'[[keys]]\nname = "carol"\nkey = "{ALICE}"\nrpm = 5\n',
        name="keys.toml",
    )
    if sys.version_info >= (3, 11):
        assert load_keys(toml).find(ALICE).rpm == 5  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{", "not valid JSON"),
        ({"keys": []}, "non-empty 'keys' list"),
        ({"keys": [{"name": "a", "key": "short"}]}, "at least 8"),
        ({"keys": [{"name": "a", "key": "sha256:abc"}]}, "64 hex digits"),
        ({"keys": [{"name": "a", "key": ALICE, "rpm": 0}]}, "rpm must be a positive integer"),
        ({"keys": [{"name": "a", "key": ALICE, "rpm": True}]}, "rpm must be a positive integer"),
        ({"keys": [{"name": "a", "key": ALICE, "limit": 3}]}, "unknown fields: limit"),
        ({"keys": [{"name": "a", "key": ALICE}, {"name": "a", "key": BOB}]}, "used twice"),
        ({"keys": [{"name": "a", "key": ALICE}, {"name": "b", "key": ALICE}]}, "appears twice"),
        ({"keys": [{"name": "a b", "key": ALICE}]}, "name must be"),
        ({"keys": [{"name": "a", "key": ALICE, "models": "echo"}]}, "list of model names"),
    ],
)
def test_bad_files_are_refused_with_the_reason(tmp_path: Path, data: Any, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message) as info:
        load_keys(write(tmp_path, data))
    assert ALICE not in str(info.value)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_file_others_can_read_stops_g4f_api(tmp_path: Path, mode: int) -> None:
    path = write(tmp_path, {"keys": [{"name": "a", "key": ALICE}]}, mode=mode)
    with pytest.raises(InvalidRequestError, match="chmod 600"):
        load_keys(path)
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "g4f", "api", "--bind", "127.0.0.1:0", "--keys", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert "accessible by group or others" in last and f"chmod 600 {path}" in last
    assert "Traceback" not in result.stderr and ALICE not in result.stderr
    assert time.monotonic() - began < 30


def test_several_workers_without_redis_are_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "g4f", "api", "--bind", "127.0.0.1:0", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers 2 needs --redis URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "keys": [
                {"name": "alice", "key": ALICE, "rpm": 3, "models": ["echo"]},
                {"name": "bob", "key": BOB, "tpd": 30},
            ]
        },
    )


async def post(
    url: str, key: str | None, body: dict[str, Any], header: str = "Authorization"
) -> tuple[int, dict[str, str], Any]:
    headers = {}
    if key is not None:
        headers[header] = f"Bearer {key}" if header == "Authorization" else key
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/v1/chat/completions", json=body, headers=headers) as r:
            data = await r.json()
            return r.status, dict(r.headers), data.get("error", data)


async def test_keys_limits_and_usage_in_one_process(start, keys: Path) -> None:
    body = {"model": "echo", "messages": HELLO}
    async with start(keys=str(keys), admin_key=ADMIN, api_key="server-key-0123456789") as (
        url,
        _,
    ):
        assert (await post(url, None, body))[0] == 401
        status, _, error = await post(url, "sk-wrong-0123456789", body)
        assert (status, error["code"]) == (401, "invalid_api_key")
        for header in ("Authorization", "x-api-key", "Authorization"):
            status, _, answer = await post(url, ALICE, body, header)
            assert status == 200, answer
        began = time.monotonic()
        status, headers, error = await post(url, ALICE, body)
        assert (status, error["code"]) == (429, "rate_limit_exceeded")
        assert 15 <= int(headers["Retry-After"]) <= 20  # the next slot: 60 s / 3
        assert time.monotonic() - began < 1
        # The model check comes first: a model outside the key's list is a 403 even now.
        calls = mocks.EchoProvider.calls
        status, _, error = await post(url, ALICE, {**body, "model": "mock-model"})
        assert (status, error["code"]) == (403, "model_not_allowed")
        assert mocks.EchoProvider.calls == calls
        # bob's tokens per day: each answer counts; once at the limit, 429 until midnight UTC.
        while (result := await post(url, BOB, body))[0] == 200:
            pass
        assert result[0] == 429 and int(result[1]["Retry-After"]) <= 86400
        # The server key keeps working, as a key named "default" without limits.
        assert (await post(url, "server-key-0123456789", body))[0] == 200
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{url}/v1/usage", headers={"x-api-key": ADMIN}) as r:
                usage = {row["name"]: row for row in (await r.json())["data"]}
            async with session.get(f"{url}/v1/usage", headers={"x-api-key": ALICE}) as r:
                assert r.status == 401
            async with session.get(f"{url}/health") as r:
                assert (await r.json())["store"] == "memory"
    assert usage["alice"]["requests"] == 3 and usage["alice"]["rpm"] == 3
    assert usage["bob"]["tokens"] >= 30 and usage["bob"]["tokens_today"] == usage["bob"]["tokens"]
    assert usage["default"]["requests"] == 1


async def test_model_limited_key_gets_403_before_any_provider(start, tmp_path: Path) -> None:
    path = write(tmp_path, {"keys": [{"name": "a", "key": ALICE, "models": ["echo"]}]})
    async with start(keys=str(path)) as (url, _):
        status, _, error = await post(url, ALICE, {"model": "mock-model", "messages": HELLO})
        ok, _, answer = await post(url, ALICE, {"model": "echo", "messages": HELLO})
    assert (status, error["code"], error["param"]) == (403, "model_not_allowed", "model")
    assert ok == 200, answer
    assert mocks.EchoProvider.calls == 1


async def test_streamed_answers_count_tokens(start, tmp_path: Path) -> None:
    path = write(tmp_path, {"keys": [{"name": "a", "key": ALICE}]})
    body = {"model": "echo", "messages": HELLO, "stream": True}
    async with start(keys=str(path), admin_key=ADMIN) as (url, _):
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {ALICE}"}
            async with session.post(f"{url}/v1/chat/completions", json=body, headers=headers) as r:
                assert r.status == 200 and (await r.text()).rstrip().endswith("[DONE]")

            async def tokens() -> int:
                async with session.get(f"{url}/v1/usage", headers={"x-api-key": ADMIN}) as r:
                    return int((await r.json())["data"][0]["tokens"])

            assert await tokens() > 0
