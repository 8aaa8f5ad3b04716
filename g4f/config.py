"""Runtime configuration read from the environment at call time (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "DEFAULT_TIMEOUT",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_STREAM_TIMEOUT",
    "hf_endpoint",
    "hf_router_endpoint",
    "hf_spaces_endpoint",
    "get_hf_token",
]

DEFAULT_TIMEOUT = 300.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_STREAM_TIMEOUT = 60.0


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


def default_timeout() -> float:
    """Whole-request timeout: ``G4F_TIMEOUT`` or 300 s."""
    return _env_float("G4F_TIMEOUT", DEFAULT_TIMEOUT)


def default_stream_timeout() -> float:
    """Longest silence between chunks: ``G4F_STREAM_TIMEOUT`` or 60 s."""
    return _env_float("G4F_STREAM_TIMEOUT", DEFAULT_STREAM_TIMEOUT)


def hf_endpoint() -> str:
    """The Hub base URL: ``HF_ENDPOINT`` or ``https://huggingface.co``."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hf_router_endpoint() -> str:
    """The Inference Providers router: ``HF_ROUTER_ENDPOINT`` or ``https://router.huggingface.co``."""
    return os.environ.get("HF_ROUTER_ENDPOINT", "https://router.huggingface.co").rstrip("/")


def hf_spaces_endpoint() -> str | None:
    """Where Spaces are served instead of their Hub host: ``HF_SPACES_ENDPOINT`` or None.

    A URL template: ``{subdomain}``, ``{owner}`` and ``{name}`` are filled per Space
    (e.g. ``http://127.0.0.1:7860/{subdomain}``); without placeholders every Space is
    that URL. When set, the Hub is not asked where a Space runs.
    """
    return os.environ.get("HF_SPACES_ENDPOINT", "").strip().rstrip("/") or None


def hf_token_path() -> Path:
    """huggingface_hub's token file: ``$HF_TOKEN_PATH`` or ``$HF_HOME/token``."""
    if os.environ.get("HF_TOKEN_PATH"):
        return Path(os.environ["HF_TOKEN_PATH"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "huggingface"
    )
    return Path(home).expanduser() / "token"


def get_hf_token(api_key: str | None = None) -> str | None:
    """The Hugging Face token: argument, ``HF_TOKEN``, ``HUGGINGFACE_API_KEY``, then the token file."""
    from ._secrets import add_secret

    token = api_key or os.environ.get("HF_TOKEN") or os.environ.get("HUGGINGFACE_API_KEY")
    if not token:
        try:
            token = hf_token_path().read_text(encoding="utf-8").strip() or None
        except OSError:
            token = None
    if token:
        add_secret(token)
    return token
