"""``StreamSession``: one async HTTP session interface over two transports.

The default transport is aiohttp; ``impersonate="chrome"`` selects curl_cffi, which
speaks with a browser's TLS fingerprint (HuggingChat needs it). Both have the same
interface, always-set timeouts (connect, total, longest silence between chunks) and
translate transport exceptions into g4f's typed errors. The HTTP libraries are
imported when the first session opens, never at import time.
"""

from __future__ import annotations

import json as _json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from ..config import DEFAULT_CONNECT_TIMEOUT, DEFAULT_STREAM_TIMEOUT, DEFAULT_TIMEOUT
from ..errors import InvalidRequestError, MissingRequirementsError
from .raise_for_status import raise_for_status
from .sse import LineDecoder, SSEEvent, decode_json_line, iter_ndjson, iter_sse, iter_sse_json

__all__ = ["StreamSession", "StreamResponse", "FormFile", "Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Connect, whole-request and between-chunks limits, in seconds."""

    total: float = DEFAULT_TIMEOUT
    connect: float = DEFAULT_CONNECT_TIMEOUT
    stream: float = DEFAULT_STREAM_TIMEOUT


@dataclass(frozen=True, slots=True)
class FormFile:
    """A multipart part: ``name`` with ``value``; a ``filename`` makes it a file part."""

    name: str
    value: str | bytes
    filename: str | None = None
    content_type: str | None = None


class StreamResponse:
    """A response whose body has not been read yet.

    Use it inside ``async with session.post(...) as response``; leaving the block
    releases (and, when the body was not fully read, closes) the connection.
    """

    def __init__(self, backend: Any, provider: str | None, max_line: int | None) -> None:
        self._backend = backend
        self.provider = provider
        self._max_line = max_line

    @property
    def status(self) -> int:
        return self._backend.status

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def headers(self) -> Mapping[str, str]:
        return self._backend.headers

    @property
    def url(self) -> str:
        return self._backend.url

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies the server set on this response."""
        return self._backend.cookies()

    async def read(self, limit: int | None = None) -> bytes:
        """The whole body (a :class:`ResponseError` past ``limit`` bytes)."""
        return await self._backend.read(limit)

    async def text(self, limit: int | None = None) -> str:
        return (await self.read(limit)).decode("utf-8", "replace")

    async def json(self) -> Any:
        """The body as JSON; a typed error when it is not JSON."""
        return decode_json_line(await self.text(), self.provider)

    def iter_content(self) -> AsyncIterator[bytes]:
        """Body chunks as they arrive."""
        return self._backend.iter_chunks()

    async def iter_lines(self) -> AsyncIterator[str]:
        """Body lines as text, split across reads correctly."""
        decoder = LineDecoder(self._max_line)
        async for chunk in self.iter_content():
            for line in decoder.feed(chunk):
                yield line
        for line in decoder.flush():
            yield line

    def iter_sse(self) -> AsyncIterator[SSEEvent]:
        """Raw SSE events (``event``/``data``/``id``)."""
        return iter_sse(self.iter_content(), self._max_line)

    def sse(self) -> AsyncIterator[Any]:
        """JSON payloads of an SSE body up to ``[DONE]``; in-band errors raised typed."""
        complete = getattr(self._backend, "mark_complete", None)
        return iter_sse_json(self.iter_content(), self.provider, self._max_line, complete)

    def ndjson(self) -> AsyncIterator[Any]:
        """JSON objects of a newline-delimited body."""
        return iter_ndjson(self.iter_content(), self.provider, self._max_line)

    async def raise_for_status(self) -> None:
        """Raise the typed error for an error status (reads a bounded part of the body)."""
        await raise_for_status(self)

    def __repr__(self) -> str:
        return f"<StreamResponse [{self.status}] {self.url}>"


def encode_json(value: Any) -> bytes:
    """``value`` as a JSON request body, refusing what is not valid JSON or UTF-8."""
    try:
        return _json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except ValueError as exc:  # out-of-range float, or UnicodeEncodeError (a surrogate)
        raise InvalidRequestError(
            f"the request cannot be sent as JSON: {type(exc).__name__}: {str(exc)[:80]}"
        ) from None


class _RequestContext:
    def __init__(self, session: StreamSession, method: str, url: str, kwargs: dict[str, Any]):
        self._session = session
        self._method = method
        self._url = url
        self._kwargs = kwargs
        self._backend_response: Any = None

    async def __aenter__(self) -> StreamResponse:
        transport = await self._session._ensure_transport()
        self._backend_response = await transport.request(self._method, self._url, **self._kwargs)
        return StreamResponse(
            self._backend_response, self._session.provider, self._session.max_line
        )

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._backend_response is not None:
            await self._backend_response.release(failed=exc_type is not None)


class StreamSession:
    """An async HTTP session with typed errors and timeouts that are always set.

    ``timeout`` bounds the whole request, ``connect_timeout`` the connection and
    ``stream_timeout`` the longest silence between two chunks of a body.
    ``impersonate="chrome"`` selects the curl_cffi transport; ``transport`` injects
    any object with the backend interface (a test seam).
    """

    def __init__(
        self,
        *,
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        proxy: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        stream_timeout: float | None = None,
        impersonate: str | None = None,
        provider: str | None = None,
        max_line: int | None = 16 * 1024 * 1024,
        transport: Any = None,
    ) -> None:
        self.headers = dict(headers or {})
        self._cookies = dict(cookies or {})
        self.proxy = proxy
        self.timeouts = Timeouts(
            total=timeout or DEFAULT_TIMEOUT,
            connect=connect_timeout or DEFAULT_CONNECT_TIMEOUT,
            stream=stream_timeout or DEFAULT_STREAM_TIMEOUT,
        )
        self.impersonate = impersonate
        self.provider = provider
        self.max_line = max_line
        self._transport = transport
        self._closed = False

    async def _ensure_transport(self) -> Any:
        if self._closed:
            raise RuntimeError("StreamSession is closed")
        if self._transport is None:
            if self.impersonate:
                try:
                    from ._curl import CurlTransport
                except ImportError as exc:  # pragma: no cover - curl_cffi is a dependency
                    raise MissingRequirementsError(
                        "curl_cffi is needed for impersonate=...: pip install curl_cffi"
                    ) from exc
                self._transport = CurlTransport(self)
            else:
                from ._aiohttp import AiohttpTransport

                self._transport = AiohttpTransport(self)
        return self._transport

    @property
    def cookies(self) -> dict[str, str]:
        """The cookie jar's current values (those passed in and those the servers set)."""
        if self._transport is not None:
            return self._transport.cookies()
        return dict(self._cookies)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: str | bytes | Mapping[str, str] | None = None,
        form: Sequence[FormFile] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> _RequestContext:
        """Start a request; use as ``async with session.request(...) as response``.

        A ``json`` body is encoded here, once for both transports, strictly: ``NaN``,
        ``Infinity`` and lone surrogates raise :class:`~g4f.errors.InvalidRequestError`
        instead of going out as invalid JSON.
        """
        if json is not None:
            data, json = encode_json(json), None
            if not any(name.lower() == "content-type" for name in headers or ()):
                headers = {**(headers or {}), "Content-Type": "application/json"}
        return _RequestContext(
            self,
            method,
            url,
            {
                "params": params,
                "json": json,
                "data": data,
                "form": form,
                "headers": headers,
                "timeout": timeout,
            },
        )

    def get(self, url: str, **kwargs: Any) -> _RequestContext:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> _RequestContext:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> _RequestContext:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> _RequestContext:
        return self.request("DELETE", url, **kwargs)

    async def close(self) -> None:
        """Close every connection of the session."""
        self._closed = True
        if self._transport is not None:
            transport, self._transport = self._transport, None
            await transport.close()

    async def __aenter__(self) -> StreamSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        kind = f"impersonate={self.impersonate!r}" if self.impersonate else "aiohttp"
        return f"<StreamSession {kind} provider={self.provider!r}>"
