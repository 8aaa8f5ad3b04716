"""Router tasks beyond chat and media: embeddings, speech recognition, text to speech.

Routes, as huggingface_hub's ``inference/_providers`` build them:

- feature-extraction on hf-inference (``hf_inference.py``, HFInferenceFeatureExtractionTask):
  ``POST {router}/hf-inference/models/{id}/pipeline/feature-extraction`` with
  ``{"inputs": str | [str], "normalize"?, "truncate"?, "prompt_name"?}`` (parameters at the
  root) → a vector per input (or a matrix of token vectors per input);
- feature-extraction on OpenAI-compatible providers (``together.py``
  TogetherFeatureExtractionTask, likewise scaleway, deepinfra):
  ``POST {router}/{provider}/v1/embeddings`` with ``{"input", "model": providerId}`` →
  ``{"data": [{"embedding"}]}``; the providers of a model come from the Hub's
  ``inferenceProviderMapping`` (task ``feature-extraction``);
- automatic-speech-recognition on hf-inference (HFInferenceBinaryInputTask): the audio
  bytes as the body (their own content type) to ``POST {router}/hf-inference/models/{id}``
  → ``{"text", "chunks"?: [{"text", "timestamp": [start, end]}]}``; with parameters the body
  is JSON ``{"inputs": base64, "parameters": {"return_timestamps": true}}``;
- text-to-speech on hf-inference (HFInferenceTask): ``{"inputs": text}`` to
  ``POST {router}/hf-inference/models/{id}`` → audio bytes with their content type.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ...config import hf_router_endpoint
from ...errors import InvalidRequestError, ModelNotFoundError, ResponseError
from ...inputs import join_url
from ._inference_hub import fetch_mapping
from ._media_run import live_entries, mapping_entries
from ._router import auth_headers, open_with_wait

__all__ = [
    "RouterTasks",
    "HF_INFERENCE",
    "embed",
    "transcribe",
    "synthesize",
    "Transcript",
]

HF_INFERENCE = "hf-inference"
#: Providers whose feature-extraction route is OpenAI's ``/v1/embeddings``.
OPENAI_EMBEDDING_PROVIDERS = ("together", "scaleway", "deepinfra", "nebius")


class Transcript(dict):
    """``{"text", "segments": [{"start", "end", "text"}]}`` of one recognised recording."""


def _split_provider(model: str) -> tuple[str, str | None]:
    """``"BAAI/bge-m3:together"`` → ``("BAAI/bge-m3", "together")``."""
    name, sep, provider = model.partition(":")
    return (name, provider) if sep and provider else (model, None)


def _vectors(data: Any, count: int, provider: str) -> list[list[float]]:
    """One vector per input from a feature-extraction answer (token matrices are mean-pooled)."""
    if count == 1 and isinstance(data, list) and data and isinstance(data[0], (int, float)):
        data = [data]
    if not isinstance(data, list) or len(data) != count:
        raise ResponseError(f"{provider}: expected {count} embeddings", provider=provider)
    vectors = []
    for item in data:
        if isinstance(item, list) and item and isinstance(item[0], list):
            # Token-level output (models without a pooling layer): mean over tokens, as
            # sentence-transformers' default pooling does.
            item = [sum(column) / len(item) for column in zip(*item, strict=True)]
        if not isinstance(item, list) or not all(isinstance(v, (int, float)) for v in item):
            raise ResponseError(
                f"{provider}: an embedding is not a list of numbers", provider=provider
            )
        if not all(math.isfinite(v) for v in item):
            raise ResponseError(
                f"{provider}: an embedding has a non-finite value", provider=provider
            )
        vectors.append([float(v) for v in item])
    return vectors


async def _mapped(session: Any, model: str, provider: str, token: str | None, task: str) -> str:
    """The provider's own id for ``model`` and ``task`` (the Hub's provider mapping)."""
    raw = await fetch_mapping(session, model, auth_headers(token))
    entry = live_entries(mapping_entries(raw)).get(provider)
    if not entry or entry.get("task") != task or not entry.get("providerId"):
        raise ModelNotFoundError(
            f"{provider} does not serve {model} for {task}", provider=HF_INFERENCE
        )
    return str(entry["providerId"])


async def embed(
    session: Any,
    model: str,
    inputs: Sequence[str],
    *,
    token: str | None,
    dimensions: int | None = None,
    timeout: float | None = None,
    bill_to: str | None = None,
) -> tuple[list[list[float]], str]:
    """Embeddings of ``inputs`` and the provider that made them."""
    model, provider = _split_provider(model)
    headers = auth_headers(token, bill_to, accept="application/json")
    if provider in (None, HF_INFERENCE):
        if dimensions is not None:
            raise InvalidRequestError(
                "dimensions is not supported on hf-inference; name an OpenAI-compatible "
                f"provider (model '{model}:together'...) whose model supports it"
            )
        url = join_url(
            hf_router_endpoint(),
            HF_INFERENCE,
            "models",
            *model.split("/"),
            "pipeline",
            "feature-extraction",
        )
        body: dict[str, Any] = {"inputs": list(inputs), "normalize": True, "truncate": True}
        async with open_with_wait(
            session, "POST", url, json=body, headers=headers, timeout=timeout
        ) as response:
            return _vectors(await response.json(), len(inputs), HF_INFERENCE), HF_INFERENCE
    if provider not in OPENAI_EMBEDDING_PROVIDERS:
        raise InvalidRequestError(
            f"embeddings through {provider!r} are not supported; use one of "
            f"{', '.join((HF_INFERENCE, *OPENAI_EMBEDDING_PROVIDERS))}"
        )
    provider_id = await _mapped(session, model, provider, token, "feature-extraction")
    body = {"input": list(inputs), "model": provider_id}
    if dimensions is not None:
        body["dimensions"] = dimensions
    url = join_url(hf_router_endpoint(), provider, "v1", "embeddings")
    async with open_with_wait(
        session, "POST", url, json=body, headers=headers, timeout=timeout
    ) as response:
        data = await response.json()
    items = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ResponseError(f"{provider}: no embeddings in the answer", provider=provider)
    ordered = sorted(
        items, key=lambda item: item.get("index", 0) if isinstance(item, Mapping) else 0
    )
    vectors = [item.get("embedding") if isinstance(item, Mapping) else None for item in ordered]
    return _vectors(vectors, len(inputs), provider), provider


async def transcribe(
    session: Any,
    model: str,
    audio: bytes,
    content_type: str,
    *,
    token: str | None,
    timestamps: bool = False,
    timeout: float | None = None,
) -> Transcript:
    """Text (and, with ``timestamps``, timed segments) of an audio recording."""
    model, provider = _split_provider(model)
    if provider not in (None, HF_INFERENCE):
        raise InvalidRequestError(f"speech recognition through {provider!r} is not supported")
    url = join_url(hf_router_endpoint(), HF_INFERENCE, "models", *model.split("/"))
    headers = auth_headers(token, accept="application/json")
    if timestamps:
        body: Any = {
            "inputs": base64.b64encode(audio).decode(),
            "parameters": {"return_timestamps": True},
        }
        request = {"json": body}
    else:
        headers["Content-Type"] = content_type or "application/octet-stream"
        request = {"data": audio}
    async with open_with_wait(
        session, "POST", url, headers=headers, timeout=timeout, **request
    ) as response:
        data = await response.json()
    if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
        raise ResponseError(f"{HF_INFERENCE}: no text in the transcription", provider=HF_INFERENCE)
    segments = []
    for chunk in data.get("chunks") or []:
        stamp = chunk.get("timestamp") if isinstance(chunk, Mapping) else None
        if isinstance(stamp, list) and len(stamp) == 2 and isinstance(chunk.get("text"), str):
            start, end = stamp
            segments.append(
                {
                    "start": float(start or 0),
                    "end": float(end if end is not None else start or 0),
                    "text": chunk["text"],
                }
            )
    return Transcript(text=data["text"], segments=segments)


async def synthesize(
    session: Any,
    model: str,
    text: str,
    *,
    token: str | None,
    timeout: float | None = None,
) -> tuple[bytes, str]:
    """Audio of ``text`` and its content type."""
    model, provider = _split_provider(model)
    if provider not in (None, HF_INFERENCE):
        raise InvalidRequestError(f"text to speech through {provider!r} is not supported")
    url = join_url(hf_router_endpoint(), HF_INFERENCE, "models", *model.split("/"))
    headers = auth_headers(token, accept="audio/*")
    async with open_with_wait(
        session, "POST", url, json={"inputs": text}, headers=headers, timeout=timeout
    ) as response:
        audio = await response.read()
        content_type = response.content_type
    if not audio or not content_type.startswith("audio/"):
        raise ResponseError(f"{HF_INFERENCE}: no audio in the answer", provider=HF_INFERENCE)
    return audio, content_type


def _resolve(model: str | None, aliases: Mapping[str, str], default: str) -> str:
    """An alias or Hub id (with an optional ``:provider``) → the Hub id to call."""
    if not model:
        return default
    name, provider = _split_provider(model)
    name = aliases.get(name, name)
    return f"{name}:{provider}" if provider else name


class RouterTasks:
    """Embeddings, speech recognition and text to speech for a router provider class
    (mixed into HuggingFaceInference; the class supplies ``open_session``)."""

    @classmethod
    async def create_embeddings(
        cls,
        model: str | None,
        inputs: Sequence[str],
        *,
        api_key: str | None = None,
        dimensions: int | None = None,
        bill_to: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> tuple[str, list[list[float]], str]:
        """``(model, vectors, provider)`` for ``inputs``."""
        from ...config import get_hf_token
        from ...model_tables import DEFAULT_EMBEDDING_MODEL, EMBEDDING_ALIASES

        model = _resolve(model, EMBEDDING_ALIASES, DEFAULT_EMBEDDING_MODEL)
        async with cls.open_session(timeout=timeout, **kwargs) as session:  # type: ignore[attr-defined]
            vectors, provider = await embed(
                session,
                model,
                inputs,
                token=get_hf_token(api_key),
                dimensions=dimensions,
                timeout=timeout,
                bill_to=bill_to,
            )
        return model, vectors, provider

    @classmethod
    async def create_transcription(
        cls,
        model: str | None,
        audio: bytes,
        content_type: str,
        *,
        api_key: str | None = None,
        timestamps: bool = False,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> tuple[str, Transcript]:
        """``(model, transcript)`` of ``audio``."""
        from ...config import get_hf_token
        from ...model_tables import DEFAULT_TRANSCRIPTION_MODEL, TRANSCRIPTION_ALIASES

        model = _resolve(model, TRANSCRIPTION_ALIASES, DEFAULT_TRANSCRIPTION_MODEL)
        async with cls.open_session(timeout=timeout, **kwargs) as session:  # type: ignore[attr-defined]
            transcript = await transcribe(
                session,
                model,
                audio,
                content_type,
                token=get_hf_token(api_key),
                timestamps=timestamps,
                timeout=timeout,
            )
        return model, transcript

    @classmethod
    async def create_speech(
        cls,
        model: str | None,
        text: str,
        *,
        api_key: str | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> tuple[str, bytes, str]:
        """``(model, audio, content type)`` of ``text`` spoken."""
        from ...config import get_hf_token
        from ...model_tables import DEFAULT_SPEECH_MODEL, SPEECH_ALIASES

        model = _resolve(model, SPEECH_ALIASES, DEFAULT_SPEECH_MODEL)
        async with cls.open_session(timeout=timeout, **kwargs) as session:  # type: ignore[attr-defined]
            audio, content_type = await synthesize(
                session, model, text, token=get_hf_token(api_key), timeout=timeout
            )
        return model, audio, content_type
