"""HuggingChat: chat-ui at ``{HF_ENDPOINT}/chat`` with a logged-in cookie session.

A request creates (or continues) a chat-ui conversation and streams the answer's
``MessageUpdate`` lines (``docs/protocols/huggingchat.md``). Conversation state per
model comes back as a :class:`Conversation` chunk: pass it as ``conversation=`` to
continue, and only the new user message is sent. Credentials: see :mod:`.chat.auth`;
the steps of a turn: :mod:`.chat.turn`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar

from ...errors import (
    InvalidRequestError,
    MissingAuthError,
    ModelNotFoundError,
    ResponseError,
    is_html,
)
from ...inputs import join_url
from ...model_tables import (
    CHAT_ALIASES,
    DEFAULT_MODEL,
    DEFAULT_VISION_MODEL,
    IMAGE_ALIASES,
    IMAGE_MODELS,
    TEXT_MODELS,
    VISION_MODELS,
)
from ...providers.base_provider import AsyncAuthedProvider, ProviderModelMixin
from ...providers.helper import format_media_prompt
from ...providers.response import AuthResult, JsonConversation
from ...typing import Messages
from .chat.api import chat_base, message_form, origin_of, parse_models, read_json
from .chat.auth import LOGIN_HINT, has_stored_credentials, iter_credentials
from .chat.files import collect_uploads, file_parts
from .chat.stream import iter_message_updates, require_capabilities
from .chat.tools import ToolTracker, mcp_selection
from .chat.turn import open_turn, stop_on_close

__all__ = ["HuggingChat", "Conversation"]

_TEXT = list(dict.fromkeys([*TEXT_MODELS, "omni"]))
_SERVED = set(_TEXT) | set(VISION_MODELS) | set(IMAGE_MODELS)


class Conversation(JsonConversation):
    """HuggingChat state: ``models[model] = {"conversationId", "messageId"[, "files"]}``.

    ``files`` lists chat-ui's hashes of the files uploaded to that conversation, so
    the same file is sent again by hash, not re-uploaded.
    """

    def __init__(self, models: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(models={k: dict(v) for k, v in (models or {}).items()}, **kwargs)


def _models_of(conversation: Any) -> dict[str, Any]:
    if isinstance(conversation, JsonConversation):
        models = conversation.get_dict().get("models")
    elif isinstance(conversation, Mapping):
        models = conversation.get("models")
    else:
        models = None
    if not isinstance(models, Mapping):
        return {}
    return {k: v for k, v in models.items() if isinstance(v, Mapping) and v.get("conversationId")}


class HuggingChat(AsyncAuthedProvider, ProviderModelMixin):
    """HuggingChat (chat-ui) with the ``hf-chat`` + ``token`` cookie session."""

    label = "HuggingChat"
    url = "https://huggingface.co/chat"
    login_url = "https://huggingface.co/chat"
    working = True
    needs_auth = True
    supports_stream = True
    default_model = DEFAULT_MODEL
    default_vision_model = DEFAULT_VISION_MODEL
    default_image_model = IMAGE_MODELS[0]
    models: ClassVar[list[str]] = _TEXT
    vision_models: ClassVar[list[str]] = list(VISION_MODELS)
    image_models: ClassVar[list[str]] = list(IMAGE_MODELS)
    model_aliases: ClassVar[dict[str, str]] = {
        alias: target
        for alias, target in {**CHAT_ALIASES, **IMAGE_ALIASES}.items()
        if target in _SERVED
    }
    #: Flags of the discovered models (``multimodal``, ``reasoning``), by id.
    model_info: ClassVar[dict[str, dict[str, bool]]] = {}

    @classmethod
    async def fetch_models(cls, **kwargs: Any) -> list[str]:
        """The listed models of ``/chat/api/v2/models`` plus the image models."""
        async with cls.open_session(
            impersonate="chrome", timeout=15, proxy=kwargs.get("proxy")
        ) as session:
            async with session.get(f"{chat_base()}/api/v2/models") as response:
                items = parse_models(await read_json(response, "listing models"))
        HuggingChat.model_info.clear()
        HuggingChat.model_info.update(
            {
                item["id"]: {
                    "multimodal": bool(item.get("multimodal")),
                    "reasoning": bool(item.get("supportsReasoning")),
                }
                for item in items
            }
        )
        return [item["id"] for item in items] + [
            m for m in cls.image_models if m not in cls.model_info
        ]

    @classmethod
    async def resolve_model(cls, model: str | None) -> str:
        """The chat-ui id for ``model``; unknown ids are looked up in the live list once."""
        try:
            return cls.get_model(model)
        except ModelNotFoundError:
            if not model:
                raise
        await cls.refresh_models()
        return cls.get_model(model)

    @classmethod
    def has_credentials(cls, api_key: Any = None, **kwargs: Any) -> bool:
        """True when cookies are passed, in the cookies dir or cached (a token is not enough)."""
        return has_stored_credentials(kwargs.get("cookies"), cls.read_auth_cache)

    @classmethod
    def login_hint(cls) -> str:
        return LOGIN_HINT

    @classmethod
    async def create_async_generator(  # type: ignore[override]
        cls, model: str, messages: Messages, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Resolve the model first (no login for a typo), then answer with credentials."""
        from contextlib import aclosing

        resolved = await cls.resolve_model(model)
        # Closing this stream closes the turn below at once (and so stops the generation).
        async with aclosing(super().create_async_generator(resolved, messages, **kwargs)) as stream:
            async for chunk in stream:
                yield chunk

    @classmethod
    async def on_auth_async(  # type: ignore[override]
        cls,
        cookies: Mapping[str, Any] | None = None,
        failed_auth: AuthResult | None = None,
        proxy: str | None = None,
        login_timeout: float | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """Credentials in the order of :mod:`.chat.auth`."""
        async for chunk in iter_credentials(
            cls.read_auth_cache,
            cookies=cookies,
            failed_auth=failed_auth,
            proxy=proxy,
            login_url=chat_base(),
            login_timeout=login_timeout,
        ):
            yield chunk

    @classmethod
    async def create_authed(  # type: ignore[override]
        cls,
        model: str,
        messages: Messages,
        auth_result: AuthResult,
        *,
        media: list[Any] | None = None,
        conversation: Any = None,
        return_conversation: bool = True,
        web_search: bool = False,
        mcp_servers: list[Any] | None = None,
        action: str | None = None,
        prompt: str | None = None,
        proxy: str | None = None,
        timeout: float | None = None,
        stream_timeout: float | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """One turn: find or create the model's conversation, send, stream the answer.

        ``web_search`` selects the Exa MCP server and requires web sources in the
        answer; an image model selects the Hugging Face MCP server and requires an
        image (:class:`MissingCapabilityError` otherwise). ``mcp_servers`` chooses the
        MCP servers (names, or ``{"name", "url", "headers"}`` dicts; ``[]``: none).
        ``action="variant"`` regenerates the last answer of ``conversation``.
        """
        if action not in (None, "next", "variant"):
            raise InvalidRequestError(
                f"{cls.__name__}: action must be 'next' or 'variant', not {action!r}",
                provider=cls.__name__,
            )
        is_image = model in cls.image_models
        chat_model = cls.default_model if is_image else model
        uploads = collect_uploads(media, messages)
        if (
            any(u.is_image for u in uploads)
            and cls.model_info.get(chat_model, {}).get("multimodal") is False
        ):
            raise InvalidRequestError(
                f"{cls.__name__}: {chat_model} does not read images; use a vision model "
                f"(e.g. {cls.default_vision_model}) or omni",
                provider=cls.__name__,
            )
        names, servers = mcp_selection(mcp_servers, web_search=web_search, image=is_image)
        image_prompt = format_media_prompt(messages, prompt) if is_image else ""
        inputs = f"Generate an image with the image tool: {image_prompt}" if is_image else None
        base = chat_base()
        state = Conversation(models=_models_of(conversation))
        async with cls.open_session(
            impersonate="chrome",
            cookies=getattr(auth_result, "cookies", None),
            headers=getattr(auth_result, "headers", None),
            proxy=proxy,
            timeout=timeout,
            stream_timeout=stream_timeout,
        ) as session:
            # chat-ui answers 404 to a post when the conversation is gone or another
            # user's: the turn then goes once more to a new conversation (the protocol's
            # own step, not a retry; the failover engine owns those).
            for first, known in ((True, state.models.get(model)), (False, None)):
                turn = await open_turn(
                    session,
                    base,
                    known,
                    chat_model=str(chat_model),
                    messages=messages,
                    regenerate=action == "variant" and first,
                    on_unknown_model=cls.refresh_models,
                    inputs=inputs,
                )
                sent = [] if turn.is_retry else uploads
                form = message_form(turn.data(names, servers), file_parts(sent, turn.known_files))
                url = join_url(base, "conversation", turn.conversation_id)
                headers = {"accept": "*/*", "origin": origin_of(base), "referer": url}
                async with session.post(url, form=form, headers=headers) as response:
                    if response.status == 404 and not turn.is_new:
                        # Deleted meanwhile or another user's: start over with the history.
                        continue
                    await response.raise_for_status()
                    if is_html("", response.content_type):
                        raise MissingAuthError(
                            "HuggingChat: sending a message returned a web page (the session is not logged in)",
                            provider=cls.__name__,
                        )
                    state.models[model] = turn.state([u.sha for u in sent])
                    if return_conversation:
                        yield state
                    tools = ToolTracker(image_prompt)
                    chunks = iter_message_updates(
                        response.iter_lines(),
                        file_url=lambda sha, at=url: join_url(
                            at, "output", sha, error=ResponseError
                        ),
                        prompt=image_prompt,
                        file_options={"cookies": session.cookies},
                        tools=tools,
                    )
                    if is_image or web_search:
                        chunks = require_capabilities(
                            chunks, tools, image=is_image, sources=web_search
                        )
                    async for chunk in stop_on_close(chunks, session, base, turn):
                        yield chunk
                    return
