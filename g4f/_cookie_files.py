"""Parsers for cookie exports: HAR files and browser-extension JSON files."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .debug import logger

__all__ = ["parse_har", "parse_cookie_json", "load_cookie_dir", "cookie_files", "dir_signature"]

CookieMap = dict[str, dict[str, str]]


def _domain(value: str) -> str:
    return value.lstrip(".").lower()


def _header_cookies(headers: Any) -> dict[str, str]:
    """Cookies of a ``Cookie`` request header in a HAR ``headers`` list."""
    found: dict[str, str] = {}
    if not isinstance(headers, list):
        return found
    for header in headers:
        if not isinstance(header, Mapping) or str(header.get("name", "")).lower() != "cookie":
            continue
        for pair in str(header.get("value", "")).split(";"):
            name, sep, value = pair.strip().partition("=")
            if sep and name:
                found[name] = value
    return found


def parse_har(data: Any) -> CookieMap:
    """Request cookies per host from a HAR document.

    Reads ``log.entries[].request.cookies``, and the ``Cookie`` request header for
    exporters that leave that list empty. Later entries win.
    """
    found: CookieMap = {}
    log = data.get("log") if isinstance(data, Mapping) else None
    entries = log.get("entries") if isinstance(log, Mapping) else None
    if not isinstance(entries, list):
        return found
    for entry in entries:
        request = entry.get("request") if isinstance(entry, Mapping) else None
        if not isinstance(request, Mapping):
            continue
        try:
            host = urlsplit(str(request.get("url", ""))).hostname
        except ValueError:  # e.g. a broken IPv6 literal
            continue
        if not host:
            continue
        cookies = _header_cookies(request.get("headers"))
        listed = request.get("cookies")
        for cookie in listed if isinstance(listed, list) else []:
            if isinstance(cookie, Mapping) and isinstance(cookie.get("name"), str):
                cookies[cookie["name"]] = str(cookie.get("value", ""))
        if cookies:
            found.setdefault(_domain(host), {}).update(cookies)
    return found


def _expired(cookie: Mapping[str, Any], now: float) -> bool:
    expiry = cookie.get("expirationDate", cookie.get("expires"))
    return isinstance(expiry, (int, float)) and not cookie.get("session") and 0 < expiry < now


def parse_cookie_json(data: Any) -> CookieMap:
    """Cookies per domain from a browser-extension export.

    The export is a list of ``{domain, name, value, ...}`` objects (EditThisCookie,
    Cookie-Editor), or an object holding that list under ``cookies``. Domains are
    normalised (``.huggingface.co`` → ``huggingface.co``); expired cookies are skipped.
    """
    found: CookieMap = {}
    if isinstance(data, Mapping):
        data = data.get("cookies")
    items: Iterable[Any] = data if isinstance(data, list) else []
    now = time.time()
    for cookie in items:
        if not isinstance(cookie, Mapping) or _expired(cookie, now):
            continue
        domain, name = cookie.get("domain"), cookie.get("name")
        if isinstance(domain, str) and isinstance(name, str) and domain and name:
            found.setdefault(_domain(domain), {})[name] = str(cookie.get("value", ""))
    return found


def cookie_files(dir_path: str) -> list[str]:
    """Names of the cookie exports in ``dir_path``: ``.har`` files, then ``.json`` files.

    Provider auth caches (``auth_*.json``) are not cookie exports.
    """
    try:
        names = sorted(os.listdir(dir_path))
    except OSError:
        return []
    return [n for n in names if n.endswith(".har")] + [
        n for n in names if n.endswith(".json") and not n.startswith("auth_")
    ]


def dir_signature(dir_path: str) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the cookie exports (to notice changes)."""
    signature = []
    for name in cookie_files(dir_path):
        try:
            stat = os.stat(os.path.join(dir_path, name))
        except OSError:
            continue
        signature.append((name, stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


def load_cookie_dir(dir_path: str) -> CookieMap:
    """Every cookie in the ``.har`` then ``.json`` files of ``dir_path`` (later files win).

    A file that cannot be read or parsed is reported by name and skipped.
    """
    merged: CookieMap = {}
    for name in cookie_files(dir_path):
        try:
            with open(os.path.join(dir_path, name), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, RecursionError) as exc:
            logger.warning("Skipping cookie file %s: %s", name, type(exc).__name__)
            continue
        parsed = parse_har(data) if name.endswith(".har") else parse_cookie_json(data)
        if not parsed:
            logger.debug("No cookies found in %s", name)
        for domain, values in parsed.items():
            merged.setdefault(domain, {}).update(values)
    return merged
