"""Suite-wide isolation: no test sees the user's tokens, cookies dir or run-time state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

_TOKEN_VARS = ("HF_TOKEN", "HUGGINGFACE_API_KEY", "HF_TOKEN_PATH", "G4F_API_KEY", "G4F_PROXY")


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A private cookies dir and HF home, no token variables, empty caches."""
    home = tmp_path_factory.mktemp("g4f-home")
    for name in _TOKEN_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.setenv("G4F_COOKIES_DIR", str(home / "cookies"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", "http://127.0.0.1:9")
    # No test may open a login browser unless it asks for one explicitly.
    monkeypatch.setenv("G4F_BROWSER_LOGIN", "0")
    from g4f.cookies import CookiesConfig
    from g4f.state import reset_state

    saved = dict(CookiesConfig.cookies)
    CookiesConfig.cookies.clear()
    CookiesConfig.loaded_dirs.clear()
    # Cooldowns, discovered models, metadata caches: all run-time state is in one store.
    reset_state()
    yield
    CookiesConfig.cookies.clear()
    CookiesConfig.cookies.update(saved)
    CookiesConfig.loaded_dirs.clear()
    reset_state()


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A real redis-server on a free loopback port (skipped when the binary is missing)."""
    import shutil

    from tests.redis_server import BINARY, RedisServer

    if shutil.which(BINARY) is None:
        pytest.skip(
            f"{BINARY} is not installed (Debian package 'redis-server'; .ci/run installs it)"
        )
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
