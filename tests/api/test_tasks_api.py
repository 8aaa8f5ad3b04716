"""``/v1/embeddings``, ``/v1/audio/*``, provider-pinned routes, CORS and the access log,
driven by the real ``openai`` SDK (and raw HTTP where a browser or proxy would)."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import openai
import pytest

from tests.api import providers as mocks
from tests.fakes.tasks import TOKEN, FakeTasks, vector_of, wav

KEY = "server-key-tasks-0123456789"


def sdk(url: str, key: str = KEY, prefix: str = "/v1") -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=f"{url}{prefix}", api_key=key, max_retries=0, timeout=10)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, mock_registry):
    mock_registry["HuggingFaceInference"] = "g4f.Provider.hf.HuggingFaceInference"
    with FakeTasks() as served:
        monkeypatch.setenv("HF_ROUTER_ENDPOINT", served.url)
        monkeypatch.setenv("HF_ENDPOINT", served.url)
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        yield served


async def test_embeddings_with_the_sdk(start, fake: FakeTasks) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        # The SDK asks for base64 by default and decodes it itself.
        result = await client.embeddings.create(input=["alpha", "beta"], model="bge-small")
        assert [d.embedding for d in result.data] == [
            pytest.approx(vector_of("alpha")),
            pytest.approx(vector_of("beta")),
        ]
        floats = await client.embeddings.create(
            input="gamma", model="BAAI/bge-small-en-v1.5", encoding_format="float"
        )
        assert floats.data[0].embedding == vector_of("gamma")
        assert floats.model == "BAAI/bge-small-en-v1.5"
        assert floats.usage.prompt_tokens >= 1
        with pytest.raises(openai.BadRequestError) as info:
            await client.embeddings.create(input=[[1, 2, 3]], model="bge-small")
        assert "token ids" in info.value.message
        with pytest.raises(openai.BadRequestError) as info:
            await client.embeddings.create(input="x", model="bge-small", dimensions=-3)
        assert info.value.body["param"] == "dimensions"
    assert [r["path"] for r in fake.requests] == [
        "/hf-inference/models/BAAI/bge-small-en-v1.5/pipeline/feature-extraction"
    ] * 2


async def test_transcriptions_translations_and_speech_with_the_sdk(start, fake: FakeTasks) -> None:
    async with start(api_key=KEY) as (url, _), sdk(url) as client:
        result = await client.audio.transcriptions.create(
            file=("clip.wav", wav(16000), "audio/wav"), model="whisper-1"
        )
        assert result.text == "heard 16000 samples"
        text = await client.audio.transcriptions.create(
            file=("clip.wav", wav(800)), model="whisper-1", response_format="text"
        )
        assert text.strip() == "heard 800 samples"
        verbose = await client.audio.transcriptions.create(
            file=("clip.wav", wav(16000)), model="whisper-1", response_format="verbose_json"
        )
        assert verbose.duration == 1.0
        assert [s.text for s in verbose.segments] == ["heard", " 16000 samples"]
        with pytest.raises(openai.BadRequestError) as info:
            await client.audio.translations.create(file=("clip.wav", wav(10)), model="whisper-1")
        assert "translate" in info.value.message
        speech = await client.audio.speech.create(model="tts-1", voice="alloy", input="say this")
        assert speech.content == wav(800)
        assert speech.response.headers["content-type"] == "audio/wav"
        with pytest.raises(openai.BadRequestError):
            await client.audio.speech.create(model="tts-1", voice="alloy", input="x", speed=9)
    assert sum(r["path"].endswith("whisper-large-v3") for r in fake.requests) == 3


async def test_sdk_error_types(start, fake: FakeTasks) -> None:
    async with start(api_key=KEY) as (url, _):
        async with sdk(url, key="wrong") as client:
            with pytest.raises(openai.AuthenticationError):
                await client.embeddings.create(input="a", model="bge-small")
        async with sdk(url, prefix="/api/NoSuchProvider/v1") as client:
            with pytest.raises(openai.NotFoundError):
                await client.embeddings.create(input="a", model="bge-small")
        async with sdk(url) as client:
            fake.faults.add(status=429, message="slow down", headers={"Retry-After": "1"})
            with pytest.raises(openai.RateLimitError):
                await client.embeddings.create(input="a", model="bge-small")
            fake.faults.add(status=500, message="boom")
            with pytest.raises(openai.APIStatusError) as info:
                await client.embeddings.create(input="a", model="bge-small")
            assert info.value.status_code >= 500
            with pytest.raises(openai.NotFoundError):
                await client.embeddings.create(input="a", model="nobody/no-model")
    assert fake.requests  # the last three reached the fake


async def test_provider_pinned_routes_and_body_field(start) -> None:
    async with start(api_key=KEY) as (url, _):
        async with sdk(url, prefix="/api/EchoProvider/v1") as client:
            answer = await client.chat.completions.create(
                model="thinker", messages=[{"role": "user", "content": "hi"}]
            )
            assert answer.model_extra["provider"] == "EchoProvider"
            assert mocks.ThinkingProvider.calls == 0
            page = await client.models.list()
            assert {m.id for m in page.data} >= {"echo-1", "org/Echo-7B"}
            assert all(m.providers == ["EchoProvider"] for m in page.data)
        async with sdk(url, prefix="/api/ImageProvider/v1") as client:
            images = await client.images.generate(prompt="a dot", model="mock-image")
            assert images.data[0].url.startswith("data:image/png")
        async with sdk(url, prefix="/api/Nope/v1") as client:
            with pytest.raises(openai.NotFoundError):
                await client.chat.completions.create(
                    model="echo", messages=[{"role": "user", "content": "hi"}]
                )
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{url}/api/EchoProvider/v1/chat/completions",
                json={"model": "echo", "messages": [{"role": "user", "content": "x"}]},
            ) as response:
                assert response.status == 401  # the key is needed under /api/ too


ORIGIN = "https://app.example"


async def test_cors_preflight_and_headers(start) -> None:
    async with (
        start(api_key=KEY, cors_origins=[ORIGIN]) as (url, _),
        aiohttp.ClientSession() as http,
    ):
        preflight = {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }
        async with http.options(f"{url}/v1/chat/completions", headers=preflight) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
            assert "POST" in response.headers["Access-Control-Allow-Methods"]
            assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
        evil = {**preflight, "Origin": "https://evil.example"}
        async with http.options(f"{url}/v1/chat/completions", headers=evil) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
        auth = {"Origin": ORIGIN, "Authorization": f"Bearer {KEY}"}
        async with http.get(f"{url}/v1/models", headers=auth) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
            assert "Origin" in response.headers["Vary"]
        body = {"model": "echo", "stream": True, "messages": [{"role": "user", "content": "s"}]}
        async with http.post(f"{url}/v1/chat/completions", json=body, headers=auth) as response:
            assert response.headers["Access-Control-Allow-Origin"] == ORIGIN  # streams too
            await response.read()
        async with http.get(
            f"{url}/v1/models", headers={**auth, "Origin": "https://evil.example"}
        ) as response:
            assert "Access-Control-Allow-Origin" not in response.headers
    async with start(api_key=KEY) as (url, _), aiohttp.ClientSession() as http:
        async with http.options(f"{url}/v1/models", headers=preflight) as response:
            assert "Access-Control-Allow-Origin" not in response.headers  # off by default


def test_wildcard_origin_is_refused() -> None:
    from g4f.api import create_app

    with pytest.raises(ValueError, match="named"):
        create_app(cors_origins=["*"])


async def test_access_log_one_redacted_line_per_request(caplog, mock_registry) -> None:
    from g4f.api._server import serve

    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(
        serve("127.0.0.1", 0, stop=stop, on_ready=lambda h, p: ready.set_result(p), api_key=KEY)
    )
    port = await asyncio.wait_for(ready, 10)
    caplog.set_level(logging.INFO, logger="g4f.access")
    logging.getLogger("g4f.access").addHandler(caplog.handler)
    try:
        async with aiohttp.ClientSession() as http:
            body = {"model": "echo", "messages": [{"role": "user", "content": "hi"}]}
            headers = {"Authorization": f"Bearer {KEY}"}
            async with http.post(
                f"http://127.0.0.1:{port}/v1/chat/completions", json=body, headers=headers
            ) as response:
                assert response.status == 200
            async with http.get(
                f"http://127.0.0.1:{port}/v1/models/{KEY}", headers=headers
            ) as response:
                assert response.status == 404
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        logging.getLogger("g4f.access").removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "g4f.access"]
    assert len(lines) == 2, lines
    assert lines[0].startswith("POST /v1/chat/completions 200 model=echo provider=EchoProvider ")
    assert lines[0].endswith("B")
    assert lines[1].startswith("GET /v1/models/{model} 404 ")
    assert all(KEY not in line for line in lines)
