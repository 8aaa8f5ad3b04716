"""Protocol-level names shared by providers and the framework."""

from __future__ import annotations

from typing import Any, Union

__all__ = ["ProviderType", "ProviderLike"]

#: A provider class (providers are used through classmethods).
ProviderType = type
#: What users may pass as ``provider=``: a class or a registered name.
ProviderLike = Union[type, str, Any]
