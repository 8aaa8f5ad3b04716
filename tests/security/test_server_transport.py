"""What the real ``g4f api`` answers and logs for requests refused below the application:
malformed HTTP (#12 items 4 and 8), credential headers that are not text (item 5) and
``Expect: 100-continue`` with a body the server will refuse (item 9). Raw sockets: an
HTTP client would refuse to send these or would repair them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

import pytest

from g4f.api import create_app
from tests.fakes.router import FakeRouter
from tests.security._served import exchange, parse, served

KEY = "srv-key-7d41e09b2c"
CALLER = "hf_callerOwnToken1234567890"
CHAT = (
    b'{"model": "meta-llama/Llama-3.3-70B-Instruct",'
    b' "messages": [{"role": "user", "content": "hi"}]}'
)


def _head(*lines: bytes, path: bytes = b"/v1/chat/completions", method: bytes = b"POST") -> bytes:
    return b"\r\n".join([method + b" " + path + b" HTTP/1.1", b"Host: 127.0.0.1", *lines]) + (
        b"\r\n\r\n"
    )


def _assert_openai_error(body: object, status: int, code: str) -> None:
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert error["code"] == code, error
    expected = {401: "authentication_error"}.get(status, "invalid_request_error")
    assert error["type"] == ("server_error" if status >= 500 else expected)


# (name, raw request, status, code). The key rides on every one of them.
MALFORMED = [
    (
        "header line too long",
        _head(b"Authorization: Bearer " + KEY.encode() + b"x" * 9000, b"Content-Length: 2"),
        431,
        "request_header_too_large",
    ),
    (
        "request line too long",
        _head(b"Authorization: Bearer " + KEY.encode(), path=b"/" + b"a" * 9000),
        431,
        "request_header_too_large",
    ),
    (
        "too many headers",
        _head(b"Authorization: Bearer " + KEY.encode(), *(b"X-%d: 1" % i for i in range(200))),
        431,
        "too_many_headers",
    ),
    (
        "Content-Length overflow",
        _head(b"Authorization: Bearer " + KEY.encode(), b"Content-Length: 9" * 3 + b"9" * 30),
        400,
        "invalid_content_length",
    ),
    (
        "negative Content-Length",
        _head(b"Authorization: Bearer " + KEY.encode(), b"Content-Length: -1"),
        400,
        "invalid_content_length",
    ),
    (
        "two Content-Lengths",
        _head(b"X-Api-Key: " + KEY.encode(), b"Content-Length: 1", b"Content-Length: 2"),
        400,
        "invalid_content_length",
    ),
    ("bad request line", b"GARBAGE " + KEY.encode() + b"\r\n\r\n", 400, "bad_request_line"),
    (
        "header line without a colon",
        _head(b"Authorization Bearer " + KEY.encode(), b"Content-Length: 2"),
        400,
        "invalid_header",
    ),
    (
        "control character in the Authorization header",
        _head(b"Authorization: Bearer " + KEY.encode() + b"\x01", b"Content-Length: 2"),
        400,
        "invalid_header",
    ),
    (
        "control character in X-Api-Key",
        _head(b"X-Api-Key: " + KEY.encode() + b"\x7f\x01", b"Content-Length: 2"),
        400,
        "invalid_header",
    ),
    (
        "malformed chunked body",
        _head(b"Authorization: Bearer " + KEY.encode(), b"Transfer-Encoding: chunked") + b"zz\r\n",
        400,
        "invalid_body",
    ),
]


@pytest.mark.parametrize(
    ("raw", "status", "code"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
async def test_malformed_http_gets_openai_json_and_one_short_log_line(
    raw: bytes,
    status: int,
    code: str,
    upstream: FakeRouter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, every level: aiohttp, asyncio, g4f
    before = len(upstream.requests)
    async with served(api_key=KEY, provider="HuggingFaceAPI") as port:
        caplog.clear()
        answer = await exchange(port, raw)
        got, headers, body = parse(answer)
        records = list(caplog.records)
    assert got == status, answer[:300]
    assert headers["content-type"].startswith("application/json")
    _assert_openai_error(body, status, code)
    assert KEY.encode() not in answer, "the answer echoes the raw request"
    assert len(upstream.requests) == before
    # One short line, no traceback, no key, from any logger.
    lines = [r for r in records if r.name.startswith(("aiohttp", "asyncio", "g4f"))]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    line = lines[0]
    text = line.getMessage() + (line.exc_text or "") + (line.stack_info or "")
    assert "\n" not in text and len(text) < 200 and KEY not in text, text
    assert line.exc_info is None and line.levelno == logging.INFO


async def test_aiohttp_and_asyncio_records_pass_through_redaction(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Once the server is built, a record from any logger is redacted, tracebacks too."""
    create_app(api_key=KEY)
    caplog.set_level(logging.DEBUG)
    try:
        raise ValueError(f"header was Authorization: Bearer {KEY} and {CALLER}")
    except ValueError:
        logging.getLogger("aiohttp.server").exception("Error handling %s", KEY)
    loop = asyncio.get_running_loop()
    loop.call_exception_handler(
        {"message": f"Task exception was never retrieved {KEY}", "exception": RuntimeError(CALLER)}
    )
    logging.getLogger("some.library").warning("token %s", CALLER)
    texts = [
        caplog.handler.format(record)
        for record in caplog.records
        if record.name in ("aiohttp.server", "asyncio", "some.library")
    ]
    assert len(texts) == 3, texts
    for text in texts:
        assert KEY not in text and CALLER not in text, text
        assert "***" in text
    assert "Traceback" in texts[0] and "ValueError" in texts[0]  # still useful, just clean


@pytest.mark.parametrize("with_key", [True, False], ids=["server key", "no server key"])
@pytest.mark.parametrize(
    "header",
    [
        b"Authorization: Bearer \xff\xfe",
        b"Authorization: Bearer hf_\xff\xfeabcdef123456",
        b"X-Api-Key: \xff\xfe\xfd",
        b"X-Api-Key: caf\xc3\xa9-key",
    ],
    ids=["bearer ff fe", "bearer hf_ with bytes", "x-api-key bytes", "x-api-key utf-8"],
)
async def test_credential_headers_that_are_not_ascii_text_are_401(
    header: bytes, with_key: bool, upstream: FakeRouter
) -> None:
    before = len(upstream.requests)
    kwargs = {"api_key": KEY} if with_key else {}
    async with served(provider="HuggingFaceAPI", **kwargs) as port:
        raw = _head(
            header,
            b"Content-Type: application/json",
            b"Content-Length: %d" % len(CHAT),
            b"Connection: close",
        )
        status, _, body = parse(await exchange(port, raw + CHAT))
        health, _, _ = parse(
            await exchange(
                port, _head(header, b"Connection: close", method=b"GET", path=b"/health")
            )
        )
    assert status == 401, body
    assert body["error"]["type"] == "authentication_error"
    assert body["error"]["code"] == "invalid_api_key"
    assert len(upstream.requests) == before, "a request with an unusable key reached a provider"
    assert health == 200  # the health check never looks at credentials


async def _expect(port: int, head: bytes) -> tuple[bytes, bytes]:
    """Send a head with ``Expect: 100-continue``; return (first answer bytes, the rest)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head)
        await writer.drain()
        first = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        if first.startswith(b"HTTP/1.1 100"):
            writer.write(CHAT)
            await writer.drain()
        rest = await asyncio.wait_for(reader.read(), 15)
        return first, rest
    finally:
        writer.close()


@pytest.mark.parametrize(
    ("extra", "status", "code"),
    [
        ([b"Authorization: Bearer " + KEY.encode(), b"Content-Length: 99999999"], 413, None),
        ([b"Content-Length: %d" % len(CHAT)], 401, "missing_api_key"),
        ([b"Authorization: Bearer wrong-key-123", b"Content-Length: 10"], 401, "invalid_api_key"),
    ],
    ids=["oversized", "no key", "wrong key"],
)
async def test_expect_100_continue_is_refused_before_continuing(
    extra: list[bytes], status: int, code: str | None, upstream: FakeRouter
) -> None:
    before = len(upstream.requests)
    async with served(api_key=KEY, provider="HuggingFaceAPI", max_body=64 * 1024) as port:
        for path in (b"/v1/chat/completions", b"/v1/images/generations", b"/v1/media/generations"):
            head = _head(b"Expect: 100-continue", *extra, path=path)
            started = time.monotonic()
            first, rest = await _expect(port, head)
            # Closed right after the refusal: no lingering wait for a body never invited.
            assert time.monotonic() - started < 3
            assert not first.startswith(b"HTTP/1.1 100"), "100 Continue before the refusal"
            got, headers, body = parse(first + rest)
            assert got == status
            _assert_openai_error(body, status, code or "request_too_large")
            assert headers["connection"] == "close"
    assert len(upstream.requests) == before


async def test_expect_100_continue_for_an_acceptable_body_continues(upstream: FakeRouter) -> None:
    before = len(upstream.chat_bodies)
    async with served(api_key=KEY, provider="HuggingFaceAPI") as port:
        head = _head(
            b"Expect: 100-continue",
            b"Authorization: Bearer " + KEY.encode(),
            b"Content-Type: application/json",
            b"Content-Length: %d" % len(CHAT),
            b"Connection: close",
        )
        first, rest = await _expect(port, head)
    assert first.startswith(b"HTTP/1.1 100 Continue")
    status, _, body = parse(rest)
    assert status == 200 and body["choices"][0]["message"]["content"] == upstream.chat.content
    assert len(upstream.chat_bodies) == before + 1


def test_every_post_route_refuses_before_100_continue() -> None:
    """A POST route added later without the guard fails here (it would send 100 first)."""
    from aiohttp.web_urldispatcher import _default_expect_handler

    app = create_app()
    posts = [r for r in app.router.routes() if r.method == "POST"]
    assert posts
    for route in posts:
        assert route._expect_handler is not _default_expect_handler, route  # type: ignore[attr-defined]


async def test_unknown_expectation_is_417_json(upstream: FakeRouter) -> None:
    async with served(provider="HuggingFaceAPI") as port:
        raw = _head(b"Expect: something-else", b"Content-Length: 2", b"Connection: close")
        status, _, body = parse(await exchange(port, raw + b"{}"))
    assert status == 417
    _assert_openai_error(body, 417, "expectation_failed")


async def test_an_oversized_upload_reads_413_not_a_reset(upstream: FakeRouter) -> None:
    """Through the guarded server, a client still uploading past ``max_body`` (chunked, so
    nothing is known up front) reads the JSON 413; nothing reaches the provider."""
    import aiohttp

    limit = 64 * 1024
    before = len(upstream.requests)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"messages": [{"role": "user", "content": "'
        for _ in range(64):
            yield b"x" * 8192
        yield b'"}]}'

    async with served(provider="HuggingFaceAPI", max_body=limit) as port:
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"http://127.0.0.1:{port}/v1/chat/completions",
                data=chunks(),
                headers={"Content-Type": "application/json"},
            ) as response:
                assert response.status == 413
                body = await response.json()
    _assert_openai_error(body, 413, "request_too_large")
    assert len(upstream.requests) == before
