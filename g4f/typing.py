"""Type aliases shared by the package."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Union

__all__ = ["Message", "Messages", "MediaItem", "MediaListType", "AsyncResult", "CreateResult"]

Message = dict[str, Any]
Messages = list[Message]
#: ``(data, filename)`` where data is bytes, a path, a URL or a ``data:`` URI.
MediaItem = tuple[Union[bytes, str], Union[str, None]]
MediaListType = list[MediaItem]
AsyncResult = AsyncIterator[Any]
CreateResult = Iterator[Any]
