"""Text generation on hf-inference (TGI): request parameters and the answer parser.

A non-stream answer (``[{"generated_text", "details"?}]``) is read as one stream
event, so both paths go through :class:`TgiParser`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ...errors import ResponseError, error_from_payload
from ...providers.response import FinishReason, Usage
from ._api_parser import map_finish_reason

__all__ = ["TgiParser", "tgi_parameters", "completion_as_event"]

_SAMPLING = (
    "temperature",
    "top_p",
    "top_k",
    "repetition_penalty",
    "seed",
    "typical_p",
    "do_sample",
)


def tgi_parameters(
    max_tokens: int | None,
    model_type: str | None,
    stop: Any = None,
    extra_body: Mapping[str, Any] | None = None,
    **sampling: Any,
) -> dict[str, Any]:
    """TGI ``parameters``: 1024 new tokens by default (512 for gpt2), details always asked."""
    max_new = max_tokens or 1024
    if model_type == "gpt2" and max_new >= 1024:
        max_new = 512
    parameters: dict[str, Any] = {
        "return_full_text": False,
        "max_new_tokens": max_new,
        "details": True,
    }
    for key in _SAMPLING:
        if sampling.get(key) is not None:
            parameters[key] = sampling[key]
    if stop:
        parameters["stop"] = [stop] if isinstance(stop, str) else list(stop)
    parameters.update(extra_body or {})
    return parameters


def completion_as_event(data: Any, provider: str) -> dict[str, Any]:
    """A non-stream TGI answer as one stream event (text in ``token``, ``details`` kept)."""
    if isinstance(data, Mapping) and data.get("error") is not None:
        raise error_from_payload(data, provider=provider)
    item = data[0] if isinstance(data, list) and data else data
    if not isinstance(item, Mapping) or not isinstance(item.get("generated_text"), str):
        raise ResponseError(
            f"{provider}: unexpected text-generation answer: {str(data)[:120]!r}", provider=provider
        )
    return {
        "token": {"text": item["generated_text"], "special": False},
        "details": item.get("details"),
    }


class TgiParser:
    """TGI events → text (special tokens hidden), ``Usage`` and ``FinishReason``.

    The first text is left-stripped unless the caller continues a turn.
    """

    def __init__(self, do_continue: bool = False) -> None:
        self._strip = not do_continue
        self._special_seen = False
        self._finished = False
        self._recognised = False

    def feed(self, event: Mapping[str, Any]) -> Iterator[Any]:
        """Typed chunks for one TGI event (a token, and the final ``details``)."""
        token = event.get("token") if isinstance(event, Mapping) else None
        if isinstance(token, Mapping):
            self._recognised = True
            if token.get("special"):
                self._special_seen = True
            else:
                text = str(token.get("text") or "")
                if self._strip:
                    text = text.lstrip()
                if text:
                    self._strip = False
                    yield text
        details = event.get("details") if isinstance(event, Mapping) else None
        if isinstance(details, Mapping):
            self._recognised = True
            yield from self._finish(details)

    def close(self) -> Iterator[Any]:
        """The finish reason of a stream that ended without ``details``.

        A stream in which no event was a TGI token is a :class:`ResponseError`.
        """
        if not self._recognised:
            raise ResponseError("the stream held no text-generation token")
        if not self._finished:
            self._finished = True
            yield FinishReason("stop" if self._special_seen else "length")

    def _finish(self, details: Mapping[str, Any]) -> Iterator[Any]:
        if self._finished:
            return
        self._finished = True
        generated = details.get("generated_tokens")
        if isinstance(generated, int):
            yield Usage(prompt_tokens=details.get("input_length") or 0, completion_tokens=generated)
        reason = details.get("finish_reason")
        if reason:
            yield FinishReason(map_finish_reason(str(reason)))
        else:
            yield FinishReason("stop" if self._special_seen else "length")
