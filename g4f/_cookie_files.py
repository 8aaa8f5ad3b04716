"""Parsers for cookie exports: HAR files and browser-extension JSON files."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .debug import logger

__all__ = ["parse_har", "parse_cookie_json", "load_cookie_dir"]

CookieMap = dict[str, dict[str, str]]


def _domain(value: str) -> str:
    return value.lstrip(".").lower()


def parse_har(data: Any) -> CookieMap:
    """Request cookies per host from a HAR document (``log.entries[].request.cookies``)."""
    found: CookieMap = {}
    entries = data.get("log", {}).get("entries", []) if isinstance(data, Mapping) else []
    if not isinstance(entries, list):
        return found
    for entry in entries:
        request = entry.get("request") if isinstance(entry, Mapping) else None
        if not isinstance(request, Mapping):
            continue
        host = urlsplit(str(request.get("url", ""))).hostname
        cookies = request.get("cookies")
        if not host or not isinstance(cookies, list):
            continue
        bucket = found.setdefault(_domain(host), {})
        for cookie in cookies:
            if isinstance(cookie, Mapping) and isinstance(cookie.get("name"), str):
                bucket[cookie["name"]] = str(cookie.get("value", ""))
    return {k: v for k, v in found.items() if v}


def parse_cookie_json(data: Any) -> CookieMap:
    """Cookies per domain from a browser-extension export (a list of ``{domain, name, value}``)."""
    found: CookieMap = {}
    items: Iterable[Any] = data if isinstance(data, list) else []
    for cookie in items:
        if not isinstance(cookie, Mapping):
            continue
        domain, name = cookie.get("domain"), cookie.get("name")
        if isinstance(domain, str) and isinstance(name, str) and domain:
            found.setdefault(_domain(domain), {})[name] = str(cookie.get("value", ""))
    return found


def load_cookie_dir(dir_path: str) -> CookieMap:
    """Every cookie in the ``.har`` then ``.json`` files of ``dir_path`` (later files win)."""
    merged: CookieMap = {}
    try:
        names = sorted(os.listdir(dir_path))
    except OSError:
        return merged
    ordered = [n for n in names if n.endswith(".har")] + [
        n for n in names if n.endswith(".json") and not n.startswith("auth_")
    ]
    for name in ordered:
        try:
            with open(os.path.join(dir_path, name), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            logger.warning("Skipping cookie file %s: %s", name, type(exc).__name__)
            continue
        parsed = parse_har(data) if name.endswith(".har") else parse_cookie_json(data)
        for domain, values in parsed.items():
            merged.setdefault(domain, {}).update(values)
    return merged
