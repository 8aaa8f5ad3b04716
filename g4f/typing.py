"""Type aliases shared by the package."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any, BinaryIO, Union

__all__ = ["Message", "Messages", "MediaItem", "MediaListType", "AsyncResult", "CreateResult"]

Message = dict[str, Any]
Messages = list[Message]
#: ``(data, filename)``: data is bytes, a binary file object, a ``pathlib.Path`` (a local
#: file), or a string that is an http(s) URL or a ``data:`` URI, never a file name.
MediaItem = tuple[Union[bytes, BinaryIO, "os.PathLike[str]", str], Union[str, None]]
MediaListType = list[MediaItem]
AsyncResult = AsyncIterator[Any]
CreateResult = Iterator[Any]
