"""``/v1/embeddings`` and ``/v1/audio/{transcriptions,translations,speech}``.

Thin handlers over ``client.embeddings`` and ``client.audio``: they check the body's
fields (a 400 naming the field), call the client once, and write OpenAI's shapes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from ..client.tasks import TRANSCRIPT_FORMATS
from ._errors import ApiError
from ._schema import bad

__all__ = ["TaskRoutes"]

#: Transcription form fields we read (anything else is ignored, as for JSON bodies).
_SPEECH_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")


def _string(data: Any, name: str, required: bool = False, limit: int = 256) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise bad(f"'{name}' is required", name)
        return None
    if not isinstance(value, str):
        raise bad(f"'{name}' must be a string", name)
    if len(value) > limit:
        raise bad(f"'{name}' is longer than {limit} characters", name)
    return value


class TaskRoutes:
    """The task handlers; ``routes`` is the app's :class:`~g4f.api._routes.Routes`."""

    def __init__(self, routes: Any) -> None:
        self.routes = routes

    def register(self, add: Any) -> None:
        """``add(method, path, handler)`` registers a route (and its provider-pinned twin)."""
        add("POST", "/v1/embeddings", self.embeddings)
        add("POST", "/v1/audio/transcriptions", self.transcriptions)
        add("POST", "/v1/audio/translations", self.translations)
        add("POST", "/v1/audio/speech", self.speech)

    def _call_kwargs(self, request: web.Request, body_provider: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"provider": self.routes.pinned(request) or body_provider}
        key = self.routes._provider_key(request)
        if key:
            kwargs["api_key"] = key
        return kwargs

    async def embeddings(self, request: web.Request) -> web.Response:
        body = await self.routes._body(request)
        if "input" not in body:
            raise bad("'input' is required", "input")
        encoding = _string(body, "encoding_format")
        if encoding is not None and encoding not in ("float", "base64"):
            raise bad("'encoding_format' must be 'float' or 'base64'", "encoding_format")
        dimensions = body.get("dimensions")
        if dimensions is not None and (
            isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1
        ):
            raise bad("'dimensions' must be a positive integer", "dimensions")
        model = _string(body, "model")
        request["g4f_model"] = model
        result = await self.routes.inflight.run(
            request,
            self.routes.client.embeddings.create(
                body["input"],
                model,
                encoding_format=encoding,
                dimensions=dimensions,
                **self._call_kwargs(request, _string(body, "provider")),
            ),
        )
        request["g4f_provider"] = result.provider
        return web.json_response(
            {
                "object": "list",
                "data": [
                    {"object": "embedding", "index": e.index, "embedding": e.embedding}
                    for e in result.data
                ],
                "model": result.model,
                "usage": result.usage.model_dump(),
                "provider": result.provider,
            }
        )

    async def _form(self, request: web.Request) -> tuple[Any, bytes, str]:
        if not request.content_type.startswith("multipart/form-data"):
            raise bad("send the audio as multipart/form-data with a 'file' part", "file")
        # The multipart body is parsed by aiohttp (its size is capped by the app's
        # client_max_size); the whole read gets the same deadline as JSON bodies.
        try:
            form = await asyncio.wait_for(request.post(), self.routes.config.body_deadline)
        except asyncio.TimeoutError:
            raise ApiError(408, "The request body took too long", code="request_timeout") from None
        upload = form.get("file")
        if upload is None or not hasattr(upload, "file"):
            raise bad("'file' is required (an audio file part)", "file")
        data = upload.file.read()
        if not data:
            raise bad("'file' is empty", "file")
        return form, data, str(upload.filename or "")

    async def transcriptions(self, request: web.Request) -> web.StreamResponse:
        return await self._recognise(request, "transcriptions")

    async def translations(self, request: web.Request) -> web.StreamResponse:
        return await self._recognise(request, "translations")

    async def _recognise(self, request: web.Request, kind: str) -> web.StreamResponse:
        form, data, filename = await self._form(request)
        fmt = _string(form, "response_format") or "json"
        if fmt not in TRANSCRIPT_FORMATS:
            raise bad(
                f"'response_format' must be one of {', '.join(TRANSCRIPT_FORMATS)}",
                "response_format",
            )
        model = _string(form, "model")
        request["g4f_model"] = model
        granularities = form.getall("timestamp_granularities[]", [])
        resource = getattr(self.routes.client.audio, kind)
        result = await self.routes.inflight.run(
            request,
            resource.create(
                (filename, data),
                model,
                response_format=fmt,
                language=_string(form, "language", limit=16),
                prompt=_string(form, "prompt", limit=4096),
                timestamp_granularities=[str(g) for g in granularities] or None,
                **self._call_kwargs(request, _string(form, "provider")),
            ),
        )
        if isinstance(result, str):
            content_type = "text/vtt" if fmt == "vtt" else "text/plain"
            return web.Response(text=result, content_type=content_type)
        request["g4f_provider"] = result.provider
        payload: dict[str, Any] = {"text": result.text}
        if fmt == "verbose_json":
            payload.update(
                task="transcribe",
                language=result.language,
                duration=result.duration,
                segments=result.segments,
            )
        return web.json_response(payload)

    async def speech(self, request: web.Request) -> web.Response:
        body = await self.routes._body(request)
        text = _string(body, "input", required=True, limit=4096)
        fmt = _string(body, "response_format")
        if fmt is not None and fmt not in _SPEECH_FORMATS:
            raise bad(
                f"'response_format' must be one of {', '.join(_SPEECH_FORMATS)}", "response_format"
            )
        speed = body.get("speed")
        if speed is not None and (
            isinstance(speed, bool)
            or not isinstance(speed, (int, float))
            or not 0.25 <= speed <= 4.0
        ):
            raise bad("'speed' must be a number between 0.25 and 4.0", "speed")
        model = _string(body, "model")
        request["g4f_model"] = model
        result = await self.routes.inflight.run(
            request,
            self.routes.client.audio.speech.create(
                text,
                model,
                voice=_string(body, "voice"),
                **self._call_kwargs(request, _string(body, "provider")),
            ),
        )
        request["g4f_provider"] = result.provider
        if not result.content:
            raise ApiError(502, "The provider returned no audio", type="server_error")
        # The audio is sent as the provider made it; its real type is in Content-Type.
        return web.Response(body=result.content, content_type=result.content_type)
