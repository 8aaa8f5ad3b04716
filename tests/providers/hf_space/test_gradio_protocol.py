"""The Gradio protocol helpers against a misbehaving Space (the real one never misbehaves)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from g4f.errors import (
    NetworkError,
    ResponseError,
    ResponseStatusError,
    StreamParseError,
    TimeoutError,
)
from g4f.Provider.hf_space import BlackForestLabs_Flux1Dev
from g4f.Provider.hf_space._gradio import apply_diff, space_error
from g4f.providers.response import ImagePreview, ImageResponse
from tests.fakes.server import FakeServer, cut_connection, open_sse, write_sse

FILE = {"path": "/tmp/a.png", "url": None, "meta": {"_type": "gradio.FileData"}}


async def config(request: web.Request) -> web.Response:
    if request.app["state"]["mode"] == "sleeping":
        page = "<!DOCTYPE html><html><head><title>Space is paused</title></head><body>zzz</body></html>"
        return web.Response(text=page, status=503, content_type="text/html")
    return web.json_response(
        {
            "version": "5.9.1",
            "api_prefix": "/gradio_api",
            "dependencies": [
                {"id": 0, "api_name": "other", "targets": [[1, "click"]]},
                {"id": 2, "api_name": "infer", "targets": [[4, "click"]]},
            ],
        }
    )


async def join(request: web.Request) -> web.Response:
    body = await request.json()
    request.app["state"]["joins"].append(body)
    if request.app["state"]["mode"] == "full":
        return web.json_response({"detail": "Queue is full."}, status=503)
    return web.json_response({"event_id": "e1"})


async def data(request: web.Request) -> web.StreamResponse:
    mode = request.app["state"]["mode"]
    request.app["state"]["data_queries"].append(dict(request.query))
    response = await open_sse(request)
    await write_sse(response, {"msg": "estimation", "event_id": "e1", "rank": 1, "queue_size": 3})
    if mode == "cut":
        cut_connection(request)
        return response
    if mode == "malformed":
        await response.write(b"data: {not json\n\n")
    elif mode == "unexpected":
        await write_sse(
            response, {"msg": "unexpected_error", "message": "Server stopped unexpectedly."}
        )
    elif mode == "stall":
        await asyncio.sleep(3)
    elif mode == "diff":
        first = {"msg": "process_generating", "event_id": "e1", "success": True}
        await write_sse(
            response, {**first, "output": {"data": [dict(FILE, path="/tmp/p0.png"), 1]}}
        )
        edits = [["replace", ["path"], "/tmp/p1.png"], ["add", ["meta", "step"], 1]]
        await write_sse(response, {**first, "output": {"data": [edits, [["replace", [], 2]]]}})
        await write_sse(response, {"msg": "heartbeat", "event_id": None})
        await write_sse(response, {"msg": "process_generating", "event_id": "other", "output": {}})
        done = {"data": [dict(FILE, path="/tmp/final.png"), 2], "is_generating": False}
        await write_sse(
            response,
            {"msg": "process_completed", "event_id": "e1", "success": True, "output": done},
        )
    await write_sse(response, {"msg": "close_stream", "event_id": None})
    return response


@pytest.fixture
def space(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    app = web.Application()
    app["state"] = {"mode": "diff", "joins": [], "data_queries": []}
    app.router.add_get("/config", config)
    app.router.add_post("/gradio_api/queue/join", join)
    app.router.add_get("/gradio_api/queue/data", data)
    with FakeServer(app) as server:
        # HF_SPACES_ENDPOINT without placeholders: every Space is this one server.
        monkeypatch.setenv("HF_SPACES_ENDPOINT", server.url)
        yield server


async def run(**kwargs: Any) -> list[Any]:
    messages = [{"role": "user", "content": "a cat"}]
    stream = BlackForestLabs_Flux1Dev.create_async_generator("flux-dev", messages, **kwargs)
    return [c async for c in stream]


async def test_join_body_and_diffs(space: FakeServer) -> None:
    chunks = await run(seed=5, randomize_seed=False, width=512, height=512)
    [join_body] = space.app["state"]["joins"]
    assert join_body["fn_index"] == 2 and join_body["trigger_id"] == 4
    assert join_body["data"] == ["a cat", 5, False, 512, 512, 3.5, 28]
    assert join_body["event_data"] is None
    assert space.app["state"]["data_queries"] == [{"session_hash": join_body["session_hash"]}]
    previews = [c.urls[0] for c in chunks if isinstance(c, ImagePreview)]
    assert previews == [
        f"{space.url}/gradio_api/file=/tmp/p0.png",
        f"{space.url}/gradio_api/file=/tmp/p1.png",
    ]
    final = [c for c in chunks if type(c) is ImageResponse]
    assert final[0].urls == [f"{space.url}/gradio_api/file=/tmp/final.png"]


@pytest.mark.parametrize(
    "mode, error, text",
    [
        ("full", ResponseError, "Queue is full"),
        ("cut", NetworkError, "connection"),
        ("malformed", StreamParseError, "malformed"),
        ("unexpected", ResponseError, "Server stopped unexpectedly"),
        ("close", ResponseError, "closed the stream"),
        ("sleeping", ResponseStatusError, "HTTP 503: Space is paused"),
    ],
)
async def test_misbehaviour_is_typed(space: FakeServer, mode: str, error: type, text: str) -> None:
    space.app["state"]["mode"] = mode
    with pytest.raises(error) as info:
        await run()
    assert text in str(info.value) and "<" not in str(info.value)


async def test_silent_space_times_out(space: FakeServer) -> None:
    space.app["state"]["mode"] = "stall"
    with pytest.raises(TimeoutError):
        await run(stream_timeout=0.3)


def test_apply_diff_actions() -> None:
    value = {"a": [1, 2, 3], "b": {"c": "x"}}
    diff = [
        ["append", ["b", "c"], "yz"],
        ["add", ["a", 1], 9],
        ["delete", ["a", 0], None],
        ["add", ["d"], True],
        ["delete", ["b", "c"], None],
        ["replace", ["a", 2], 7],
    ]
    assert apply_diff(value, diff) == {"a": [9, 2, 7], "b": {}, "d": True}
    assert value == {"a": [1, 2, 3], "b": {"c": "x"}}
    assert apply_diff("ab", [["append", [], "c"]]) == "abc"
    assert apply_diff([1], [["replace", [], [2]]]) == [2]
    with pytest.raises(ResponseError):
        apply_diff([], [["move", [0], 1]])


def test_space_error_text() -> None:
    error = space_error('No GPU <a href="x">here</a>. Try again later', "S")
    assert str(error) == "S: No GPU here . Try again later" and type(error) is ResponseError
    quota = space_error("You have exceeded your GPU quota. Try again in 1:00:05", "S")
    assert quota.retry_after == 3605 and quota.status_code == 429
    assert json.dumps(str(space_error(None, "S"))) == '"S: the Space reported an error"'


def _turn(role: str, text: str, parts: bool) -> dict[str, Any]:
    return {"role": role, "content": [{"type": "text", "text": text}] if parts else text}


@pytest.mark.parametrize("parts", [False, True])
def test_chat_history_in_messages_format(parts: bool) -> None:
    from g4f.Provider.hf_space.Qwen_Qwen_2_5 import _history

    example = [_turn("user", "Hi", parts)]
    expected = [
        _turn("assistant", "hello", parts),
        _turn("user", "a", parts),
        _turn("assistant", "b", parts),
    ]
    assert _history(HISTORY, example) == expected


def test_chat_history_in_tuples_format() -> None:
    from g4f.Provider.hf_space.Qwen_Qwen_2_5 import _history

    assert _history(HISTORY, [["Hi", "Hello"]]) == [[None, "hello"], ["a", "b"]]


HISTORY = [
    {"role": "system", "content": "s"},
    {"role": "assistant", "content": "hello"},
    {"role": "user", "content": "a"},
    {"role": "assistant", "content": [{"type": "text", "text": "b"}]},
    {"role": "user", "content": "c"},
    {"role": "user", "content": "now"},
]


@pytest.mark.parametrize(
    "info",
    [
        [],
        {"named_endpoints": []},
        {"named_endpoints": {"/x": []}},
        {"named_endpoints": {"/x": {"parameters": 3}}},
    ],
)
def test_malformed_api_info_is_typed(info: Any) -> None:
    from g4f.Provider.hf_space.GradioSpace import _endpoint

    with pytest.raises(ResponseError):
        _endpoint(info, None)
