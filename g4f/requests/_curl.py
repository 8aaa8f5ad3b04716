"""curl_cffi transport of :class:`~g4f.requests.StreamSession` (``impersonate="chrome"``).

It speaks with a browser's TLS and HTTP/2 fingerprint, which chat-ui behind
Cloudflare expects. The interface is the aiohttp transport's: ``request(...)``
returns a response with ``status``/``headers``/``url``/``cookies()``/``read()``/
``iter_chunks()``/``release()``, and every transport failure becomes a typed error.

Timeouts: curl enforces the connect and whole-request limits and a coarse
"no byte for N seconds" limit (whole seconds, also covering the wait for the
headers); the precise between-chunks limit of a body is enforced here while reading.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
from collections.abc import AsyncIterator, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from curl_cffi import CurlMime, CurlOpt
from curl_cffi.requests import AsyncSession
from curl_cffi.requests import exceptions as curl_errors
from curl_cffi.requests.models import STREAM_END

from ..errors import NetworkError, ResponseError, TimeoutError
from ._body import read_limited

if TYPE_CHECKING:
    from curl_cffi.requests import Response

    from .session import FormFile, StreamSession

__all__ = ["CurlTransport", "translate"]


def translate(exc: BaseException, provider: str | None, stage: str) -> Exception:
    """g4f's typed error for a curl_cffi / asyncio transport exception."""
    who = f"{provider}: " if provider else ""
    if isinstance(exc, (curl_errors.Timeout, asyncio.TimeoutError)):
        return TimeoutError(f"{who}timed out {stage}", provider=provider)
    if isinstance(
        exc, (curl_errors.InvalidURL, curl_errors.InvalidSchema, curl_errors.MissingSchema)
    ):
        return ResponseError(f"{who}invalid URL", provider=provider)
    if isinstance(exc, curl_errors.ProxyError):
        return NetworkError(f"{who}proxy failed {stage}", provider=provider)
    if isinstance(exc, curl_errors.IncompleteRead):
        return NetworkError(f"{who}connection cut {stage}", provider=provider)
    if isinstance(exc, curl_errors.ConnectionError) and stage == "before the response":
        return NetworkError(f"{who}cannot connect ({_curl_code(exc)})", provider=provider)
    if isinstance(exc, (curl_errors.RequestException, ConnectionError)):
        return NetworkError(f"{who}connection lost {stage} ({_curl_code(exc)})", provider=provider)
    return NetworkError(f"{who}{type(exc).__name__} {stage}", provider=provider)


def _curl_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    return f"curl error {int(code)}" if code else type(exc).__name__


# curl_cffi reads a session's ``curl_options`` while it sets up each request, in the
# calling task. Per-request timeouts travel in this context variable so that
# concurrent requests of one session never see each other's limits.
_REQUEST_OPTIONS: contextvars.ContextVar[Mapping[Any, Any]] = contextvars.ContextVar(
    "g4f_curl_request_options", default=MappingProxyType({})
)


class _ContextOptions(dict):  # type: ignore[type-arg]
    """A ``curl_options`` mapping whose content is the current request's options."""

    def items(self) -> Any:
        return _REQUEST_OPTIONS.get().items()

    def __iter__(self) -> Iterator[Any]:
        return iter(_REQUEST_OPTIONS.get())

    def __len__(self) -> int:
        return len(_REQUEST_OPTIONS.get())

    def __bool__(self) -> bool:
        return bool(_REQUEST_OPTIONS.get())


def _mime(parts: list[FormFile]) -> CurlMime:
    mime = CurlMime()
    for part in parts:
        value = part.value.encode() if isinstance(part.value, str) else part.value
        mime.addpart(part.name, content_type=part.content_type, filename=part.filename, data=value)
    return mime


class _Response:
    def __init__(
        self,
        raw: Response,
        provider: str | None,
        stream_timeout: float,
        mime: CurlMime | None,
    ) -> None:
        self._raw = raw
        self._provider = provider
        self._stream_timeout = stream_timeout
        self._mime = mime
        self.status: int = raw.status_code
        self.headers: Mapping[str, str] = raw.headers
        self.url = str(raw.url)
        self._done = False
        self._released = False

    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value or "" for cookie in self._raw.cookies.jar}

    async def read(self, limit: int | None = None, truncate: bool = False) -> bytes:
        return await read_limited(self.iter_chunks(), limit, truncate, self._provider)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        queue = self._raw.queue
        if queue is None or self._done:
            return
        while True:
            try:
                item = await _next_item(queue, self._stream_timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(
                    f"{self._who}timed out while reading the response "
                    f"(no data for {self._stream_timeout:g} s)",
                    provider=self._provider,
                ) from None
            if item is STREAM_END:
                break
            if isinstance(item, BaseException):
                raise translate(item, self._provider, "while reading the response") from None
            yield item
        self._done = True
        await self._finish()

    @property
    def _who(self) -> str:
        return f"{self._provider}: " if self._provider else ""

    async def _finish(self) -> None:
        task = self._raw.astream_task
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, curl_errors.RequestException):
                await task  # type: ignore[misc]

    async def release(self, failed: bool) -> None:
        if self._released:
            return
        self._released = True
        try:
            if not self._done:
                # Abort the transfer: a body not read to the end must not keep the handle.
                quit_now = self._raw.quit_now
                if quit_now is not None:
                    quit_now.set()
                task = self._raw.astream_task
                if isinstance(task, asyncio.Task) and not task.done():
                    task.cancel()
                await self._finish()
        finally:
            if self._mime is not None:
                self._mime.close()
                self._mime = None


async def _next_item(queue: Any, timeout: float) -> Any:
    """``queue.get()`` within ``timeout``; ``wait_for`` before 3.12 can swallow a cancel."""
    if hasattr(asyncio, "timeout"):  # 3.11+: a cancelled task stays cancelled
        async with asyncio.timeout(timeout):
            return await queue.get()
    return await asyncio.wait_for(queue.get(), timeout)


class CurlTransport:
    """Holds one curl_cffi ``AsyncSession`` for a :class:`StreamSession`."""

    def __init__(self, owner: StreamSession) -> None:
        self._owner = owner
        self._session: AsyncSession = AsyncSession(
            headers=dict(owner.headers),
            cookies=dict(owner._cookies),
            proxy=owner.proxy,
            impersonate=owner.impersonate,
            trust_env=False,
            timeout=0,
        )
        self._session.curl_options = _ContextOptions()

    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value or "" for cookie in self._session.cookies.jar}

    def _options(self, timeout: float | None) -> dict[Any, Any]:
        t = self._owner.timeouts
        total = timeout if timeout is not None else t.total
        return {
            CurlOpt.CONNECTTIMEOUT_MS: max(1, int(t.connect * 1000)),
            CurlOpt.TIMEOUT_MS: max(1, int(total * 1000)),
            CurlOpt.LOW_SPEED_LIMIT: 1,
            CurlOpt.LOW_SPEED_TIME: max(1, math.ceil(t.stream)),
        }

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Any,
        form: list[FormFile] | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
    ) -> _Response:
        owner = self._owner
        kwargs: dict[str, Any] = {"params": dict(params) if params else None, "stream": True}
        if headers:
            kwargs["headers"] = dict(headers)
        mime: CurlMime | None = None
        if json is not None:
            kwargs["json"] = json
        elif form is not None:
            mime = _mime(list(form))
            kwargs["multipart"] = mime
        elif data is not None:
            kwargs["data"] = data
        token = _REQUEST_OPTIONS.set(self._options(timeout))
        try:
            raw = await self._session.request(method.upper(), url, **kwargs)  # type: ignore[arg-type]
        except (curl_errors.RequestException, ConnectionError) as exc:
            if mime is not None:
                mime.close()
            raise translate(exc, owner.provider, "before the response") from None
        except BaseException:
            if mime is not None:
                mime.close()
            raise
        finally:
            _REQUEST_OPTIONS.reset(token)
        return _Response(raw, owner.provider, owner.timeouts.stream, mime)

    async def close(self) -> None:
        await self._session.close()
