"""The chat page: static files shipped inside the package, served by ``g4f api`` at ``/chat/``.

Nothing here is built at install time. The browser libraries in ``static/vendor/`` are
pinned in ``gui/package.json`` at the repository root and copied by
``npm ci --prefix gui && npm run --prefix gui vendor``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["STATIC_DIR", "static_files", "CONTENT_TYPES"]

STATIC_DIR = Path(__file__).resolve().parent / "static"

#: The only file types the page is made of (anything else in the folder is not served).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def static_files() -> dict[str, Path]:
    """URL path under ``/chat/`` → file, for every servable file (listed once, at startup).

    Serving by exact name from this table (never by joining a requested path) is what
    keeps ``/chat/../`` and friends from reaching any other file.
    """
    files: dict[str, Path] = {}
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file() and path.suffix in CONTENT_TYPES and not path.is_symlink():
            files[path.relative_to(STATIC_DIR).as_posix()] = path
    return files
