"""The HTTP error map (both HF body shapes, HTML) and secret redaction in errors."""

from __future__ import annotations

import json

import pytest

from g4f._secrets import add_secret, redact
from g4f.errors import (
    BadRequestError,
    CloudflareError,
    G4FError,
    MissingAuthError,
    ModelNotFoundError,
    NetworkError,
    PaymentRequiredError,
    RateLimitError,
    ResponseStatusError,
    RetryProviderError,
    error_from_response,
    is_transient,
)

OPENAI_400 = json.dumps(
    {
        "error": {
            "message": "The requested model 'x/y' is not supported by any provider you have enabled.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_supported",
        }
    }
)

TABLE = [
    (400, OPENAI_400, {}, ModelNotFoundError, "not supported by any provider"),
    (
        400,
        '{"error":"Model not supported by provider together"}',
        {},
        ModelNotFoundError,
        "Model not supported",
    ),
    (
        400,
        '{"error":{"message":"bad temperature","code":"invalid"}}',
        {},
        BadRequestError,
        "bad temperature",
    ),
    (
        401,
        '{"error":"Invalid credentials in Authorization header"}',
        {},
        MissingAuthError,
        "Invalid credentials",
    ),
    (
        402,
        '{"error":"You have depleted your monthly included credits."}',
        {},
        PaymentRequiredError,
        "depleted",
    ),
    (
        403,
        '{"error":"This authentication method does not have sufficient permissions"}',
        {},
        MissingAuthError,
        "sufficient permissions",
    ),
    (404, "Not Found", {}, ModelNotFoundError, "Not Found"),
    (413, "", {}, BadRequestError, "HTTP 413"),
    (
        422,
        '{"error":"Input validation error: `top_p` must be > 0.0 and < 1.0","error_type":"validation"}',
        {},
        BadRequestError,
        "top_p",
    ),
    (
        429,
        '{"error":{"message":"Rate limit","code":429}}',
        {"Retry-After": "2"},
        RateLimitError,
        "Rate limit",
    ),
    (
        503,
        '{"error":"Model X is currently loading","estimated_time":12.5}',
        {},
        ResponseStatusError,
        "currently loading",
    ),
    (
        504,
        "<!DOCTYPE html><html><head><title>504 Gateway Time-out</title></head><body>x</body></html>",
        {"Content-Type": "text/html"},
        ResponseStatusError,
        "504 Gateway Time-out",
    ),
]


@pytest.mark.parametrize(
    "status,body,headers,cls,fragment", TABLE, ids=[f"{t[0]}-{t[3].__name__}" for t in TABLE]
)
def test_error_map(
    status: int, body: str, headers: dict[str, str], cls: type, fragment: str
) -> None:
    error = error_from_response(status, body, headers, provider="P")
    assert type(error) is cls
    assert fragment in str(error)
    assert error.status_code == status
    assert error.provider == "P"
    assert "<html" not in str(error).lower()


def test_retry_after_from_header_and_ratelimit_header() -> None:
    assert error_from_response(429, "{}", {"Retry-After": "7"}).retry_after == 7.0
    limited = error_from_response(429, "{}", {"RateLimit": '"api";r=0;t=55'})
    assert limited.retry_after == 55.0


def test_estimated_time_becomes_retry_after() -> None:
    error = error_from_response(503, '{"error":"loading","estimated_time":3}')
    assert error.retry_after == 3.0
    assert is_transient(error)


def test_request_id_is_kept() -> None:
    error = error_from_response(500, "boom", {"x-request-id": "req-1"})
    assert error.request_id == "req-1"


def test_cloudflare_page() -> None:
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>cloudflare</body></html>"
    error = error_from_response(403, page, {"Content-Type": "text/html", "cf-ray": "1"})
    assert isinstance(error, CloudflareError)


def test_retired_host_says_use_the_router() -> None:
    body = '{"error":"https://api-inference.huggingface.co is no longer supported. Please use https://router.huggingface.co instead."}'
    error = error_from_response(410, body)
    assert "router" in str(error)


def test_transient_classification() -> None:
    assert is_transient(NetworkError("x"))
    assert is_transient(error_from_response(502, ""))
    assert not is_transient(error_from_response(401, ""))
    assert not is_transient(error_from_response(402, ""))
    assert not is_transient(error_from_response(400, ""))


def test_secrets_never_in_message_repr_or_body() -> None:
    secret = "sekrit-cookie-value-123"
    add_secret(secret)
    error = error_from_response(401, json.dumps({"error": f"bad cookie {secret}"}), provider="P")
    assert secret not in str(error)
    assert secret not in repr(error)
    assert error.body is not None and secret not in error.body


def test_token_shapes_redacted_without_registration() -> None:
    assert "hf_abcdefghijklmnop" not in redact("token hf_abcdefghijklmnop here")
    assert "abcdefghijklmnopqrstu" not in redact("Authorization: Bearer abcdefghijklmnopqrstu")


def test_retry_provider_error_keeps_per_provider_errors() -> None:
    one, two = RateLimitError("slow", status_code=429), MissingAuthError("no key", status_code=401)
    error = RetryProviderError("All providers failed", {"A": one, "B": two})
    assert error.exceptions == {"A": one, "B": two}
    assert "A: RateLimitError" in str(error) and "B: MissingAuthError" in str(error)
    assert isinstance(error, G4FError)


def test_g4f_timeout_is_builtin_timeout() -> None:
    from g4f.errors import TimeoutError as G4FTimeout

    assert issubclass(G4FTimeout, TimeoutError)


def test_inband_error_codes_map_to_statuses() -> None:
    from g4f.errors import error_from_payload

    assert isinstance(
        error_from_payload({"error": {"message": "x", "code": "rate_limit_exceeded"}}),
        RateLimitError,
    )
    assert isinstance(
        error_from_payload({"error": {"message": "x", "code": "model_not_supported"}}),
        ModelNotFoundError,
    )
    assert isinstance(
        error_from_payload({"error": {"message": "x", "code": "insufficient_quota"}}),
        PaymentRequiredError,
    )
    assert error_from_payload({"error": "plain"}).status_code is None
