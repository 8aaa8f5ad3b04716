"""Files sent with a HuggingChat message: their real type, chat-ui's hash, the form parts.

chat-ui keeps the type a part is sent with and, at generation, uses only images
(``image/*``, for multimodal models) and text documents (``text/*``,
``application/json``, ``application/xml``, ``application/csv``); anything else is
dropped without a word (``textGeneration/utils/prepareFiles.ts``,
``constants/mime.ts``). So each part is sent with the type sniffed from its bytes,
text documents as ``text/*``, and files chat-ui would drop are refused here.

A file already uploaded to a conversation is sent again as its hash (a ``hash;name``
part): chat-ui stores uploads under ``{conversation}-{sha256 of the file's text}``
(``files/uploadFile.ts``) and reads them back by that name.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ....errors import InvalidRequestError
from ....inputs import media_input
from ....requests import FormFile
from ....typing import Messages

__all__ = ["Upload", "collect_uploads", "sniff_mime", "chatui_sha", "file_parts", "MAX_FILE_BYTES"]

_PROVIDER = "HuggingChat"
#: chat-ui refuses larger uploads (413, ``conversation/[id]/+server.ts``).
MAX_FILE_BYTES = 10 * 1024 * 1024
_TEXT_TYPES = ("application/json", "application/xml", "application/csv")
_TEXT_EXTENSIONS = {
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".py": "text/x-python",
    ".ts": "text/plain",
    ".yaml": "text/yaml",
    ".yml": "text/yaml",
}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"\\/]')


@dataclass(frozen=True)
class Upload:
    """One file to send: display name, sniffed type, bytes and chat-ui's hash of them."""

    name: str
    mime: str
    data: bytes

    @property
    def sha(self) -> str:
        return chatui_sha(self.data)

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def chatui_sha(data: bytes) -> str:
    """The hash chat-ui names an upload by: SHA-256 of the file read as UTF-8 text.

    ``uploadFile.ts`` hashes ``await file.text()``: invalid sequences become U+FFFD
    and a leading byte order mark is dropped, so binary files hash differently from
    ``sha256(bytes)``.
    """
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text_of(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def sniff_mime(data: bytes, name: str = "", declared: str | None = None) -> str:
    """The type of ``data``: magic bytes first, then text (by extension), then what was declared."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    text = _text_of(data)
    if text is not None:
        start = text.lstrip()[:1000].lower()
        if start.startswith("<svg") or (start.startswith("<?xml") and "<svg" in start):
            return "image/svg+xml"
        ext = os.path.splitext(name.lower())[1]
        guessed = _TEXT_EXTENSIONS.get(ext) or mimetypes.guess_type(name)[0] or ""
        if guessed.startswith("text/") or guessed in _TEXT_TYPES:
            return guessed
        if declared and (declared.startswith("text/") or declared in _TEXT_TYPES):
            return declared
        return "text/plain"
    return declared or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _usable(mime: str) -> bool:
    # What prepareFiles.ts passes to the model (images; text documents by the allowlist).
    return mime.startswith(("image/", "text/")) or mime in _TEXT_TYPES


def _decode_data_uri(text: str) -> tuple[bytes, str]:
    header, _, payload = text.partition(",")
    declared = header[5:].split(";", 1)[0] or ""
    if ";base64" not in header:
        from urllib.parse import unquote_to_bytes

        return unquote_to_bytes(payload), declared
    try:
        return base64.b64decode(payload, validate=True), declared
    except (binascii.Error, ValueError):
        raise InvalidRequestError(
            f"{_PROVIDER}: a data: URI holds invalid base64", provider=_PROVIDER
        ) from None


def _item_bytes(data: Any) -> tuple[bytes, str, str]:
    """``(bytes, name found, declared type)`` of one media item.

    Bytes, file objects and ``pathlib.Path`` are read through :func:`g4f.inputs.media_input`
    (the one place a local file is read); a string is a ``data:`` URI or refused: a string
    from a message is never a file name.
    """
    if isinstance(data, str):
        if data.startswith("data:"):
            raw, declared = _decode_data_uri(data)
            return raw, "", declared
        if data.startswith(("http://", "https://")):
            raise InvalidRequestError(
                f"{_PROVIDER}: files are uploaded, not linked; pass bytes, a file or a data: URI",
                provider=_PROVIDER,
            )
        raise InvalidRequestError(
            f"{_PROVIDER}: media is neither bytes, a file nor a data: URI", provider=_PROVIDER
        )
    item = media_input(data)
    if item.data is None:
        raise InvalidRequestError(
            f"{_PROVIDER}: media is neither bytes, a file nor a data: URI", provider=_PROVIDER
        )
    return item.data, item.name or "", ""


def _message_items(messages: Messages) -> list[tuple[Any, str | None]]:
    """Image (``image_url``) and document (``file``) parts of the trailing user messages."""
    found: list[tuple[Any, str | None]] = []
    index = len(messages) - 1
    while index >= 0 and messages[index].get("role") == "user":
        content = messages[index].get("content")
        for part in content if isinstance(content, list) else []:
            if not isinstance(part, Mapping):
                continue
            if part.get("type") == "image_url":
                url = part.get("image_url")
                url = url.get("url") if isinstance(url, Mapping) else url
                if url:
                    found.append((url, None))
            elif part.get("type") == "file" and isinstance(part.get("file"), Mapping):
                file = part["file"]
                if file.get("file_data"):
                    found.append((file["file_data"], file.get("filename")))
        index -= 1
    return list(reversed(found))


def _clean_name(name: str, mime: str) -> str:
    name = _UNSAFE_NAME.sub("_", os.path.basename(name))[:200].strip()
    if name:
        return name
    stem = "image" if mime.startswith("image/") else "document"
    return stem + (mimetypes.guess_extension(mime) or ".bin")


def collect_uploads(media: Iterable[Any] | None, messages: Messages) -> list[Upload]:
    """The files of a turn (message parts first, then ``media``), typed and checked.

    Raises :class:`InvalidRequestError` for links, undecodable items, files over
    10 MiB and types HuggingChat would silently drop (PDF, archives, binaries).
    """
    items = _message_items(messages)
    for item in media or []:
        if isinstance(item, (tuple, list)):
            items.append((item[0], item[1] if len(item) > 1 else None))
        else:
            items.append((item, None))
    uploads = []
    for data, name in items:
        raw, found_name, declared = _item_bytes(data)
        name = str(name or found_name or "")
        mime = sniff_mime(raw, name, declared or None)
        shown = _clean_name(name, mime)
        if not raw:
            raise InvalidRequestError(f"{_PROVIDER}: {shown} is empty", provider=_PROVIDER)
        if len(raw) > MAX_FILE_BYTES:
            raise InvalidRequestError(
                f"{_PROVIDER}: {shown} is larger than 10 MiB, the service's limit",
                provider=_PROVIDER,
            )
        if not _usable(mime):
            raise InvalidRequestError(
                f"{_PROVIDER}: {shown} is {mime}; HuggingChat reads only images and text "
                "documents (text/*, JSON, XML, CSV) and would drop it",
                provider=_PROVIDER,
            )
        uploads.append(Upload(shown, mime, raw))
    return uploads


def file_parts(uploads: Iterable[Upload], known: Iterable[str] = ()) -> list[FormFile]:
    """``files`` form parts: ``hash;name`` for files the conversation has, else ``base64;name``."""
    have = set(known)
    parts = []
    for upload in uploads:
        sha = upload.sha
        if sha in have:
            parts.append(FormFile("files", sha, f"hash;{upload.name}", upload.mime))
        else:
            value = base64.b64encode(upload.data).decode()
            parts.append(FormFile("files", value, f"base64;{upload.name}", upload.mime))
    return parts
