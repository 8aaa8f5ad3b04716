"""aiohttp transport of :class:`~g4f.requests.StreamSession`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp

from ..errors import MissingRequirementsError, NetworkError, ResponseError, TimeoutError
from ._body import read_limited

if TYPE_CHECKING:
    from .session import FormFile, StreamSession

_CHUNK = 64 * 1024


def translate(exc: BaseException, provider: str | None, stage: str) -> Exception:
    """g4f's typed error for an aiohttp / asyncio transport exception."""
    who = f"{provider}: " if provider else ""
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return TimeoutError(f"{who}timed out {stage}", provider=provider)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return NetworkError(
            f"{who}cannot connect: {exc.strerror or type(exc).__name__}", provider=provider
        )
    if isinstance(exc, aiohttp.ClientPayloadError):
        return NetworkError(f"{who}connection cut {stage}", provider=provider)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError, ConnectionError)):
        return NetworkError(f"{who}connection lost {stage}", provider=provider)
    if isinstance(exc, aiohttp.InvalidURL):
        return ResponseError(f"{who}invalid URL", provider=provider)
    return NetworkError(f"{who}{type(exc).__name__} {stage}", provider=provider)


_TRANSPORT_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)


def _form(parts: list[FormFile]) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for part in parts:
        form.add_field(
            part.name, part.value, filename=part.filename, content_type=part.content_type
        )
    return form


class _Response:
    def __init__(self, raw: aiohttp.ClientResponse, provider: str | None, stream_timeout: float):
        self._raw = raw
        self._provider = provider
        self.status = raw.status
        self.headers: Mapping[str, str] = raw.headers
        self.url = str(raw.url)
        self._done = False

    def cookies(self) -> dict[str, str]:
        return {name: morsel.value for name, morsel in self._raw.cookies.items()}

    async def read(self, limit: int | None = None, truncate: bool = False) -> bytes:
        return await read_limited(self.iter_chunks(), limit, truncate, self._provider)

    async def iter_chunks(self) -> AsyncIterator[bytes]:
        content = self._raw.content
        try:
            while True:
                chunk = await content.readany()
                if not chunk:
                    break
                yield chunk
        except _TRANSPORT_ERRORS as exc:
            raise translate(exc, self._provider, "while reading the response") from None
        self._done = True

    async def release(self, failed: bool) -> None:
        if failed or not self._done:
            # A body not read to the end (cancel, break, error) must not go back to the pool.
            self._raw.close()
        else:
            self._raw.release()


def pool_connector() -> aiohttp.TCPConnector:
    """A connector for a :class:`~g4f.requests.pool.ConnectionPool` (no limit on connections)."""
    return aiohttp.TCPConnector(limit=0)


class AiohttpTransport:
    """Holds one ``aiohttp.ClientSession`` for a :class:`StreamSession`."""

    def __init__(self, owner: StreamSession) -> None:
        self._owner = owner
        proxy = owner.proxy
        if proxy and proxy.startswith("socks"):
            raise MissingRequirementsError("SOCKS proxies need impersonate='chrome' (curl_cffi)")
        t = owner.timeouts
        self._timeout = aiohttp.ClientTimeout(total=t.total, connect=t.connect, sock_read=t.stream)
        from .pool import current_pool

        pool = current_pool()
        connector = pool.connector() if pool is not None else None
        self._session = aiohttp.ClientSession(
            connector=connector,
            connector_owner=connector is None,
            headers=owner.headers,
            cookies=owner._cookies,
            timeout=self._timeout,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            trust_env=False,
        )

    def cookies(self) -> dict[str, str]:
        return {cookie.key: cookie.value for cookie in self._session.cookie_jar}

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
        kwargs: dict[str, Any] = {"params": params, "headers": headers, "proxy": owner.proxy}
        if json is not None:
            kwargs["json"] = json
        elif form is not None:
            kwargs["data"] = _form(list(form))
        elif data is not None:
            kwargs["data"] = data
        if timeout is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(
                total=timeout, connect=owner.timeouts.connect, sock_read=owner.timeouts.stream
            )
        try:
            raw = await self._session.request(method, url, **kwargs)
        except _TRANSPORT_ERRORS as exc:
            raise translate(exc, owner.provider, "before the response") from None
        return _Response(raw, owner.provider, owner.timeouts.stream)

    async def close(self) -> None:
        await self._session.close()
