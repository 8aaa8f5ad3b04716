"""Fuzzing the Gradio queue-message parser over HTTP: any /config, any queue/data messages.

A local Space answers ``/config`` and ``queue/data`` with what hypothesis draws
(valid Gradio messages with fuzzed fields, and arbitrary JSON); the chat and image
Space providers must finish or raise a typed error, never anything else.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from g4f.errors import G4FError
from g4f.Provider.hf_space.BlackForestLabs_Flux1Dev import BlackForestLabs_Flux1Dev
from g4f.Provider.hf_space.Qwen_Qwen_2_5 import Qwen_Qwen_2_5
from g4f.state import reset_state
from tests.fakes.server import FakeServer

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VALID_CONFIG = {
    "version": "5.9.1",
    "api_prefix": "/gradio_api",
    "dependencies": [
        {"id": 0, "api_name": "model_chat", "targets": [[3, "click"]]},
        {"id": 1, "api_name": "infer", "targets": [[4, "click"]]},
    ],
}

leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=3)
    | st.text(max_size=8)
    | st.sampled_from(["e1", "assistant", "user", "/tmp/a.png", "gradio.FileData"])
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["role", "content", "path", "url", "meta", "_type", "data", "error"])
            | st.text(max_size=4),
            inner,
            max_size=3,
        )
    ),
    max_leaves=12,
)
messages = st.lists(
    st.fixed_dictionaries(
        {
            "msg": st.sampled_from(
                [
                    "estimation",
                    "progress",
                    "log",
                    "process_generating",
                    "process_completed",
                    "unexpected_error",
                    "close_stream",
                    "heartbeat",
                    "other",
                ]
            ),
            "event_id": st.sampled_from(["e1", None, "other"]),
        },
        optional={
            "success": st.booleans() | values,
            "output": st.fixed_dictionaries({}, optional={"data": values, "error": values})
            | values,
            "rank": values,
            "queue_size": values,
            "progress_data": values,
            "log": values,
            "message": values,
        },
    )
    | values,
    max_size=6,
)
configs = st.just(VALID_CONFIG) | st.dictionaries(
    st.sampled_from(["api_prefix", "dependencies", "components", "version"]),
    values
    | st.lists(
        st.fixed_dictionaries(
            {"api_name": st.sampled_from(["model_chat", "infer"]) | values},
            optional={"id": values, "targets": values},
        ),
        max_size=3,
    ),
)


async def _config(request: web.Request) -> web.Response:
    return web.json_response(request.app["script"]["config"])


async def _join(request: web.Request) -> web.Response:
    await request.read()
    return web.json_response({"event_id": "e1"})


async def _data(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    for message in request.app["script"]["messages"]:
        await response.write(f"data: {json.dumps(message)}\n\n".encode())
    await response.write_eof()
    return response


@pytest.fixture(scope="module")
def space() -> Iterator[FakeServer]:
    app = web.Application()
    app["script"] = {"config": VALID_CONFIG, "messages": []}
    app.router.add_get("/config", _config)
    app.router.add_post("/gradio_api/queue/join", _join)
    app.router.add_get("/gradio_api/queue/data", _data)
    with FakeServer(app) as server:
        yield server


def _run(provider: Any, model: str, server: FakeServer) -> BaseException | None:
    async def go() -> None:
        stream = provider.create_async_generator(
            model, [{"role": "user", "content": "a cat"}], timeout=5, stream_timeout=2
        )
        async for _ in stream:
            pass

    reset_state()
    try:
        asyncio.run(asyncio.wait_for(go(), 20))
    except Exception as exc:  # noqa: BLE001 - the test inspects what was raised
        return exc
    return None


@pytest.mark.parametrize(
    ("provider", "model"),
    [(Qwen_Qwen_2_5, "qwen-2.5-72b"), (BlackForestLabs_Flux1Dev, "flux-dev")],
    ids=["chat", "image"],
)
def test_space_messages_give_a_result_or_a_typed_error(
    provider: Any, model: str, space: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(provider, "url", space.url)

    @FUZZ
    @given(configs, messages)
    def check(config: Any, script: list[Any]) -> None:
        space.app["script"].update(config=config, messages=script)
        error = _run(provider, model, space)
        assert error is None or isinstance(error, G4FError), repr(error)

    check()
