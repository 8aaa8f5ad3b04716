"""pydantic-ai errors from g4f errors, and the lifecycle of G4FModel streams."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

pytest.importorskip(
    "pydantic_ai", reason="pydantic-ai-slim (the pydantic-ai extra) is not installed"
)

from pydantic_ai import Agent
from pydantic_ai.direct import model_request_stream
from pydantic_ai.exceptions import (
    ModelAuthenticationError,
    ModelConnectionError,
    ModelHTTPError,
    ModelNotFoundError,
    ModelRateLimitError,
    UnexpectedModelBehavior,
)
from pydantic_ai.messages import ModelRequest, UserPromptPart

from g4f.integration.pydantic_ai import G4FModel
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from tests.fakes.router import TOKEN, ChatScript, FakeRouter
from tests.integration.pydantic_ai_support import CHAT, chat_posts, g4f_model, run

# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_stream"])
async def test_rate_limit_is_model_http_error_429(router: FakeRouter, stream: bool) -> None:
    router.faults.add(
        status=429, message="Rate limit reached", headers={"Retry-After": "3600"}, path=CHAT
    )
    with pytest.raises(ModelHTTPError) as info:
        await run(Agent(g4f_model()), "hi", stream)
    error = info.value
    assert error.status_code == 429
    assert isinstance(error, ModelRateLimitError)
    assert error.retry_after == 3600
    assert "Rate limit reached" in str(error.body)
    assert chat_posts(router) == 1


async def test_bad_token_is_authentication_error_without_the_token(router: FakeRouter) -> None:
    wrong = "hf_wrongTokenValue0123456789abcdef"
    with pytest.raises(ModelHTTPError) as info:
        await Agent(g4f_model(api_key=wrong)).run("hi")
    assert info.value.status_code == 401
    assert isinstance(info.value, ModelAuthenticationError)
    assert wrong not in str(info.value) and wrong not in repr(info.value.body)


async def test_cut_stream_is_a_connection_error(router: FakeRouter) -> None:
    router.chat = ChatScript(content="a long answer " * 10, chunk_size=3)
    router.faults.add(cut_after=4, path=CHAT)
    with pytest.raises(ModelConnectionError):
        await run(Agent(g4f_model()), "hi", stream=True)


def test_missing_pydantic_ai_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['pydantic_ai'] = None\n"
        "from g4f.errors import MissingRequirementsError\n"
        "try:\n"
        "    import g4f.integration.pydantic_ai\n"
        "except MissingRequirementsError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'g4f[pydantic-ai]'" in out.stdout


async def test_in_band_error_after_200_is_unexpected_model_behavior(router: FakeRouter) -> None:
    router.faults.add(inband_error="Model is overloaded", path=CHAT)
    with pytest.raises(UnexpectedModelBehavior) as info:
        await run(Agent(g4f_model()), "hi", stream=True)
    assert "Model is overloaded" in str(info.value)
    assert info.value.body is not None and "generation" in info.value.body


async def test_unknown_model_is_model_not_found(router: FakeRouter) -> None:
    agent = Agent(G4FModel("nobody/no-such-model", HuggingFaceAPI, api_key=TOKEN))
    with pytest.raises(ModelHTTPError) as info:
        await agent.run("hi")
    assert info.value.status_code == 400
    assert isinstance(info.value, ModelNotFoundError)
    assert "not supported by any provider" in str(info.value.body)


async def test_no_token_is_authentication_error_before_any_request(router: FakeRouter) -> None:
    with pytest.raises(ModelAuthenticationError) as info:
        await Agent(G4FModel("llama-3.3-70b", HuggingFaceAPI)).run("hi")
    assert not isinstance(info.value, ModelHTTPError)
    assert "token" in str(info.value)
    assert router.requests == []


# --- stream lifecycle --------------------------------------------------------------------


async def test_leaving_a_stream_early_does_not_wait_for_the_rest(router: FakeRouter) -> None:
    router.chat = ChatScript(content="word " * 50, chunk_size=5, variant="tgi")
    router.faults.add(stall=5.0, path=CHAT)
    agent = Agent(g4f_model())
    began = time.monotonic()
    async with agent.run_stream("Talk") as result:
        deltas = result.stream_text(delta=True, debounce_by=None)
        first = await anext(aiter(deltas))
    assert first == "word "
    assert time.monotonic() - began < 3.0
    assert (await agent.run("again")).output == "word " * 50
    assert chat_posts(router) == 2


async def test_cancelled_stream_reports_interrupted(router: FakeRouter) -> None:
    router.chat = ChatScript(content="word " * 100, chunk_size=2)
    messages = [ModelRequest(parts=[UserPromptPart(content="Talk")])]
    async with model_request_stream(g4f_model(), messages) as stream:
        async for _ in stream:
            await stream.cancel()
        response = stream.get()
    assert response.state == "interrupted"
    assert 0 < len(response.parts[0].content) < len("word " * 100)
