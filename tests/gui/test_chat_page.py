"""The chat page in a real headless Chromium (Debian's, driven over CDP by Playwright).

Each test loads ``/chat/`` from ``create_app`` on a loopback port with the mock providers,
acts as a person would, and checks what the providers received. Every request the page
makes is recorded: none may leave the server's origin. Screenshots are written to
``test-artifacts/gui/`` (or ``$G4F_TEST_ARTIFACTS/gui``).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.api import providers as mocks

CHROMIUM = os.environ.get("G4F_BROWSER_EXECUTABLE_PATH") or shutil.which("chromium")
ARTIFACTS = (
    Path(
        os.environ.get("G4F_TEST_ARTIFACTS")
        or Path(__file__).resolve().parents[2] / "test-artifacts"
    )
    / "gui"
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (Debian package 'chromium'; .ci/run installs it)"
)

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class Page:
    """A browser tab on the served page, with every request it made."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        self.dialogs: list[str] = []
        page.on("dialog", lambda dialog: self.dialogs.append(dialog.message))

    async def wait(self, script: str, timeout: float = 10.0) -> Any:
        """Poll a JS expression until truthy (no fixed sleeps)."""
        # A function, not a bare expression: Playwright evals bare expressions in the page,
        # which the page's Content-Security-Policy (no 'unsafe-eval') rightly refuses.
        handle = await self.page.wait_for_function(f"() => ({script})", timeout=timeout * 1000)
        return await handle.json_value()

    async def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not url.startswith((self.base, "data:", "blob:"))]


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Page]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = await browser.new_context(accept_downloads=True)
            page = Page(await context.new_page(), url)
            await page.page.goto(url + "/chat/")
            yield page
        finally:
            await browser.close()


async def choose(page: Page, model: str) -> None:
    await page.wait(
        f"[...document.querySelectorAll('#model option')].some(o => o.value === {json.dumps(model)})"
    )
    await page.page.select_option("#model", model)


async def ask(page: Page, text: str) -> None:
    await page.page.fill("#prompt", text)
    await page.page.press("#prompt", "Enter")


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = zlib.compress(b"\x00\xff\x00\x00" * 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


LAST_ANSWER = "(() => { const a = [...document.querySelectorAll('article.assistant .content')].pop(); return a ? a.textContent : ''; })()"


async def test_pick_send_stream_stop_upload_reload(start, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(mocks.SlowProvider, "ticks", 6)
    monkeypatch.setattr(mocks.SlowProvider, "delay", 0.15)
    async with start() as (url, _runner), opened(url) as page:
        groups = await page.wait(
            "[...document.querySelectorAll('#model optgroup')].map(g => g.label).join(',')"
        )
        assert groups.split(",")[:3] == ["Chat", "Image", "Video"]

        # Send with Enter; the answer streams in (several partial renders are seen).
        await choose(page, "slow")
        await ask(page, "count for me")
        seen = set()
        for _ in range(200):
            text = await page.page.evaluate(LAST_ANSWER)
            seen.add(text)
            if "tick5" in text:
                break
            await page.page.wait_for_timeout(25)
        partial = {t for t in seen if t and "tick5" not in t}
        assert len(partial) >= 2, seen  # it grew token by token, not all at once
        assert mocks.SlowProvider.last["messages"][-1]["content"] == "count for me"
        await page.shot("streamed")

        # Shift+Enter is a new line, not a send.
        calls = mocks.SlowProvider.calls
        await page.page.fill("#prompt", "line one")
        await page.page.press("#prompt", "Shift+Enter")
        await page.page.type("#prompt", "line two")
        assert await page.page.input_value("#prompt") == "line one\nline two"
        assert mocks.SlowProvider.calls == calls

        # Stop mid-stream: the page says so and the provider's stream is closed upstream.
        monkeypatch.setattr(mocks.SlowProvider, "ticks", 200)
        monkeypatch.setattr(mocks.SlowProvider, "delay", 0.1)
        await page.page.fill("#prompt", "long count")
        await page.page.press("#prompt", "Enter")
        await page.wait(
            "document.querySelector('#stop') && !document.querySelector('#stop').disabled"
        )
        await page.wait(f"{LAST_ANSWER}.includes('tick1')")
        await page.page.click("#stop")
        await page.wait(
            "[...document.querySelectorAll('article.assistant')].pop().textContent.includes('(stopped)')"
        )
        for _ in range(100):
            if mocks.SlowProvider.closed:
                break
            await asyncio.sleep(0.05)
        assert mocks.SlowProvider.closed, "the upstream stream was not cancelled"
        assert mocks.SlowProvider.sent < 200
        await page.shot("stopped")

        # Upload an image for a vision request: the provider receives it as a data: URI.
        await choose(page, "echo")
        image = tmp_path / "dot.png"
        image.write_bytes(png())
        await page.page.set_input_files("#image", str(image))
        await page.wait("document.querySelector('#attachment').textContent.includes('dot.png')")
        await ask(page, "what is this?")
        await page.wait("document.querySelectorAll('article.user img').length >= 1")
        await page.wait(f"{LAST_ANSWER}.includes('what is this?')")
        content = mocks.EchoProvider.last["messages"][-1]["content"]
        assert content[0] == {"type": "text", "text": "what is this?"}
        assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")

        # Reload: the conversations are still listed and open again.
        await page.page.reload()
        titles = await page.wait(
            "document.querySelectorAll('#conversations li').length ? [...document.querySelectorAll('#conversations button.open')].map(b => b.textContent) : null"
        )
        assert "count for me" in titles
        await page.page.get_by_role("button", name="count for me", exact=True).click()
        await page.wait("document.querySelector('#messages').textContent.includes('tick5')")
        assert "what is this?" in await page.page.evaluate(
            "document.querySelector('#messages').textContent"
        )
        await page.shot("reloaded")
        assert page.foreign() == [], page.foreign()


async def test_markdown_code_reasoning_media_and_no_script(start) -> None:
    async with start() as (url, _runner), opened(url) as page:
        await choose(page, "echo")
        await ask(
            page,
            '**bold** `x` <img src=x onerror="window.__pwned=1"> '
            "<script>window.__pwned=2</script>\n\n```python\ndef f():\n    return 1\n```",
        )
        await page.wait("document.querySelector('article.assistant pre code.hljs')")
        html = await page.page.evaluate(
            "[...document.querySelectorAll('article.assistant .content')].pop().innerHTML"
        )
        assert "<strong>bold</strong>" in html
        assert "<img" not in html and "<script" not in html
        assert await page.page.evaluate("window.__pwned") is None

        await choose(page, "thinker")
        await ask(page, "why")
        await page.wait("document.querySelector('article.assistant details.reasoning')")
        assert (
            await page.page.evaluate(
                "[...document.querySelectorAll('details.reasoning')].pop().open"
            )
            is False
        )
        assert "Let me think about why" in await page.page.evaluate(
            "[...document.querySelectorAll('details.reasoning')].pop().textContent"
        )

        await choose(page, "mock-image")
        await ask(page, "a red square")
        src = await page.wait(
            "(() => { const i = [...document.querySelectorAll('article.assistant img')].pop(); return i && i.src; })()"
        )
        assert src.startswith("data:image/png;base64,")
        assert mocks.ImageProvider.last["prompt"] == "a red square"

        await choose(page, "mock-video")
        await ask(page, "waves")
        await page.wait("document.querySelector('article.assistant video')")
        await page.shot("media")

        # Regenerate asks again and replaces the answer.
        await choose(page, "echo")
        await ask(page, "again please")
        await page.wait(f"{LAST_ANSWER}.includes('again please')")
        calls = mocks.EchoProvider.calls
        await page.page.click("#regenerate")
        for _ in range(100):
            if mocks.EchoProvider.calls > calls:
                break
            await asyncio.sleep(0.05)
        assert mocks.EchoProvider.calls == calls + 1
        await page.wait("!document.querySelector('#send').disabled")
        # The regenerated answer replaces the old one (rendered on the next frame).
        await page.wait(f"{LAST_ANSWER}.includes('again please')")
        answers = await page.page.evaluate(
            "[...document.querySelectorAll('article.assistant .content')].map(a => a.textContent)"
        )
        assert sum("again please" in a for a in answers) == 1

        # Export as JSON and Markdown.
        async with page.page.expect_download() as info:
            await page.page.click("#export-json")
        data = json.loads(Path(await (await info.value).path()).read_text())
        assert data["messages"][-1]["content"].endswith("again please")
        async with page.page.expect_download() as info:
            await page.page.click("#export-md")
        assert "again please" in Path(await (await info.value).path()).read_text()
        assert page.dialogs == []
        assert page.foreign() == [], page.foreign()


async def test_errors_name_the_provider_and_the_key_is_asked_for(start) -> None:
    async with start(api_key="sk-page-key") as (url, _runner), opened(url) as page:
        await page.wait("document.querySelector('#key-dialog').open")
        await page.page.fill("#key-input", "sk-page-key")
        await page.page.click("#key-save")
        await choose(page, "shared-model")
        await ask(page, "hello")
        message = await page.wait(
            "(() => { const e = document.querySelector('article.assistant .error'); return e && e.textContent; })()"
        )
        assert "BrokenAuth" in message
        assert mocks.SECRET not in message
        await page.shot("error")


async def test_accessible_names_and_contrast(start) -> None:
    async with start() as (url, _runner), opened(url) as page:
        await page.wait("document.querySelectorAll('#model option').length > 0")
        unnamed = await page.page.evaluate(
            """[...document.querySelectorAll('button, select, textarea, input')].filter(el => {
                 const labelled = el.labels && el.labels.length;
                 const aria = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
                 return !(labelled || aria || el.textContent.trim());
               }).map(el => el.outerHTML)"""
        )
        assert unnamed == []
        ratios = await page.page.evaluate(
            """(() => {
              const lum = (c) => { const v = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(x => {
                x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
                return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
              const bg = (el) => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
                if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; } return 'rgb(255,255,255)'; };
              return [...document.querySelectorAll('h1, h2, label, button, select, textarea, p, .meta')]
                .filter(el => el.offsetParent !== null)
                .map(el => { const a = lum(getComputedStyle(el).color), b = lum(bg(el));
                  return [el.tagName + '#' + el.id, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
            })()"""
        )
        low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
        assert ratios and low == []
        csp = (await page.page.request.get(url + "/chat/")).headers["content-security-policy"]
        assert "default-src 'none'" in csp and "connect-src 'self'" in csp
        await page.shot("page")
