"""Type and range checks for request fields, each failing as a 400 that names the field.

Field paths follow OpenAI's ``param`` form: ``messages.[0].content.[1].text``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ._errors import ApiError

__all__ = [
    "bad",
    "join",
    "check_text",
    "optional_str",
    "optional_bool",
    "number",
    "integer",
    "enum",
    "obj",
    "scan",
]

#: A lone UTF-16 surrogate: JSON's ``\\udfff`` escape decodes to one, and no UTF-8
#: encoder (ours or a provider's) can send it.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: OpenAI's ``seed`` is a 64-bit signed integer.
INT64 = (-(2**63), 2**63 - 1)


def bad(message: str, param: str | None = None, code: str = "invalid_request") -> ApiError:
    """A 400 about the request body."""
    return ApiError(400, message, code=code, param=param)


def join(path: str, key: str | int) -> str:
    """``messages`` + ``0`` → ``messages.[0]``; ``function`` + ``name`` → ``function.name``."""
    part = f"[{key}]" if isinstance(key, int) else key
    return f"{path}.{part}" if path else part


def _shown(path: str) -> str:
    return path.replace(".[", "[")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def wrong_type(path: str, expected: str, value: Any) -> ApiError:
    return bad(f"Invalid type for '{_shown(path)}': expected {expected}, got {_kind(value)}", path)


def check_text(value: Any, path: str, *, max_length: int | None = None) -> str:
    """``value`` as a string (raises when it is anything else or too long)."""
    if not isinstance(value, str):
        raise wrong_type(path, "a string", value)
    if max_length is not None and len(value) > max_length:
        raise bad(f"'{_shown(path)}' is longer than {max_length} characters", path)
    return value


def optional_str(data: dict[str, Any], name: str, *, path: str = "", **kw: Any) -> str | None:
    """``data[name]`` as a string, ``None`` when absent, null or empty."""
    value = data.get(name)
    if value is None:
        return None
    return check_text(value, join(path, name), **kw) or None


def optional_bool(data: dict[str, Any], name: str, *, path: str = "") -> bool | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise wrong_type(join(path, name), "a boolean", value)
    return value


def number(
    data: dict[str, Any],
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    path: str = "",
) -> float | int | None:
    """A finite number in ``[low, high]`` (either bound optional), or ``None`` when absent."""
    value = data.get(name)
    if value is None:
        return None
    where = join(path, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise wrong_type(where, "a number", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise bad(f"'{_shown(where)}' must be a finite number, not {value}", where)
    _in_range(value, where, low, high)
    return value


def integer(
    data: dict[str, Any],
    name: str,
    low: int | None = None,
    high: int | None = None,
    *,
    path: str = "",
) -> int | None:
    """An integer in ``[low, high]``, or ``None`` when absent (``3.0`` is not an integer)."""
    value = data.get(name)
    if value is None:
        return None
    where = join(path, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(where, "an integer", value)
    _in_range(value, where, low, high)
    return value


def _in_range(value: float, where: str, low: float | None, high: float | None) -> None:
    # repr, cut short: a 4000-digit integer is valid JSON and cannot become a float.
    shown = repr(value)[:24]
    if low is not None and value < low:
        raise bad(f"'{_shown(where)}' must be at least {low}, got {shown}", where)
    if high is not None and value > high:
        raise bad(f"'{_shown(where)}' must be at most {high}, got {shown}", where)


def enum(
    data: dict[str, Any], name: str, choices: tuple[str, ...], *, path: str = ""
) -> str | None:
    """One of ``choices``, or ``None`` when absent."""
    value = data.get(name)
    if value is None:
        return None
    where = join(path, name)
    if not isinstance(value, str) or value not in choices:
        raise bad(
            f"Invalid value for '{_shown(where)}': expected one of {', '.join(choices)}", where
        )
    return value


def obj(value: Any, path: str) -> dict[str, Any]:
    """``value`` as a JSON object."""
    if not isinstance(value, dict):
        raise wrong_type(path, "an object", value)
    return value


def scan(data: Any) -> None:
    """Refuse a lone surrogate in any string or key and a non-finite number anywhere.

    Runs on the whole parsed body before any field is used, so nothing a provider could
    receive holds either (Python's JSON decoder accepts ``NaN``, ``Infinity`` and
    ``1e999``; a JSON encoder would send the bare token ``NaN``, and no UTF-8 encoder can
    send a surrogate). Iterative, so a deeply nested body cannot exhaust the stack.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise bad(
                    f"'{_shown(path)}' holds a lone surrogate (\\ud800-\\udfff), "
                    "which is not valid Unicode",
                    path or None,
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise bad(f"'{_shown(path)}' must be a finite number, not {value}", path or None)
        elif isinstance(value, dict):
            for key, item in value.items():
                where = join(path, key)
                if _SURROGATE.search(key):
                    raise bad(
                        f"A key of '{_shown(path) or 'the body'}' holds a lone surrogate",
                        path or None,
                    )
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend((join(path, index), item) for index, item in enumerate(value))
