"""Settings of one API server instance (no HTTP library needed to build them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ApiConfig", "DEFAULT_MAX_BODY", "DEFAULT_SHUTDOWN_TIMEOUT"]

#: Largest accepted request body: room for a few inline images, far below a memory risk.
DEFAULT_MAX_BODY = 8 * 1024 * 1024
#: Seconds in-flight requests get to finish when the server stops.
DEFAULT_SHUTDOWN_TIMEOUT = 10.0


@dataclass
class ApiConfig:
    """What :func:`g4f.api.create_app` was asked for."""

    api_key: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    provider: Any = None
    media_provider: Any = None
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    disconnect_poll: float = 0.2
    #: Browser origins allowed by CORS (empty: CORS off).
    cors_origins: tuple[str, ...] = ()

    def __repr__(self) -> str:
        key = "set" if self.api_key else None
        return f"ApiConfig(api_key={key!r}, max_body={self.max_body}, provider={self.provider!r})"
