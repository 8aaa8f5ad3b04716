"""``client.embeddings`` and ``client.audio`` (transcriptions, translations, speech).

Shaped like the OpenAI SDK's resources. The provider must offer the task
(``create_embeddings`` / ``create_transcription`` / ``create_speech``); the default is
HuggingFaceInference, which routes to hf-inference or, with a ``model:provider`` suffix,
to an OpenAI-compatible provider of the router.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._loop import run_sync
from ..errors import InvalidRequestError
from .service import model_name, provider_name
from .stubs import _Model

__all__ = [
    "Embedding",
    "EmbeddingsResponse",
    "Transcription",
    "SpeechResponse",
    "AsyncEmbeddings",
    "AsyncAudio",
    "Embeddings",
    "Audio",
    "estimate_tokens",
    "audio_type",
]

ENCODINGS = ("float", "base64")
TRANSCRIPT_FORMATS = ("json", "text", "verbose_json", "srt", "vtt")
#: Largest list of inputs one embeddings call takes (OpenAI's limit).
MAX_INPUTS = 2048


@dataclass
class Embedding(_Model):
    embedding: list[float] | str = field(default_factory=list)
    index: int = 0
    object: str = "embedding"


@dataclass
class EmbeddingUsage(_Model):
    prompt_tokens: int = 0
    total_tokens: int = 0


@dataclass
class EmbeddingsResponse(_Model):
    """``openai.types.CreateEmbeddingResponse`` plus ``provider``."""

    data: list[Embedding] = field(default_factory=list)
    model: str = ""
    object: str = "list"
    usage: EmbeddingUsage = field(default_factory=EmbeddingUsage)
    provider: str | None = None


@dataclass
class Transcription(_Model):
    """``text``; with ``verbose_json`` also ``segments`` and ``duration``."""

    text: str = ""
    task: str = "transcribe"
    language: str | None = None
    duration: float | None = None
    segments: list[dict[str, Any]] | None = None
    model: str = ""
    provider: str | None = None


class SpeechResponse:
    """Spoken audio: ``content`` (bytes) and ``content_type``, as the SDK's binary response."""

    def __init__(self, content: bytes, content_type: str, model: str, provider: str) -> None:
        self.content = content
        self.content_type = content_type
        self.model = model
        self.provider = provider

    def write_to_file(self, path: str | os.PathLike[str]) -> None:
        Path(path).write_bytes(self.content)

    stream_to_file = write_to_file

    def __repr__(self) -> str:
        return f"SpeechResponse({self.content_type}, {len(self.content)} bytes, {self.provider})"


def estimate_tokens(text: str) -> int:
    """A token count without a tokenizer: about four characters a token (never zero)."""
    return max(1, (len(text) + 3) // 4)


def _provider(provider: Any, method: str) -> Any:
    from ..Provider import get_provider

    chosen = provider or "HuggingFaceInference"
    if isinstance(chosen, str):
        chosen = get_provider(chosen)
    if not callable(getattr(chosen, method, None)):
        raise InvalidRequestError(f"{provider_name(chosen)} does not offer {method}")
    return chosen


def _inputs(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise InvalidRequestError("input must be a non-empty string or list of strings")
    if all(isinstance(v, int) for v in value) or all(isinstance(v, list) for v in value):
        raise InvalidRequestError(
            "input as token ids is not supported: the router embeds text, and turning ids "
            "back into text needs the tokenizer that made them; send the text (LangChain: "
            "OpenAIEmbeddings(check_embedding_ctx_length=False))"
        )
    if not all(isinstance(v, str) for v in value):
        raise InvalidRequestError("input must be a string or a list of strings")
    if len(value) > MAX_INPUTS:
        raise InvalidRequestError(f"input has more than {MAX_INPUTS} items")
    if any(not v for v in value):
        raise InvalidRequestError("input must not contain empty strings")
    return value


def _base64(vector: list[float]) -> str:
    """OpenAI's base64 encoding: little-endian float32."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


class AsyncEmbeddings:
    """``client.embeddings`` of :class:`~g4f.client.AsyncClient`."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def create(
        self,
        input: Any,  # noqa: A002 - OpenAI's name
        model: Any = None,
        provider: Any = None,
        encoding_format: str | None = None,
        dimensions: int | None = None,
        **kwargs: Any,
    ) -> EmbeddingsResponse:
        texts = _inputs(input)
        encoding = encoding_format or "float"
        if encoding not in ENCODINGS:
            raise InvalidRequestError(f"encoding_format must be one of {ENCODINGS}")
        if dimensions is not None and (
            isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1
        ):
            raise InvalidRequestError("dimensions must be a positive integer")
        chosen = _provider(provider, "create_embeddings")
        kwargs.setdefault("api_key", self._client.api_key)
        kwargs.setdefault("proxy", self._client.get_proxy())
        name, vectors, served_by = await chosen.create_embeddings(
            model_name(model) or None, texts, dimensions=dimensions, **_clean(kwargs)
        )
        data = [
            Embedding(embedding=_base64(v) if encoding == "base64" else v, index=i)
            for i, v in enumerate(vectors)
        ]
        tokens = sum(estimate_tokens(t) for t in texts)
        return EmbeddingsResponse(
            data=data,
            model=name,
            usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens),
            provider=f"{provider_name(chosen)}:{served_by}",
        )


def _clean(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not None}


_SIGNATURES = (
    (b"RIFF", 0, "audio/wav"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm"),
    (b"ftyp", 4, "audio/mp4"),
)


def audio_type(data: bytes, filename: str = "") -> str:
    """The audio's content type from its first bytes (else its file name)."""
    for magic, offset, kind in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return kind
    if data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    import mimetypes

    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return guessed if guessed and guessed.startswith("audio/") else "application/octet-stream"


def read_audio(file: Any) -> tuple[bytes, str]:
    """``(bytes, filename)`` from bytes, a ``pathlib.Path``, a file object or an SDK tuple.

    A plain string is refused: file names never come from strings (a string might have
    come from a request and name any file on this machine).
    """
    if isinstance(file, tuple) and len(file) >= 2:
        name, content = file[0], file[1]
        data, _ = read_audio(content)
        return data, str(name or "")
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file), ""
    if isinstance(file, Path):
        return file.read_bytes(), file.name
    if hasattr(file, "read"):
        data = file.read()
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidRequestError("file must be opened in binary mode")
        return bytes(data), os.path.basename(str(getattr(file, "name", "")))
    raise InvalidRequestError("file must be bytes, a pathlib.Path or a binary file object")


class AsyncTranscriptions:
    """``client.audio.transcriptions`` (and ``translations`` with ``task="translate"``)."""

    def __init__(self, client: Any, task: str = "transcribe") -> None:
        self._client = client
        self._task = task

    async def create(
        self,
        file: Any,
        model: Any = None,
        provider: Any = None,
        response_format: str | None = None,
        language: str | None = None,
        prompt: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: list[str] | None = None,
        **kwargs: Any,
    ) -> Transcription | str:
        if self._task == "translate":
            raise InvalidRequestError(
                "translations are not offered: the router's speech recognition has no "
                "translate task (transcribe, then ask a chat model to translate)"
            )
        data, filename = read_audio(file)
        if not data:
            raise InvalidRequestError("file is empty")
        fmt = response_format or "json"
        if fmt not in TRANSCRIPT_FORMATS:
            raise InvalidRequestError(f"response_format must be one of {TRANSCRIPT_FORMATS}")
        chosen = _provider(provider, "create_transcription")
        kwargs.setdefault("api_key", self._client.api_key)
        kwargs.setdefault("proxy", self._client.get_proxy())
        timed = fmt in ("verbose_json", "srt", "vtt") or bool(timestamp_granularities)
        name, transcript = await chosen.create_transcription(
            model_name(model) or None,
            data,
            audio_type(data, filename),
            timestamps=timed,
            **_clean(kwargs),
        )
        segments = [
            {"id": i, "start": s["start"], "end": s["end"], "text": s["text"]}
            for i, s in enumerate(transcript.get("segments") or [])
        ]
        if fmt == "text":
            return transcript["text"]
        if fmt in ("srt", "vtt"):
            return subtitles(segments, fmt)
        result = Transcription(text=transcript["text"], model=name, provider=provider_name(chosen))
        if fmt == "verbose_json":
            result.language = language
            result.segments = segments
            result.duration = segments[-1]["end"] if segments else None
        return result


def _stamp(seconds: float, comma: bool) -> str:
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}{',' if comma else '.'}{millis:03}"


def subtitles(segments: list[dict[str, Any]], fmt: str) -> str:
    """SRT or WebVTT text of timed segments."""
    srt = fmt == "srt"
    blocks = [] if srt else ["WEBVTT", ""]
    for i, seg in enumerate(segments, 1):
        if srt:
            blocks.append(str(i))
        blocks.append(f"{_stamp(seg['start'], srt)} --> {_stamp(seg['end'], srt)}")
        blocks += [seg["text"].strip(), ""]
    return "\n".join(blocks)


class AsyncSpeech:
    """``client.audio.speech``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def create(
        self,
        input: str,  # noqa: A002 - OpenAI's name
        model: Any = None,
        voice: str | None = None,
        provider: Any = None,
        response_format: str | None = None,
        speed: float | None = None,
        **kwargs: Any,
    ) -> SpeechResponse:
        if not isinstance(input, str) or not input.strip():
            raise InvalidRequestError("input must be a non-empty string")
        if len(input) > 4096:
            raise InvalidRequestError("input is longer than 4096 characters")
        chosen = _provider(provider, "create_speech")
        kwargs.setdefault("api_key", self._client.api_key)
        kwargs.setdefault("proxy", self._client.get_proxy())
        name, audio, content_type = await chosen.create_speech(
            model_name(model) or None, input, **_clean(kwargs)
        )
        return SpeechResponse(audio, content_type, name, provider_name(chosen))


class AsyncAudio:
    """``client.audio`` of :class:`~g4f.client.AsyncClient`."""

    def __init__(self, client: Any) -> None:
        self.transcriptions = AsyncTranscriptions(client)
        self.translations = AsyncTranscriptions(client, task="translate")
        self.speech = AsyncSpeech(client)


class _Sync:
    """Runs an async resource's ``create`` on g4f's loop thread."""

    def __init__(self, resource: Any) -> None:
        self._async = resource

    def create(self, *args: Any, **kwargs: Any) -> Any:
        return run_sync(self._async.create(*args, **kwargs))


class Embeddings(_Sync):
    """``client.embeddings`` of :class:`~g4f.client.Client`."""

    def __init__(self, client: Any) -> None:
        super().__init__(AsyncEmbeddings(client))


class Audio:
    """``client.audio`` of :class:`~g4f.client.Client`."""

    def __init__(self, client: Any) -> None:
        audio = AsyncAudio(client)
        self.transcriptions = _Sync(audio.transcriptions)
        self.translations = _Sync(audio.translations)
        self.speech = _Sync(audio.speech)
