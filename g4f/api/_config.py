"""Settings of one API server instance (no HTTP library needed to build them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ApiConfig",
    "DEFAULT_MAX_BODY",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_BODY_DEADLINE",
    "DEFAULT_KEEPALIVE_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_KEEPALIVE",
]

#: Largest accepted request body: room for a few inline images, far below a memory risk.
DEFAULT_MAX_BODY = 8 * 1024 * 1024
#: Seconds in-flight requests get to finish when the server stops.
DEFAULT_SHUTDOWN_TIMEOUT = 10.0
#: Seconds a connection gets to deliver a complete request head (line and headers).
DEFAULT_HEADER_TIMEOUT = 10.0
#: Longest silence (seconds) between two pieces of a request body.
DEFAULT_BODY_TIMEOUT = 10.0
#: Seconds the whole request body gets, however steadily it trickles in.
DEFAULT_BODY_DEADLINE = 60.0
#: Seconds an idle kept-alive connection stays open waiting for its next request.
DEFAULT_KEEPALIVE_TIMEOUT = 75.0
#: Open client connections; at the limit the idlest one is closed for a new one.
DEFAULT_MAX_CONNECTIONS = 1024
#: Seconds of upstream silence after which a Responses/Messages stream gets a keep-alive.
DEFAULT_KEEPALIVE = 15.0


@dataclass
class ApiConfig:
    """What :func:`g4f.api.create_app` was asked for."""

    api_key: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    provider: Any = None
    media_provider: Any = None
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    disconnect_poll: float = 0.2
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    body_deadline: float = DEFAULT_BODY_DEADLINE
    keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    #: Seconds of upstream silence after which a Responses/Messages stream gets a keep-alive.
    keepalive: float = DEFAULT_KEEPALIVE
    #: A :class:`g4f.api._response_store.ResponseStore` (None: in-process memory).
    response_store: Any = None
    #: Browser origins allowed by CORS (empty: CORS off).
    cors_origins: tuple[str, ...] = ()
    #: Share run-time state through this Redis (None: this process only).
    redis_url: str | None = None
    #: API keys with limits (a :class:`g4f.api._keys.KeyRing`; None: ``api_key`` only).
    keys: Any = None
    #: The key of ``GET /v1/usage`` (None: the route is not served).
    admin_key: str | None = None

    def __post_init__(self) -> None:
        if self.max_body < 1:
            raise ValueError("max_body must be positive")
        if self.max_connections < 1:
            raise ValueError("max_connections must be positive")
        for name in (
            "header_timeout",
            "body_timeout",
            "body_deadline",
            "keepalive_timeout",
            "keepalive",
        ):
            value = getattr(self, name)
            # NaN compares false with everything, so test for the good range.
            if not (isinstance(value, (int, float)) and 0 < value < float("inf")):
                raise ValueError(f"{name} must be a positive number of seconds")
        if not (isinstance(self.keepalive, (int, float)) and 0 < self.keepalive < float("inf")):
            raise ValueError("keepalive must be a positive number of seconds")

    def __repr__(self) -> str:
        key = "set" if self.api_key else None
        return (
            f"ApiConfig(api_key={key!r}, max_body={self.max_body}, provider={self.provider!r}, "
            f"keys={self.keys!r}, admin_key={'set' if self.admin_key else None!r})"
        )
