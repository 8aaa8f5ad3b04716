"""aiohttp transport of :class:`~g4f.requests.StreamSession`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from multidict import CIMultiDict
from yarl import URL

from ..errors import MissingRequirementsError, NetworkError, ResponseError, TimeoutError
from ._body import read_limited

if TYPE_CHECKING:
    from .session import FormFile, StreamSession

_CHUNK = 64 * 1024
#: How long the end of a body may lag behind the [DONE] that ended its answer.
_DRAIN_TIMEOUT = 0.25


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
        self._complete = False

    def mark_complete(self) -> None:
        """The answer ended in-band (``[DONE]``): only the body's end can follow."""
        self._complete = True

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

    async def _drain(self) -> None:
        content = self._raw.content
        for _ in range(16):
            if not await content.readany():
                self._done = True
                return

    async def release(self, failed: bool) -> None:
        if not failed and not self._done and self._complete:
            # The answer ended with [DONE] and the body's end (the chunked terminator) is
            # usually right behind it: read it, so the connection can be reused.
            try:
                await asyncio.wait_for(self._drain(), _DRAIN_TIMEOUT)
            except (*_TRANSPORT_ERRORS, asyncio.TimeoutError):
                pass
        if failed or not self._done:
            # A body not read to the end (cancel, break, error) must not go back to the pool.
            self._raw.close()
            # The socket closes in a callback the close just scheduled: let it run, so the
            # connection is gone when the call ends (a pooled session is not closed after).
            await asyncio.sleep(0)
        else:
            self._raw.release()


def pool_session(idle_timeout: float) -> tuple[aiohttp.ClientSession, aiohttp.TCPConnector]:
    """The session (and its connector) of a :class:`~g4f.requests.pool.ConnectionPool`.

    No cookie jar and no default headers: every request carries its caller's own, so
    nothing one caller sends or receives reaches another through the pool.
    """
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=idle_timeout)
    session = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
    )
    return session, connector


def _merged(base: Mapping[str, str] | None, extra: Mapping[str, str]) -> Mapping[str, str]:
    """``base`` overridden by ``extra`` (header names compared without case, as aiohttp does)."""
    if not base:
        return extra
    merged = CIMultiDict(base)
    merged.update(extra)
    return merged


class AiohttpTransport:
    """The aiohttp side of a :class:`StreamSession`.

    In a connection pool it sends through the pool's shared ``ClientSession`` with its
    own headers, cookies (a jar of its own, made when there is a cookie to keep) and
    timeouts on each request; otherwise it holds a ``ClientSession`` of its own.
    """

    def __init__(self, owner: StreamSession) -> None:
        self._owner = owner
        proxy = owner.proxy
        if proxy and proxy.startswith("socks"):
            raise MissingRequirementsError("SOCKS proxies need impersonate='chrome' (curl_cffi)")
        t = owner.timeouts
        self._timeout = aiohttp.ClientTimeout(total=t.total, connect=t.connect, sock_read=t.stream)
        from .pool import current_pool

        pool = current_pool()
        shared = pool.session() if pool is not None else None
        self._jar: aiohttp.CookieJar | None = None
        if shared is not None:
            self._session = shared
            self._owns = False
            self._headers: Mapping[str, str] | None = owner.headers or None
            if owner._cookies:
                self._cookie_jar().update_cookies(owner._cookies)
        else:
            self._owns = True
            self._headers = None
            self._session = aiohttp.ClientSession(
                headers=owner.headers,
                cookies=owner._cookies,
                timeout=self._timeout,
                cookie_jar=aiohttp.CookieJar(unsafe=True),
                trust_env=False,
            )

    def _cookie_jar(self) -> aiohttp.CookieJar:
        if self._jar is None:
            self._jar = aiohttp.CookieJar(unsafe=True)
        return self._jar

    def cookies(self) -> dict[str, str]:
        jar = self._session.cookie_jar if self._owns else self._jar
        return {} if jar is None else {cookie.key: cookie.value for cookie in jar}

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
        if self._owns:
            kwargs: dict[str, Any] = {"params": params, "headers": headers, "proxy": owner.proxy}
        else:
            own = self._headers
            kwargs = {
                "params": params,
                "headers": _merged(own, headers) if headers else own,
                "proxy": owner.proxy,
                "timeout": self._timeout,
            }
            if self._jar is not None:
                kwargs["cookies"] = self._jar.filter_cookies(URL(url))
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
        if not self._owns and "Set-Cookie" in raw.headers:
            self._cookie_jar().update_cookies(raw.cookies, raw.url)
        return _Response(raw, owner.provider, owner.timeouts.stream)

    async def close(self) -> None:
        if self._owns:
            await self._session.close()
