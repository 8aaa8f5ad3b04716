"""Embeddings, speech recognition and text to speech: the fake driven by huggingface_hub's
own InferenceClient, then the library's client through HuggingFaceInference against it."""

from __future__ import annotations

import base64
import io
import struct
from pathlib import Path

import pytest

from g4f.client import AsyncClient, Client
from g4f.errors import InvalidRequestError, ModelNotFoundError
from tests.fakes.tasks import DIM, TOKEN, FakeTasks, vector_of, wav


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    with FakeTasks() as served:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", served.url)
        monkeypatch.setenv("HF_ENDPOINT", served.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield served


def _paths(fake: FakeTasks) -> list[str]:
    return [r["path"] for r in fake.requests]


# -- the fake speaks the protocol: huggingface_hub's client completes every route ------


def test_inference_client_drives_the_fake(fake: FakeTasks) -> None:
    from huggingface_hub import InferenceClient

    client = InferenceClient(provider="hf-inference", token=TOKEN)
    base = f"{fake.url}/hf-inference/models"
    vector = client.feature_extraction(
        "hello", model=f"{base}/BAAI/bge-small-en-v1.5/pipeline/feature-extraction"
    )
    assert [round(float(v), 6) for v in vector.reshape(-1)] == [
        round(v, 6) for v in vector_of("hello")
    ]
    heard = client.automatic_speech_recognition(wav(16000), model=f"{base}/openai/whisper-large-v3")
    assert heard.text == "heard 16000 samples"
    audio = client.text_to_speech("hi there", model=f"{base}/facebook/mms-tts-eng")
    assert audio[:4] == b"RIFF" and len(audio) == len(wav(800))
    assert fake.bodies[-1]["inputs"] == "hi there"


# -- embeddings through the library -----------------------------------------------------


def test_embeddings_one_request_vectors_in_order(fake: FakeTasks) -> None:
    result = Client().embeddings.create(input=["first", "second"], model="bge-small")
    assert [e.embedding for e in result.data] == [vector_of("first"), vector_of("second")]
    assert [e.index for e in result.data] == [0, 1]
    assert result.model == "BAAI/bge-small-en-v1.5"
    assert result.provider == "HuggingFaceInference:hf-inference"
    assert result.usage.prompt_tokens > 0
    assert _paths(fake) == [
        "/hf-inference/models/BAAI/bge-small-en-v1.5/pipeline/feature-extraction"
    ]
    assert fake.bodies[0]["inputs"] == ["first", "second"]
    assert fake.requests[0]["headers"].get("Authorization") == f"Bearer {TOKEN}"


def test_embeddings_base64_is_little_endian_float32(fake: FakeTasks) -> None:
    result = Client().embeddings.create(
        input="x", model="BAAI/bge-small-en-v1.5", encoding_format="base64"
    )
    raw = base64.b64decode(result.data[0].embedding)
    decoded = struct.unpack(f"<{DIM}f", raw)
    assert [round(v, 5) for v in decoded] == [round(v, 5) for v in vector_of("x")]


def test_token_level_output_is_mean_pooled(fake: FakeTasks) -> None:
    result = Client().embeddings.create(input="two words", model="bge-m3")
    columns = zip(vector_of("two"), vector_of("words"), strict=True)
    assert result.data[0].embedding == pytest.approx([(a + b) / 2 for a, b in columns])


def test_openai_compatible_provider_through_the_mapping(fake: FakeTasks) -> None:
    result = Client().embeddings.create(input=["a"], model="BAAI/bge-m3:together", dimensions=4)
    assert result.provider == "HuggingFaceInference:together"
    assert len(result.data[0].embedding) == 4
    assert _paths(fake) == ["/api/models/BAAI/bge-m3", "/together/v1/embeddings"]
    assert fake.bodies[-1] == {
        "route": "together-embeddings",
        "input": ["a"],
        "model": "BAAI/bge-m3-together",
        "dimensions": 4,
    }


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"input": [1, 2, 3]}, "token ids"),
        ({"input": [[1, 2], [3]]}, "token ids"),
        ({"input": []}, "non-empty"),
        ({"input": ["a", ""]}, "empty strings"),
        ({"input": "a", "encoding_format": "hex"}, "encoding_format"),
        ({"input": "a", "dimensions": 0}, "dimensions"),
        ({"input": "a", "dimensions": 64}, "not supported on hf-inference"),
        ({"input": "a", "model": "BAAI/bge-m3:groq"}, "not supported"),
        ({"input": "a", "model": "../../api/whoami-v2"}, "Invalid model id"),
        ({"input": "a", "model": "BAAI/bge-m3?x=1#y"}, "Invalid model id"),
        ({"input": "a", "model": "BAAI/%2e%2e"}, "Invalid model id"),
    ],
)
def test_bad_embedding_requests_are_typed_and_send_nothing(fake: FakeTasks, kwargs, needle) -> None:
    with pytest.raises(InvalidRequestError, match=needle):
        Client().embeddings.create(**kwargs)
    assert fake.requests == []


def test_unmapped_provider_is_model_not_found(fake: FakeTasks) -> None:
    with pytest.raises(ModelNotFoundError):
        Client().embeddings.create(input="a", model="BAAI/bge-small-en-v1.5:together")
    assert _paths(fake) == ["/api/models/BAAI/bge-small-en-v1.5"]


# -- speech ---------------------------------------------------------------------------


async def test_transcription_from_bytes_path_and_file(fake: FakeTasks, tmp_path: Path) -> None:
    client = AsyncClient()
    audio = wav(8000)
    result = await client.audio.transcriptions.create(file=audio, model="whisper-1")
    assert result.text == "heard 8000 samples"
    assert result.model == "openai/whisper-large-v3"
    assert fake.bodies[-1] == {
        "route": "asr",
        "model": "openai/whisper-large-v3",
        "json": False,
        "content_type": "audio/wav",
    }
    path = tmp_path / "clip.wav"
    path.write_bytes(wav(4000))
    assert (await client.audio.transcriptions.create(file=path)).text == "heard 4000 samples"
    text = await client.audio.transcriptions.create(
        file=io.BytesIO(wav(2000)), response_format="text"
    )
    assert text == "heard 2000 samples"
    with pytest.raises(InvalidRequestError, match="pathlib.Path"):
        await client.audio.transcriptions.create(file=str(path))
    assert len(fake.requests) == 3


async def test_verbose_json_and_subtitles_ask_for_timestamps(fake: FakeTasks) -> None:
    client = AsyncClient()
    verbose = await client.audio.transcriptions.create(
        file=wav(32000), response_format="verbose_json"
    )
    assert fake.bodies[-1]["json"] is True
    assert fake.bodies[-1]["parameters"] == {"return_timestamps": True}
    assert [s["text"] for s in verbose.segments] == ["heard", " 32000 samples"]
    assert verbose.duration == 2.0
    srt = await client.audio.transcriptions.create(file=wav(32000), response_format="srt")
    assert srt.splitlines()[:3] == ["1", "00:00:00,000 --> 00:00:01,000", "heard"]


async def test_translations_and_speech(fake: FakeTasks, tmp_path: Path) -> None:
    client = AsyncClient()
    with pytest.raises(InvalidRequestError, match="translate"):
        await client.audio.translations.create(file=wav(100))
    speech = await client.audio.speech.create(input="hello", model="tts-1", voice="alloy")
    assert speech.content_type == "audio/wav"
    assert speech.content == wav(500)
    target = tmp_path / "out.wav"
    speech.write_to_file(target)
    assert target.read_bytes() == speech.content
    assert [r["path"] for r in fake.requests] == ["/hf-inference/models/facebook/mms-tts-eng"]
