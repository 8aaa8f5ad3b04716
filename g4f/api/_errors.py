"""The one map from errors to OpenAI-shaped JSON bodies and HTTP statuses.

Every error the server answers goes through :func:`error_payload`, so a client sees
``{"error": {"message", "type", "code", "param"}}`` with a status that matches the
OpenAI API (the SDK turns it into its own exception class). Messages come from
g4f's typed errors, which are redacted of secrets when they are built; anything
else is reduced to its type name, never a stack trace.
"""

from __future__ import annotations

import math
from typing import Any

from .._secrets import redact
from ..errors import (
    BadRequestError,
    G4FError,
    InvalidRequestError,
    MissingAuthError,
    MissingRequirementsError,
    ModelNotFoundError,
    PaymentRequiredError,
    ProviderNotFoundError,
    ProviderNotWorkingError,
    RateLimitError,
    RetryNoProviderError,
    RetryProviderError,
    StreamInterruptedError,
    TimeoutError,
)

__all__ = ["ApiError", "error_payload", "error_body"]

_MESSAGE_LIMIT = 4000


class ApiError(Exception):
    """An error the server itself raises about a request (auth, size, route, body)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",  # noqa: A002 - the OpenAI field name
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.headers = headers or {}


def error_body(
    message: str, type: str, code: Any = None, param: str | None = None
) -> dict[str, Any]:  # noqa: A002
    """The OpenAI error object ``{"error": {...}}``."""
    text = redact(str(message))
    if len(text) > _MESSAGE_LIMIT:
        text = text[:_MESSAGE_LIMIT] + "…"
    return {"error": {"message": text, "type": type, "code": code, "param": param}}


def _retry_after(exc: BaseException) -> float | None:
    value = getattr(exc, "retry_after", None)
    if value is None and isinstance(exc, RetryProviderError):
        waits = [
            e.retry_after
            for e in exc.exceptions.values()
            if getattr(e, "retry_after", None) is not None
        ]
        value = min(waits) if waits else None
    return value


def _rate_limited(exc: BaseException) -> bool:
    if isinstance(exc, RateLimitError):
        return True
    if isinstance(exc, RetryProviderError) and exc.exceptions:
        return all(isinstance(e, RateLimitError) for e in exc.exceptions.values())
    return False


def _all_model_not_found(exc: BaseException) -> bool:
    return (
        isinstance(exc, RetryProviderError)
        and bool(exc.exceptions)
        and all(isinstance(e, ModelNotFoundError) for e in exc.exceptions.values())
    )


def _classify(exc: BaseException) -> tuple[int, str, str | None, str | None]:
    """Status, OpenAI type, code and param for a g4f error (order matters: subclasses first)."""
    if isinstance(exc, InvalidRequestError):
        return 400, "invalid_request_error", "invalid_request", None
    if isinstance(exc, RetryProviderError) and exc.exceptions:
        # Every candidate failed the same way (all 402, all 401...): report that way.
        first, *rest = exc.exceptions.values()
        if all(type(e) is type(first) for e in rest) and not isinstance(first, RetryProviderError):
            return _classify(first)
    if isinstance(exc, ModelNotFoundError) or _all_model_not_found(exc):
        return 404, "invalid_request_error", "model_not_found", "model"
    if isinstance(exc, ProviderNotFoundError):
        return 404, "invalid_request_error", "provider_not_found", "provider"
    if isinstance(exc, ProviderNotWorkingError):
        return 400, "invalid_request_error", "provider_not_working", "provider"
    if _rate_limited(exc):
        return 429, "rate_limit_error", "rate_limit_exceeded", None
    if isinstance(exc, BadRequestError):
        return 400, "invalid_request_error", "upstream_bad_request", None
    if isinstance(exc, PaymentRequiredError):
        return 402, "provider_error", "payment_required", None
    if isinstance(exc, TimeoutError):
        return 504, "timeout_error", "upstream_timeout", None
    if isinstance(exc, MissingRequirementsError):
        return 501, "server_error", "missing_requirements", None
    if isinstance(exc, RetryNoProviderError):
        return 502, "provider_error", "no_provider", None
    if isinstance(exc, RetryProviderError):
        return 502, "provider_error", "all_providers_failed", None
    if isinstance(exc, StreamInterruptedError):
        return 502, "provider_error", "stream_interrupted", None
    if isinstance(exc, MissingAuthError):
        return 502, "provider_error", "provider_auth_required", None
    return 502, "provider_error", "provider_error", None


def error_payload(exc: BaseException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """``(status, body, headers)`` for any exception a route lets out."""
    if isinstance(exc, ApiError):
        return exc.status, error_body(exc.message, exc.type, exc.code, exc.param), dict(exc.headers)
    if not isinstance(exc, G4FError):
        return (
            500,
            error_body(
                f"Internal server error ({type(exc).__name__})", "server_error", "internal_error"
            ),
            {},
        )
    status, kind, code, param = _classify(exc)
    headers: dict[str, str] = {}
    if status == 429:
        wait = _retry_after(exc)
        if wait is not None:
            headers["Retry-After"] = str(max(0, math.ceil(wait)))
    message = str(exc) or type(exc).__name__
    return status, error_body(message, kind, code, param), headers
