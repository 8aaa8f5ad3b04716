"""``/chat/``: the chat page's static files, with a strict Content-Security-Policy.

The page needs no key to load (it asks for one when the API answers 401); every API call
it makes goes through the same key check as any other client.
"""

from __future__ import annotations

from aiohttp import web

__all__ = ["register_gui", "GUI_PREFIX", "is_gui_path"]

GUI_PREFIX = "/chat"

#: The page loads only its own files and talks only to this server. Generated media may
#: come from the provider's host, so img/media allow http(s); model text cannot add
#: images (the page's sanitizer forbids them).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data: blob: http: https:; media-src 'self' data: blob: http: https:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def is_gui_path(request: web.Request) -> bool:
    """A GET of the page or one of its files (open without the server key)."""
    return request.method in ("GET", "HEAD") and (
        request.path == GUI_PREFIX or request.path.startswith(GUI_PREFIX + "/")
    )


def register_gui(app: web.Application) -> None:
    """Add the page's routes; the file table is read once, here."""
    from ..gui import CONTENT_TYPES, static_files

    files = {
        name: (path.read_bytes(), CONTENT_TYPES[path.suffix])
        for name, path in static_files().items()
    }

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(GUI_PREFIX + "/")

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name") or "index.html"
        found = files.get(name)
        if found is None:
            raise web.HTTPNotFound()
        body, content_type = found
        return web.Response(body=body, headers={**_HEADERS, "Content-Type": content_type})

    app.router.add_get(GUI_PREFIX, redirect)
    app.router.add_get(GUI_PREFIX + "/", serve)
    app.router.add_get(GUI_PREFIX + "/{name:.+}", serve)
