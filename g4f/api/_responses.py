"""``POST /v1/responses``, ``GET`` and ``DELETE /v1/responses/{id}``: OpenAI's Responses API.

The body is mapped to a chat request by :mod:`g4f.protocols.responses`, answered by
the same client call as the chat route, and the answer rendered by
:mod:`g4f.protocols.responses_events`. With ``store`` (OpenAI's default: true) the
finished response and the conversation that continues it are kept in the
response store, so ``previous_response_id`` and ``GET /v1/responses/{id}`` work.
Errors keep the OpenAI shape of the rest of the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..protocols._common import FieldError
from ..protocols.responses import ResponsesRequest, output_messages, parse_responses_request
from ..protocols.responses_events import ResponsesEncoder
from ..protocols.tokens import estimate_messages
from ..typing import Messages
from ._errors import ApiError, error_payload
from ._events import COMMENT, collect, encode, stream_events
from ._guard import make_expect_handler
from ._response_store import ResponseStore
from ._schema import parse_json

if TYPE_CHECKING:
    from ._routes import Routes

__all__ = ["ResponsesApi"]


def _not_found(response_id: str, param: str | None = None) -> ApiError:
    what = "Previous response" if param else "Response"
    return ApiError(
        404,
        f"{what} with id '{response_id}' not found.",
        code="previous_response_not_found" if param else "response_not_found",
        param=param,
    )


def failure(exc: BaseException) -> tuple[str, str]:
    """The ``error.code`` and message of a failed response, from the server's error map."""
    status, body, _ = error_payload(exc)
    code = "rate_limit_exceeded" if status == 429 else "server_error"
    return code, body["error"]["message"]


class ResponsesApi:
    """The Responses routes, sharing the chat route's client and in-flight tasks."""

    def __init__(self, routes: Routes, store: ResponseStore, keepalive: float) -> None:
        self.routes = routes
        self.store = store
        self.keepalive = keepalive

    def register(self, app: web.Application) -> None:
        # Refuse an oversized or unauthorised upload before 100 Continue, as every POST route.
        expect = make_expect_handler(self.routes.config)
        app.router.add_post("/v1/responses", self.create, expect_handler=expect)
        app.router.add_get("/v1/responses/{id}", self.retrieve)
        app.router.add_delete("/v1/responses/{id}", self.delete)

    async def create(self, request: web.Request) -> web.StreamResponse:
        try:
            body = parse_responses_request(parse_json(await request.read()))
        except FieldError as exc:
            raise ApiError(400, str(exc), param=exc.param) from None
        history: Messages = []
        if body.previous_response_id:
            record = await self.store.get(body.previous_response_id)
            if record is None:
                raise _not_found(body.previous_response_id, "previous_response_id")
            history = record["messages"]
        messages = body.conversation(history)
        if not messages:
            raise ApiError(400, "input: must not be empty", param="input")
        params = dict(body.params)
        key = self.routes._provider_key(request)
        if key:
            params["api_key"] = key
        chunks = self.routes.client.chat.completions.create(
            messages, body.model, body.provider, stream=True, **params
        )
        encoder = ResponsesEncoder(body, estimate_messages(messages, params.get("tools")))

        async def save() -> None:
            if body.store and encoder.status != "failed":
                await self._save(body, history, encoder)

        batches = encode(encoder, chunks, before_end=save)
        inflight = self.routes.inflight
        if not body.stream:
            await inflight.run(request, collect(batches))
            return web.json_response(encoder.response())

        def on_error(exc: BaseException) -> list[dict[str, Any]]:
            return encoder.fail(*failure(exc))

        return await inflight.run(
            request,
            stream_events(
                request, inflight, batches, encoder.start(), on_error, COMMENT, self.keepalive
            ),
        )

    async def _save(
        self, body: ResponsesRequest, history: Messages, encoder: ResponsesEncoder
    ) -> None:
        # The instructions are left out: a continuation brings its own, as with OpenAI.
        conversation = history + body.input_messages + output_messages(encoder.output)
        await self.store.put(encoder.id, {"response": encoder.response(), "messages": conversation})

    async def retrieve(self, request: web.Request) -> web.Response:
        response_id = request.match_info["id"]
        record = await self.store.get(response_id)
        if record is None:
            raise _not_found(response_id)
        return web.json_response(record["response"])

    async def delete(self, request: web.Request) -> web.Response:
        response_id = request.match_info["id"]
        if not await self.store.delete(response_id):
            raise _not_found(response_id)
        return web.json_response({"id": response_id, "object": "response", "deleted": True})
