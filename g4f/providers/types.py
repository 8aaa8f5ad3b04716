"""Protocol-level names shared by providers and the framework (gpt4free's module).

``BaseProvider`` is the base class of every provider (defined in
:mod:`g4f.providers.base_provider`, re-exported here where gpt4free code imports it);
``BaseRetryProvider`` is the base of the providers that try others in turn.
"""

from __future__ import annotations

from typing import Any, ClassVar, Union

from .base_provider import BaseProvider

__all__ = ["BaseProvider", "BaseRetryProvider", "ProviderType", "ProviderLike", "Streaming"]


class BaseRetryProvider(BaseProvider):
    """Base of the providers that try a list of providers (``IterListProvider``...)."""

    __name__: ClassVar[str] = "RetryProvider"
    supports_stream: ClassVar[bool] = True
    #: The provider that answered the last call (set on instances).
    last_provider: Any = None


#: A provider class (providers are used through classmethods) or a retry provider instance.
ProviderType = Union[type[BaseProvider], BaseRetryProvider, type]
#: What users may pass as ``provider=``: a class, an instance, or a registered name.
ProviderLike = Union[type, str, Any]


class Streaming:
    """gpt4free's wrapper of one streamed text piece: ``str()`` gives the text."""

    def __init__(self, data: str) -> None:
        self.data = data

    def __str__(self) -> str:
        return self.data

    def __repr__(self) -> str:
        return f"Streaming({self.data!r})"
