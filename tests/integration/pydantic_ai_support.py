"""Helpers shared by the pydantic-ai integration tests (import after the importorskip)."""

from __future__ import annotations

from typing import Any

from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse

from g4f.integration.pydantic_ai import G4FModel
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from tests.fakes.router import TOKEN, FakeRouter

LLAMA = "meta-llama/Llama-3.3-70B-Instruct"
CHAT = "/v1/chat/completions"


def g4f_model(**kwargs: Any) -> G4FModel:
    """``llama-3.3-70b`` through HuggingFaceAPI with the fake router's token."""
    kwargs.setdefault("api_key", TOKEN)
    return G4FModel("llama-3.3-70b", HuggingFaceAPI, **kwargs)


def chat_posts(router: FakeRouter) -> int:
    """How many chat requests reached the fake router."""
    return sum(1 for r in router.requests if r["method"] == "POST" and r["path"] == CHAT)


async def run(agent: Agent[Any, Any], prompt: Any, stream: bool, **kwargs: Any) -> Any:
    """The run's result: ``agent.run``, or ``agent.run_stream`` read to its end."""
    if not stream:
        return await agent.run(prompt, **kwargs)
    async with agent.run_stream(prompt, **kwargs) as result:
        await result.get_output()
    return result


async def output(result: Any, stream: bool) -> Any:
    """The output of a result :func:`run` returned."""
    return await result.get_output() if stream else result.output


def last_response(result: Any) -> ModelResponse:
    """The last model response of a run."""
    responses = [m for m in result.all_messages() if isinstance(m, ModelResponse)]
    return responses[-1]
