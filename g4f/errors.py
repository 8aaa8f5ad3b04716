"""Typed errors raised by g4f.

Every error carries optional data about the failed exchange (``status_code``,
``provider``, ``request_id``, ``retry_after`` and a redacted ``body``), so callers
can branch on data instead of parsing messages. Messages are redacted of every
registered secret before they are stored.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Mapping
from typing import Any

from ._secrets import redact

__all__ = [
    "G4FError",
    "InvalidRequestError",
    "ProviderNotFoundError",
    "ProviderNotWorkingError",
    "ModelNotFoundError",
    "MissingRequirementsError",
    "MissingAuthError",
    "NoValidHarFileError",
    "PaymentRequiredError",
    "RetryProviderError",
    "RetryNoProviderError",
    "ResponseError",
    "ResponseStatusError",
    "BadRequestError",
    "RateLimitError",
    "CloudflareError",
    "NetworkError",
    "StreamParseError",
    "StreamInterruptedError",
    "StreamTimeoutError",
    "TimeoutError",
    "error_from_response",
    "is_transient",
]

_BODY_LIMIT = 2000


class G4FError(Exception):
    """Base class of every error g4f raises on purpose."""

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int | None = None,
        provider: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: str | None = None,
    ) -> None:
        message = redact(str(message))
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.provider = provider
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = redact(body[:_BODY_LIMIT]) if body else body

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={getattr(self, name)!r}"
            for name in ("status_code", "provider", "retry_after")
            if getattr(self, name) is not None
        )
        return f"{type(self).__name__}({self.message!r}{extra})"


class InvalidRequestError(G4FError, ValueError):
    """The caller's arguments are invalid (nothing was sent)."""


class ProviderNotFoundError(G4FError):
    """No provider of that name is registered."""


class ProviderNotWorkingError(G4FError):
    """The provider is marked as not working."""


class ModelNotFoundError(G4FError):
    """The model is unknown to the provider or to every provider."""


class MissingRequirementsError(G4FError):
    """An optional dependency needed for this feature is not installed."""


class MissingAuthError(G4FError):
    """Credentials are missing, invalid or lack a permission."""


class NoValidHarFileError(MissingAuthError):
    """No usable HAR or cookie file was found in the cookies dir."""


class PaymentRequiredError(G4FError):
    """The account has no credits left for this request (HTTP 402)."""


class ResponseError(G4FError):
    """The service answered with something unusable (including in-band errors)."""


class ResponseStatusError(ResponseError):
    """The service answered with an error status."""


class BadRequestError(ResponseStatusError):
    """The service rejected the request as invalid (400, 413, 422)."""


class RateLimitError(ResponseStatusError):
    """The service asked us to slow down (429); see ``retry_after``."""


class CloudflareError(ResponseStatusError):
    """A Cloudflare challenge page was returned instead of the API."""


class NetworkError(ResponseError):
    """The connection failed: refused, reset, or cut mid-response."""


class StreamParseError(ResponseError):
    """A line of a stream could not be decoded; ``line`` holds it (redacted, shortened)."""

    def __init__(self, message: str, *, line: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.line = redact(line[:200])


class TimeoutError(G4FError, builtins.TimeoutError):  # noqa: A001 - public g4f name
    """A connect, total or between-chunks timeout expired."""


class StreamInterruptedError(G4FError):
    """A provider failed after it had started streaming; ``partial`` holds the text so far."""

    def __init__(
        self, message: str, *, partial: str = "", cause: BaseException | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.partial = partial
        self.cause = cause


class StreamTimeoutError(StreamInterruptedError, TimeoutError):
    """A timeout (``timeout`` or ``stream_timeout``) after the answer started.

    Both a :class:`StreamInterruptedError` (``partial`` holds the text so far) and a
    :class:`TimeoutError`.
    """


class RetryProviderError(G4FError):
    """Every provider tried failed; ``exceptions`` maps provider name to its error.

    The message is the summary line, then one line per provider:
    ``<name>: <ErrorClass>: <message on one line>``.
    """

    def __init__(self, message: str, exceptions: Mapping[str, BaseException] | None = None) -> None:
        self.exceptions: dict[str, BaseException] = dict(exceptions or {})
        if self.exceptions:
            details = "\n".join(
                f"{name}: {type(exc).__name__}: {' '.join(str(exc).split())}"
                for name, exc in self.exceptions.items()
            )
            message = f"{message}:\n{details}"
        super().__init__(message, status_code=_summary_status(self.exceptions))


class RetryNoProviderError(RetryProviderError):
    """No provider was available to try."""


def _summary_status(exceptions: Mapping[str, BaseException]) -> int | None:
    codes = [getattr(e, "status_code", None) for e in exceptions.values()]
    codes = [c for c in codes if c]
    return codes[-1] if codes and len(set(codes)) == 1 else None


_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same request later may succeed."""
    if isinstance(exc, (NetworkError, TimeoutError)):
        return True
    if isinstance(exc, (MissingAuthError, PaymentRequiredError, ModelNotFoundError)):
        return False
    status = getattr(exc, "status_code", None)
    return isinstance(exc, ResponseStatusError) and status in _TRANSIENT_STATUS


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def strip_html(text: str) -> str:
    """Plain text of an HTML fragment: the page title when there is one, else the text."""
    title = _TITLE.search(text)
    if title:
        return _SPACES.sub(" ", title.group(1)).strip()
    return _SPACES.sub(" ", _TAGS.sub(" ", text)).strip()


def is_html(text: str, content_type: str = "") -> bool:
    """Whether a body is an HTML page rather than an API answer."""
    head = text.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype", "<html"))


def parse_error_body(text: str) -> tuple[str, dict[str, Any]]:
    """Message and fields of an error body in either HF shape, or of plain text / HTML."""
    try:
        data = json.loads(text) if text else None
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        error = data.get("error", data.get("message", data.get("detail")))
        if isinstance(error, dict):
            fields = {k: v for k, v in error.items() if k != "message"}
            fields.update({k: v for k, v in data.items() if k != "error"})
            return str(error.get("message") or json.dumps(error)), fields
        if error is not None:
            return str(error), {k: v for k, v in data.items() if k != "error"}
        return json.dumps(data)[:500], dict(data)
    if is_html(text):
        return strip_html(text)[:300], {"html": True}
    return text.strip()[:500], {}


_RATELIMIT_T = re.compile(r"\bt=(\d+(?:\.\d+)?)")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or the ``RateLimit`` header."""
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            from datetime import datetime, timezone
            from email.utils import parsedate_to_datetime

            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                # "-0000" gives a naive datetime; HTTP dates are in UTC.
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    ratelimit = lowered.get("ratelimit")
    if ratelimit:
        match = _RATELIMIT_T.search(ratelimit)
        if match:
            return float(match.group(1))
    return None


def error_from_response(
    status: int,
    text: str,
    headers: Mapping[str, str] | None = None,
    *,
    provider: str | None = None,
    url: str = "",
) -> G4FError:
    """The typed error for an HTTP error response (status, body text, headers).

    Understands both HF error shapes (``{"error": "..."}`` and
    ``{"error": {"message", "type", "code"}}``), TGI's ``error_type`` and HTML pages.
    """
    headers = headers or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    message, fields = parse_error_body(text)
    lowered = {k.lower(): v for k, v in headers.items()}
    data: dict[str, Any] = {
        "status_code": status,
        "provider": provider,
        "request_id": lowered.get("x-request-id") or lowered.get("inference-id"),
        "retry_after": parse_retry_after(headers),
        "body": text,
    }
    who = f"{provider}: " if provider else ""
    text_of = f"{who}HTTP {status}: {message}" if message else f"{who}HTTP {status}"
    code = str(fields.get("code", ""))
    lower_msg = message.lower()
    if status == 400 and (
        code == "model_not_supported"
        or "not supported by" in lower_msg
        or "model not supported" in lower_msg
        or "invalid model" in lower_msg
    ):
        return ModelNotFoundError(text_of, **data)
    if status == 401:
        return MissingAuthError(text_of, **data)
    if status == 403:
        if is_html(text, content_type) and (
            "cf-ray" in lowered or "cloudflare" in text.lower() or "just a moment" in text.lower()
        ):
            return CloudflareError(f"{who}HTTP 403: blocked by a Cloudflare challenge", **data)
        return MissingAuthError(text_of, **data)
    if status == 402:
        return PaymentRequiredError(text_of, **data)
    if status == 404:
        return ModelNotFoundError(text_of, **data)
    if status == 410 and "api-inference" in (text + url):
        return ResponseStatusError(
            f"{who}HTTP 410: the api-inference host is retired; use the router "
            "(HF_ROUTER_ENDPOINT, https://router.huggingface.co)",
            **data,
        )
    if status == 429:
        return RateLimitError(text_of, **data)
    if status in (400, 413, 422):
        return BadRequestError(text_of, **data)
    if status == 503 and isinstance(fields.get("estimated_time"), (int, float)):
        data["retry_after"] = data["retry_after"] or float(fields["estimated_time"])
    return ResponseStatusError(text_of, **data)


#: Error codes / types of in-band errors that mean a status.
_CODE_STATUS = {
    "rate_limit_exceeded": 429,
    "rate_limit_error": 429,
    "model_not_supported": 400,
    "model_not_found": 404,
    "invalid_api_key": 401,
    "authentication_error": 401,
    "insufficient_quota": 402,
}


def error_from_payload(data: Mapping[str, Any], *, provider: str | None = None) -> G4FError:
    """The typed error for an in-band ``{"error": ...}`` object received after a 200."""
    message, fields = parse_error_body(json.dumps(data))
    kind = str(fields.get("error_type") or fields.get("type") or "")
    who = f"{provider}: " if provider else ""
    text = f"{who}{message}" + (f" ({kind})" if kind else "")
    code = fields.get("code")
    status = code if isinstance(code, int) else _CODE_STATUS.get(str(code or kind))
    if status is not None and status >= 400:
        return error_from_response(status, json.dumps(data), provider=provider)
    if kind == "validation":
        return BadRequestError(text, provider=provider, status_code=422, body=json.dumps(data))
    if kind == "overloaded":
        return ResponseStatusError(text, provider=provider, status_code=503, body=json.dumps(data))
    return ResponseError(text, provider=provider, body=json.dumps(data))
