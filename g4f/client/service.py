"""Resolving what the caller asked for: provider, model and messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestError, ProviderNotWorkingError
from ..inputs import check_message_media, check_model_id
from ..typing import Messages

__all__ = ["resolve_provider", "normalize_messages", "provider_name"]


def provider_name(provider: Any) -> str:
    return getattr(provider, "__name__", None) or type(provider).__name__


def resolve_provider(provider: Any, default: Any = None) -> Any:
    """A provider class or retry-provider instance for ``provider`` (name, class, instance)."""
    if provider is None:
        provider = default
    if provider is None:
        from ..providers.any_provider import AnyProvider

        return AnyProvider
    if isinstance(provider, str):
        from ..Provider import get_provider

        provider = get_provider(provider)
    if not hasattr(provider, "create_async_generator"):
        raise InvalidRequestError(f"Not a provider: {provider!r}")
    if getattr(provider, "working", True) is False:
        raise ProviderNotWorkingError(
            f"{provider_name(provider)} is not working", provider=provider_name(provider)
        )
    return provider


def model_name(model: Any) -> str:
    """A model given as a string or a :class:`g4f.models.Model`, checked before any request.

    The name must be a public alias or a Hub model id (see :func:`g4f.inputs.check_model_id`).
    """
    if model is None:
        return ""
    name = model if isinstance(model, str) else getattr(model, "name", None)
    if not isinstance(name, str):
        raise InvalidRequestError(f"model must be a string, not {type(model).__name__}")
    from ..models import ModelUtils

    return check_model_id(name, ModelUtils.convert)


_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


def normalize_messages(messages: Any) -> Messages:
    """``messages`` as a list of dicts; a plain string becomes one user message."""
    if isinstance(messages, str):
        if not messages:
            raise InvalidRequestError("messages must not be empty")
        return [{"role": "user", "content": messages}]
    if not isinstance(messages, (list, tuple)) or not messages:
        raise InvalidRequestError(
            "messages must be a non-empty list of {role, content} objects or a string"
        )
    result: Messages = []
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping):
            raise InvalidRequestError(f"messages[{index}] must be an object with role and content")
        role = message.get("role")
        if not isinstance(role, str) or role not in _ROLES:
            raise InvalidRequestError(f"messages[{index}].role is invalid: {role!r}")
        content = message.get("content")
        if content is None and role != "assistant":
            raise InvalidRequestError(f"messages[{index}].content is missing")
        if content is not None and not isinstance(content, (str, list)):
            raise InvalidRequestError(
                f"messages[{index}].content must be a string or a list of parts"
            )
        result.append(dict(message))
    # Media URLs in messages are http(s) or data: only; a string never names a local file.
    check_message_media(result)
    return result
