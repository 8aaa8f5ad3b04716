"""pydantic-ai agents on G4FModel, through HuggingFaceAPI, against the fake router."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

pytest.importorskip(
    "pydantic_ai", reason="pydantic-ai-slim (the pydantic-ai extra) is not installed"
)

from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput
from pydantic_ai.direct import model_request, model_request_stream
from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ToolOrOutput
from pydantic_ai.tools import ToolDefinition

from g4f.client import AsyncClient
from g4f.integration.pydantic_ai import G4FModel, g4f_models
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from tests.fakes.router import TOKEN, ChatScript, FakeRouter, ToolCallScript, png_bytes
from tests.integration.pydantic_ai_support import LLAMA, g4f_model, last_response, output, run

# --- plain text, streaming -------------------------------------------------------------


async def test_plain_text_run_maps_prompts_usage_and_provider(router: FakeRouter) -> None:
    agent = Agent(g4f_model(), system_prompt="You are a geography tutor.", instructions="Be brief.")
    result = await agent.run("What is the capital of France?")
    assert result.output == "Paris is the capital of France."
    [body] = router.chat_bodies
    assert body["model"] == LLAMA and body["stream"] is False
    assert body["messages"] == [
        {"role": "system", "content": "You are a geography tutor."},
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is the capital of France?"},
    ]
    assert "tools" not in body and "tool_choice" not in body
    response = last_response(result)
    assert response.model_name == LLAMA
    assert response.provider_name == "HuggingFaceAPI"
    assert response.finish_reason == "stop"
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 7)
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.requests) == (
        12,
        7,
        1,
    )


async def test_run_stream_delivers_text_in_pieces(router: FakeRouter) -> None:
    text = "Streaming arrives in many small pieces, then stops."
    router.chat = ChatScript(content=text, chunk_size=4)
    agent = Agent(g4f_model())
    async with agent.run_stream("Tell me something") as result:
        deltas = [d async for d in result.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == text
    assert len(deltas) > 5
    [body] = router.chat_bodies
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    response = last_response(result)
    assert response.usage.input_tokens == 12 and response.usage.output_tokens == 7
    assert response.finish_reason == "stop" and response.model_name == LLAMA
    assert response.state == "complete"


async def test_stream_and_request_give_the_same_response(router: FakeRouter) -> None:
    router.chat = ChatScript(content="Same either way.", reasoning="Think first.")
    agent = Agent(g4f_model())
    whole = last_response(await run(agent, "hi", stream=False))
    streamed = last_response(await run(agent, "hi", stream=True))
    assert whole.parts == streamed.parts
    assert (whole.finish_reason, whole.model_name, whole.provider_name) == (
        streamed.finish_reason,
        streamed.model_name,
        streamed.provider_name,
    )
    assert whole.usage == streamed.usage


# --- tools, structured output, retries --------------------------------------------------


def weather_responder(body: dict[str, Any]) -> ChatScript:
    """Ask for the tool until its result is in the history, then answer with it."""
    results = [m["content"] for m in body["messages"] if m["role"] == "tool"]
    if not results:
        call = ToolCallScript("get_weather", json.dumps({"city": "Paris"}), id="call_w1")
        return ChatScript(content="", tool_calls=[call])
    return ChatScript(content=f"Right now: {results[-1]}")


@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_stream"])
async def test_tool_using_agent_answers_with_the_tool_result(
    router: FakeRouter, stream: bool
) -> None:
    calls: list[str] = []
    agent = Agent(g4f_model())

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The current weather in a city."""
        calls.append(city)
        return f"{city} is 21 degrees and sunny"

    router.chat_responder = weather_responder
    result = await run(agent, "What's the weather in Paris?", stream)
    assert await output(result, stream) == "Right now: Paris is 21 degrees and sunny"
    assert calls == ["Paris"]
    first, second = router.chat_bodies
    [tool] = first["tools"]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "get_weather"
    assert tool["function"]["description"] == "The current weather in a city."
    assert tool["function"]["parameters"]["properties"]["city"]["type"] == "string"
    assert first["tool_choice"] == "auto"
    assistant, tool_message = second["messages"][-2:]
    assert assistant["role"] == "assistant"
    [sent_call] = assistant["tool_calls"]
    assert sent_call["id"] == "call_w1"
    assert sent_call["function"]["name"] == "get_weather"
    assert json.loads(sent_call["function"]["arguments"]) == {"city": "Paris"}
    assert tool_message == {
        "role": "tool",
        "tool_call_id": "call_w1",
        "content": "Paris is 21 degrees and sunny",
    }
    call_response = [m for m in result.all_messages() if isinstance(m, ModelResponse)][0]
    assert call_response.finish_reason == "tool_call"
    assert isinstance(call_response.parts[-1], ToolCallPart)


class City(BaseModel):
    name: str
    country: str
    population: int


def city_responder(body: dict[str, Any]) -> ChatScript:
    """Arguments for ``final_result``; the first ones miss a field when ``incomplete`` is on."""
    retried = [m["content"] for m in body["messages"] if m["role"] == "tool"]
    arguments: dict[str, Any] = {"name": "Paris", "country": "France"}
    if retried or not body["messages"][-1]["content"].startswith("Retry:"):
        arguments["population"] = 2102650
    call = ToolCallScript("final_result", json.dumps(arguments), id=f"call_{len(retried)}")
    return ChatScript(content="", tool_calls=[call])


PARIS = City(name="Paris", country="France", population=2102650)


@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_stream"])
async def test_structured_output_into_a_pydantic_model(router: FakeRouter, stream: bool) -> None:
    router.chat_responder = city_responder
    result = await run(Agent(g4f_model(), output_type=City), "Describe Paris", stream)
    assert await output(result, stream) == PARIS
    [body] = router.chat_bodies
    [tool] = body["tools"]
    assert tool["function"]["name"] == "final_result"
    assert set(tool["function"]["parameters"]["properties"]) == {"name", "country", "population"}
    assert body["tool_choice"] == "required"


async def test_invalid_output_sends_a_retry_prompt(router: FakeRouter) -> None:
    router.chat_responder = city_responder
    result = await Agent(g4f_model(), output_type=City).run("Retry: describe Paris")
    assert result.output == PARIS
    first, second = router.chat_bodies
    retry = second["messages"][-1]
    assert retry["role"] == "tool" and retry["tool_call_id"] == "call_0"
    assert "population" in retry["content"]
    assert second["tool_choice"] == "required"


WEATHER = ToolDefinition(
    name="get_weather",
    description="The current weather in a city.",
    parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)
TIME = ToolDefinition(
    name="get_time",
    description="The local time in a city.",
    parameters_json_schema={"type": "object", "properties": {"city": {"type": "string"}}},
)


async def test_tool_choice_naming_one_tool_forces_it(router: FakeRouter) -> None:
    router.chat_responder = weather_responder
    response = await model_request(
        g4f_model(),
        [ModelRequest(parts=[UserPromptPart(content="Weather?")])],
        model_settings={"tool_choice": ["get_weather"]},
        model_request_parameters=ModelRequestParameters(function_tools=[WEATHER, TIME]),
    )
    [body] = router.chat_bodies
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert {t["function"]["name"] for t in body["tools"]} == {"get_weather", "get_time"}
    [call] = response.parts
    assert isinstance(call, ToolCallPart) and call.args_as_dict() == {"city": "Paris"}
    assert call.tool_call_id == "call_w1"


async def test_tool_or_output_limits_the_tools_sent(router: FakeRouter) -> None:
    await model_request(
        g4f_model(),
        [ModelRequest(parts=[UserPromptPart(content="Time?")])],
        model_settings={"tool_choice": ToolOrOutput(function_tools=["get_time"])},
        model_request_parameters=ModelRequestParameters(function_tools=[WEATHER, TIME]),
    )
    [body] = router.chat_bodies
    assert [t["function"]["name"] for t in body["tools"]] == ["get_time"]
    assert body["tool_choice"] == "auto"


# --- thinking ----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning", "think"])
@pytest.mark.parametrize("stream", [False, True], ids=["run", "run_stream"])
async def test_reasoning_arrives_as_thinking_parts(
    router: FakeRouter, field: str, stream: bool
) -> None:
    thought = "The user wants the capital of France. That is Paris."
    router.chat = ChatScript(content="Paris.", reasoning=thought, reasoning_field=field)
    result = await run(Agent(g4f_model()), "Capital of France?", stream)
    assert await output(result, stream) == "Paris."
    parts = last_response(result).parts
    assert [type(p) for p in parts] == [ThinkingPart, TextPart]
    assert parts[0].content == thought


async def test_thinking_effort_becomes_reasoning_effort(router: FakeRouter) -> None:
    await Agent(g4f_model()).run("hi", model_settings={"thinking": "low"})
    assert router.chat_bodies[0]["reasoning_effort"] == "low"


# --- settings, images, model ids ---------------------------------------------------------


async def test_settings_pass_through(router: FakeRouter) -> None:
    router.chat = ChatScript(content="one two END three")
    settings = {
        "temperature": 0.2,
        "max_tokens": 64,
        "top_p": 0.9,
        "seed": 7,
        "stop_sequences": ["END"],
        "extra_body": {"repetition_penalty": 1.1},
    }
    result = await Agent(g4f_model()).run("count", model_settings=settings)
    assert result.output == "one two "
    body = router.chat_bodies[0]
    assert (body["temperature"], body["max_tokens"], body["top_p"], body["seed"]) == (
        0.2,
        64,
        0.9,
        7,
    )
    assert body["stop"] == ["END"]
    assert body["repetition_penalty"] == 1.1


async def test_images_by_url_and_bytes(router: FakeRouter) -> None:
    data = png_bytes(2, 2)
    prompt = [
        "What is in these pictures?",
        ImageUrl(url="https://example.com/cat.png"),
        BinaryContent(data=data, media_type="image/png"),
    ]
    await Agent(g4f_model()).run(prompt)
    [message] = router.chat_bodies[0]["messages"]
    assert message["role"] == "user"
    assert message["content"] == [
        {"type": "text", "text": "What is in these pictures?"},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(data).decode()},
        },
    ]


async def test_g4f_model_ids_resolve_through_the_capability(router: FakeRouter) -> None:
    agent = Agent(
        "g4f:llama-3.3-70b", capabilities=[g4f_models(provider=HuggingFaceAPI, api_key=TOKEN)]
    )
    result = await agent.run("hi")
    assert result.output == "Paris is the capital of France."
    assert router.chat_bodies[0]["model"] == LLAMA


async def test_history_sends_thinking_back_as_reasoning() -> None:
    from g4f.integration._pydantic_ai_messages import map_messages

    history = [
        ModelRequest(parts=[UserPromptPart(content="hi")]),
        ModelResponse(parts=[ThinkingPart(content="greet back"), TextPart(content="Hello!")]),
    ]
    assert map_messages(history, None) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!", "reasoning": "greet back"},
    ]


async def test_stream_events_carry_thinking_text_and_tool_calls(router: FakeRouter) -> None:
    router.chat = ChatScript(
        content="Checking.",
        reasoning="Need the weather tool.",
        tool_calls=[ToolCallScript("get_weather", '{"city": "Oslo"}', id="call_o")],
        chunk_size=3,
    )
    messages = [ModelRequest(parts=[UserPromptPart(content="Weather in Oslo?")])]
    params = ModelRequestParameters(function_tools=[WEATHER])
    async with model_request_stream(
        g4f_model(), messages, model_request_parameters=params
    ) as stream:
        events = [event async for event in stream]
        response = stream.get()
    starts = [e.part for e in events if isinstance(e, PartStartEvent)]
    assert [type(p) for p in starts] == [ThinkingPart, TextPart, ToolCallPart]
    assert sum(isinstance(e, PartDeltaEvent) for e in events) > 4
    thinking, text, call = response.parts
    assert thinking.content == "Need the weather tool." and text.content == "Checking."
    assert call.tool_name == "get_weather" and call.args_as_dict() == {"city": "Oslo"}
    assert response.finish_reason == "tool_call" and response.state == "complete"
    assert response.usage.input_tokens == 12


async def test_images_returned_by_a_tool_follow_in_a_user_message(router: FakeRouter) -> None:
    data = png_bytes(3, 3)
    agent = Agent(g4f_model())

    @agent.tool_plain
    def snapshot() -> BinaryContent:
        """A picture of the room."""
        return BinaryContent(data=data, media_type="image/png")

    def responder(body: dict[str, Any]) -> ChatScript:
        if any(m["role"] == "tool" for m in body["messages"]):
            return ChatScript(content="A red room.")
        return ChatScript(content="", tool_calls=[ToolCallScript("snapshot", "{}", id="call_s")])

    router.chat_responder = responder
    assert (await agent.run("What does the room look like?")).output == "A red room."
    messages = router.chat_bodies[1]["messages"]
    tool_index = next(i for i, m in enumerate(messages) if m["role"] == "tool")
    assert messages[tool_index]["tool_call_id"] == "call_s"
    follow = messages[tool_index + 1]
    assert follow["role"] == "user"
    images = [p["image_url"]["url"] for p in follow["content"] if p["type"] == "image_url"]
    assert images == ["data:image/png;base64," + base64.b64encode(data).decode()]


async def test_a_shared_client_supplies_provider_and_key(router: FakeRouter) -> None:
    client = AsyncClient(provider=HuggingFaceAPI, api_key=TOKEN)
    result = await Agent(G4FModel("llama-3.3-70b", client=client)).run("hi")
    assert last_response(result).provider_name == "HuggingFaceAPI"
    assert router.requests[0]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_models_compare_by_configuration_and_hide_the_key() -> None:
    assert G4FModel("a", HuggingFaceAPI) == G4FModel("a", HuggingFaceAPI)
    assert G4FModel("a", HuggingFaceAPI) != G4FModel("b", HuggingFaceAPI)
    assert G4FModel("a", api_key=TOKEN) != G4FModel("a")
    model = G4FModel("a", HuggingFaceAPI, api_key=TOKEN)
    assert TOKEN not in repr(model)
    assert model.model_id == "g4f:a" and model.system == "g4f"


async def test_native_output_sends_a_json_schema_response_format(router: FakeRouter) -> None:
    router.chat = ChatScript(content=PARIS.model_dump_json())
    result = await Agent(g4f_model(), output_type=NativeOutput(City)).run("Describe Paris")
    assert result.output == PARIS
    [body] = router.chat_bodies
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "City"
    assert set(response_format["json_schema"]["schema"]["properties"]) == {
        "name",
        "country",
        "population",
    }
    assert "tools" not in body
