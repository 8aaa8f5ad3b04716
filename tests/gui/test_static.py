"""``/chat/`` serves exactly the packaged page files, without the key, and nothing else."""

from __future__ import annotations

import aiohttp
import pytest

from g4f.gui import STATIC_DIR, static_files


async def test_page_files_are_served_with_their_types_and_policy(start) -> None:
    async with start(api_key="sk-static") as (url, _), aiohttp.ClientSession() as http:
        async with http.get(url + "/chat", allow_redirects=False) as response:
            assert response.status == 301
            assert response.headers["Location"] == "/chat/"
        async with http.get(url + "/chat/") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/html")
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            page = await response.text()
        for name in ("app.js", "style.css", "vendor/marked.js", "vendor/purify.min.js"):
            assert name in page
            async with http.get(f"{url}/chat/{name}") as response:
                assert response.status == 200, name
                assert await response.read() == (STATIC_DIR / name).read_bytes()
        # The page loads without the key; the API behind it does not.
        async with http.get(url + "/v1/models") as response:
            assert response.status == 401


@pytest.mark.parametrize(
    "path",
    [
        "/chat/../pyproject.toml",
        "/chat/%2e%2e/%2e%2e/pyproject.toml",
        "/chat/vendor/../../__init__.py",
        "/chat/..%2f__init__.py",
        "/chat/vendor/marked.LICENSE.md",  # shipped, but not a page file type
        "/chat/app.js/",
        "/chat//etc/passwd",
        "/chat/%00",
    ],
)
async def test_nothing_else_is_reachable(start, path: str) -> None:
    async with start(api_key="sk-static") as (url, _), aiohttp.ClientSession() as http:
        async with http.get(url + path) as response:
            assert response.status in (401, 404), (path, response.status)
            assert b"import" not in await response.read()


def test_the_table_holds_only_page_files() -> None:
    files = static_files()
    assert {"index.html", "app.js", "style.css"} <= set(files)
    assert all(path.suffix in (".html", ".js", ".css") for path in files.values())
    assert all(STATIC_DIR in path.parents for path in files.values())
