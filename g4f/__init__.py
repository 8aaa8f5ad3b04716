"""g4f: one OpenAI-shaped interface over the Hugging Face chat and media services.

Importing ``g4f`` is cheap: submodules (``g4f.client``, ``g4f.Provider``...) load on
first use, and nothing touches the network or disk at import.
"""

from __future__ import annotations

import importlib
from typing import Any

from .version import __version__

__all__ = [
    "__version__",
    "ChatCompletion",
    "get_cookies",
    "set_cookies",
    "Provider",
    "models",
    "client",
]

_LAZY = {
    "ChatCompletion": ("g4f.client.legacy", "ChatCompletion"),
    "get_cookies": ("g4f.cookies", "get_cookies"),
    "set_cookies": ("g4f.cookies", "set_cookies"),
    "Provider": ("g4f.Provider", None),
    "models": ("g4f.models", None),
    "client": ("g4f.client", None),
    "errors": ("g4f.errors", None),
    "debug": ("g4f.debug", None),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'g4f' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value
