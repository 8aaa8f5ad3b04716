"""A fake router (plus the Hub's provider mapping) for embeddings, speech recognition and
text to speech, as huggingface_hub's ``inference/_providers`` call them.

Routes and the sources they follow:
- ``POST /hf-inference/models/{id}/pipeline/feature-extraction`` — ``hf_inference.py``
  (HFInferenceFeatureExtractionTask: ``{"inputs", ...parameters at the root}`` → one vector
  per input, a bare vector for a single string input);
- ``POST /hf-inference/models/{id}`` — ``hf_inference.py``: automatic-speech-recognition
  (HFInferenceBinaryInputTask: raw audio bytes, or JSON ``{"inputs": base64, "parameters"}``
  → ``{"text", "chunks"?}``) and text-to-speech (HFInferenceTask: ``{"inputs": text}`` →
  audio bytes);
- ``POST /together/v1/embeddings`` — ``together.py`` (TogetherFeatureExtractionTask:
  ``{"input", "model": providerId}`` → ``{"data": [{"embedding"}]}``);
- ``GET /api/models/{id}?expand[]=inferenceProviderMapping`` — the Hub's model info with
  the provider mapping (``hf_api.py`` model_info, ``_providers/_common.py``).

Answers depend on the request: a text's vector is derived from its bytes, a transcript
names the number of samples it heard, speech holds as many samples as the text asks for.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import struct
import wave
from typing import Any

from aiohttp import web

from tests.fakes.router import ServedFake
from tests.fakes.server import FakeServer, fault_response, hf_error

__all__ = ["FakeTasks", "TOKEN", "vector_of", "wav", "DIM"]

TOKEN = "hf_fakeTasksToken0123456789abcdef"
DIM = 8
SAMPLE_RATE = 16000


def vector_of(text: str, dim: int = DIM) -> list[float]:
    """A unit vector derived from ``text`` (what the fake answers for it)."""
    digest = hashlib.sha256(text.encode()).digest()
    raw = [(b - 127.5) / 127.5 for b in digest[:dim]]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    return [v / norm for v in raw]


def wav(samples: int, rate: int = SAMPLE_RATE) -> bytes:
    """A mono 16-bit WAV of ``samples`` samples of a quiet ramp."""
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(b"".join(struct.pack("<h", i % 256) for i in range(samples)))
    return out.getvalue()


def _samples(audio: bytes) -> int | None:
    try:
        with wave.open(io.BytesIO(audio), "rb") as handle:
            return handle.getnframes()
    except (wave.Error, EOFError):
        return None


class FakeTasks(ServedFake):
    """The fake's state: served models, the provider mapping, recorded bodies."""

    def __init__(self, token: str | None = TOKEN) -> None:
        self.token = token
        self.embedding_models = {"BAAI/bge-small-en-v1.5", "BAAI/bge-m3"}
        #: Models that answer token-level matrices (no pooling layer).
        self.token_level = {"BAAI/bge-m3"}
        self.asr_models = {"openai/whisper-large-v3"}
        self.tts_models = {"facebook/mms-tts-eng"}
        self.mapping: dict[str, dict[str, dict[str, str]]] = {
            "BAAI/bge-m3": {
                "together": {
                    "providerId": "BAAI/bge-m3-together",
                    "task": "feature-extraction",
                    "status": "live",
                },
            }
        }
        self.bodies: list[dict[str, Any]] = []
        app = web.Application()
        app["fake"] = self
        app.router.add_post(
            "/hf-inference/models/{model:.+}/pipeline/feature-extraction", _features
        )
        app.router.add_post("/hf-inference/models/{model:.+}", _hf_inference)
        app.router.add_post("/together/v1/embeddings", _together_embeddings)
        app.router.add_get("/api/models/{model:.+}", _model_info)
        self.server = FakeServer(app)

    def check_auth(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization")
        if self.token is not None and header is not None and header != f"Bearer {self.token}":
            return hf_error(401, "Invalid credentials in Authorization header")
        return None


def _fake(request: web.Request) -> FakeTasks:
    return request.app["fake"]


async def _gate(request: web.Request) -> web.Response | None:
    fake = _fake(request)
    fault = fake.faults.take(request.path)
    if fault is not None:
        response = fault_response(fault)
        if response is not None:
            return response
    return fake.check_auth(request)


async def _features(request: web.Request) -> web.Response:
    if (refused := await _gate(request)) is not None:
        return refused
    fake = _fake(request)
    model = request.match_info["model"]
    if model not in fake.embedding_models:
        return hf_error(404, f"Model {model} does not exist")
    body = await request.json()
    fake.bodies.append({"route": "feature-extraction", "model": model, **body})
    inputs = body.get("inputs")
    texts = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        return hf_error(422, "inputs must be a string or a list of strings")
    if model in fake.token_level:
        # One vector per whitespace token: the caller pools them.
        result: Any = [[vector_of(word) for word in text.split() or [text]] for text in texts]
    else:
        result = [vector_of(text) for text in texts]
    return web.json_response(result[0] if isinstance(inputs, str) else result)


async def _hf_inference(request: web.Request) -> web.Response:
    if (refused := await _gate(request)) is not None:
        return refused
    fake = _fake(request)
    model = request.match_info["model"]
    if model in fake.asr_models:
        return await _recognise(request, fake, model)
    if model in fake.tts_models:
        body = await request.json()
        fake.bodies.append({"route": "text-to-speech", "model": model, **body})
        text = body.get("inputs")
        if not isinstance(text, str) or not text:
            return hf_error(422, "inputs must be a non-empty string")
        return web.Response(body=wav(len(text) * 100), content_type="audio/wav")
    return hf_error(404, f"Model {model} does not exist")


async def _recognise(request: web.Request, fake: FakeTasks, model: str) -> web.Response:
    timestamps = False
    if request.content_type == "application/json":
        body = await request.json()
        audio = base64.b64decode(body.get("inputs", ""))
        timestamps = bool((body.get("parameters") or {}).get("return_timestamps"))
        fake.bodies.append(
            {"route": "asr", "model": model, "json": True, "parameters": body.get("parameters")}
        )
    else:
        audio = await request.read()
        fake.bodies.append(
            {"route": "asr", "model": model, "json": False, "content_type": request.content_type}
        )
    samples = _samples(audio)
    if samples is None:
        return hf_error(400, "Malformed soundfile")
    text = f"heard {samples} samples"
    result: dict[str, Any] = {"text": text}
    if timestamps:
        seconds = samples / SAMPLE_RATE
        result["chunks"] = [
            {"text": "heard", "timestamp": [0.0, round(seconds / 2, 3)]},
            {
                "text": f" {samples} samples",
                "timestamp": [round(seconds / 2, 3), round(seconds, 3)],
            },
        ]
    return web.json_response(result)


async def _together_embeddings(request: web.Request) -> web.Response:
    if (refused := await _gate(request)) is not None:
        return refused
    fake = _fake(request)
    body = await request.json()
    fake.bodies.append({"route": "together-embeddings", **body})
    served = {
        entry["providerId"]
        for m in fake.mapping.values()
        for p, entry in m.items()
        if p == "together"
    }
    if body.get("model") not in served:
        return hf_error(404, f"model {body.get('model')} not found", shape="openai")
    inputs = body.get("input")
    texts = [inputs] if isinstance(inputs, str) else inputs
    dim = body.get("dimensions") or DIM
    data = [
        {"object": "embedding", "index": i, "embedding": vector_of(t, min(dim, 32))}
        for i, t in enumerate(texts)
    ]
    return web.json_response({"object": "list", "data": data, "model": body["model"]})


async def _model_info(request: web.Request) -> web.Response:
    fake = _fake(request)
    model = request.match_info["model"]
    expand = request.query.getall("expand[]", [])
    info: dict[str, Any] = {
        "id": model,
        "pipeline_tag": "feature-extraction",
        "tags": ["feature-extraction"],
    }
    if "inferenceProviderMapping" in expand:
        info["inferenceProviderMapping"] = fake.mapping.get(model, {})
    return web.Response(text=json.dumps(info), content_type="application/json")
