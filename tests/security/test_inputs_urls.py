"""Property: whatever string is given as a model id (or comes back as an id), every URL a
provider builds stays under the route it was meant for.

Each test runs the provider's real code against the loopback fakes and reads the paths
exactly as the fakes received them (``raw_path``, still percent-encoded): a refused id
must have sent nothing, an accepted one only requests under the expected prefixes, and
the token only there. Ids a service hands back (conversation ids, provider ids, Gradio
file paths and prefixes) get the same property through the functions that place them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import yarl
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from g4f._loop import run_sync
from g4f.errors import G4FError, InvalidRequestError, ResponseError
from g4f.Provider.hf._inference_hub import clear_model_data
from g4f.Provider.hf._media_routes import MediaJob, route_url
from g4f.Provider.hf.HuggingChat import HuggingChat
from g4f.Provider.hf.HuggingFaceAPI import HuggingFaceAPI
from g4f.Provider.hf.HuggingFaceInference import HuggingFaceInference
from g4f.Provider.hf.HuggingFaceMedia import HuggingFaceMedia
from g4f.Provider.hf_space import GradioSpace, HuggingSpace
from g4f.Provider.hf_space._gradio import _parse_config, file_url
from g4f.state import reset_state
from tests.fakes import media as media_fake
from tests.fakes.chatui import ChatUIServer
from tests.fakes.hub import FakeHub, model_metadata
from tests.fakes.router import TOKEN, FakeRouter
from tests.security._inputs_support import (  # noqa: F401 - fixtures
    assert_no_token_elsewhere,
    assert_under,
    fake_chat,
    fake_hub,
    fake_router,
    model_ids,
    segment_values,
    under,
)

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def run(provider: Any, model: str, messages: Any = None, **kwargs: Any) -> BaseException | None:
    """Drive the provider to its end on g4f's loop; the typed error it raised, if any."""

    messages = messages or [{"role": "user", "content": "hi"}]

    async def drain() -> None:
        async for _ in provider.create_async_generator(model, messages, **kwargs):
            pass

    try:
        run_sync(drain())
    except G4FError as exc:
        return exc
    return None


def assert_routes(error: BaseException | None, sent: list[Any], prefixes: tuple[str, ...]) -> None:
    """A refused id sent nothing; everything else stayed under ``prefixes``."""
    note(f"{error!r} {[r['raw_path'] for r in sent]}")
    if isinstance(error, InvalidRequestError):
        assert sent == [], "a refused id still sent requests"
    assert_under(sent, prefixes)


@pytest.fixture
def endpoints(hub: FakeHub, router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", router.url)


@PROPERTY
@given(model=model_ids)
def test_hf_inference_hub_and_router_urls(
    model: str, hub: FakeHub, router: FakeRouter, endpoints: None
) -> None:
    clear_model_data()
    hub.models[model] = model_metadata(model)  # let an accepted id reach the router step too
    seen_hub, seen_router = len(hub.requests), len(router.requests)
    try:
        error = run(HuggingFaceInference, model, api_key=TOKEN)
    finally:
        hub.models.pop(model, None)
    sent_hub, sent_router = hub.requests[seen_hub:], router.requests[seen_router:]
    assert_routes(error, sent_hub, ("/api/models/",))
    assert_routes(error, sent_router, ("/hf-inference/models/", "/together/v1/images/generations"))
    assert_no_token_elsewhere(
        sent_hub + sent_router, TOKEN, ("/api/models/", "/hf-inference/", "/together/")
    )


def test_a_valid_id_does_reach_both_fakes(
    hub: FakeHub, router: FakeRouter, endpoints: None
) -> None:
    """The property above is not vacuous: an accepted id goes to the Hub, then the router."""
    model = "org.x/Some_Model-1.5"
    hub.models[model] = model_metadata(model)
    seen_hub, seen_router = len(hub.requests), len(router.requests)
    run(HuggingFaceInference, model, api_key=TOKEN)
    assert [r["raw_path"] for r in hub.requests[seen_hub:]] == [f"/api/models/{model}"]
    assert [r["raw_path"] for r in router.requests[seen_router:]] == [
        f"/hf-inference/models/{model}"
    ]


@PROPERTY
@given(model=model_ids)
def test_hf_api_sends_the_model_in_the_body_only(
    model: str, router: FakeRouter, endpoints: None
) -> None:
    seen = len(router.requests)
    error = run(HuggingFaceAPI, model, api_key=TOKEN)
    assert_routes(error, router.requests[seen:], ("/v1/chat/completions",))


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with media_fake.serve_media(media_fake.MediaState(fal_polls=0), monkeypatch) as server:
        yield server


_PROVIDERS = st.sampled_from(["fal-ai", "replicate", "novita", "hf-inference", "together"])


@PROPERTY
@given(
    model=model_ids,
    provider=_PROVIDERS | segment_values,
    provider_id=segment_values | st.sampled_from(["fal-ai/flux/dev", "owner/model:v1"]),
)
def test_hf_media_hub_and_route_urls(
    model: str, provider: str, provider_id: str, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Hub's mapping for this id names a provider and a provider id chosen by the attacker.
    entry = {"status": "live", "providerId": provider_id, "task": "text-to-image"}
    try:  # the id the provider will look up (an empty model means its default)
        looked_up = HuggingFaceMedia.get_model(model or HuggingFaceMedia.default_model)
        monkeypatch.setitem(media_fake.MODELS, looked_up.partition(":")[0], {provider: entry})
    except InvalidRequestError:
        pass
    reset_state()  # the cached provider mappings live in the run-time store
    seen = len(media.requests)
    error = run(
        HuggingFaceMedia, model, "a cat", api_key=media_fake.TOKEN, timeout=5, poll_interval=0.01
    )
    sent = media.requests[seen:]
    hub_calls = [r for r in sent if r["raw_path"].startswith("/api/")]
    assert_routes(error, sent, ("/",))
    assert_under(hub_calls, ("/api/models/",))
    for entry_sent in sent:
        if entry_sent in hub_calls:
            continue
        raw = entry_sent["raw_path"]
        # The first segment is the provider, whole; the rest stays under it.
        first = raw.split("?")[0].split("/")[1]
        assert unquote(first) == provider
        assert under(raw, f"/{first}/")


CHAT_MODEL = "openai/gpt-oss-120b"


def _chat_turn(chat: ChatUIServer, model: str, conversation_id: str) -> tuple[Any, list[Any]]:
    creds = chat.state.new_session()
    state = {"models": {model: {"conversationId": conversation_id, "messageId": "m"}}}
    seen = len(chat.requests)
    error = run(HuggingChat, model, cookies=creds, conversation=state)
    return error, chat.requests[seen:]


@PROPERTY
@given(model=model_ids | st.just(CHAT_MODEL), conversation_id=segment_values | st.just("0123abcd"))
def test_huggingchat_model_and_conversation_ids_stay_under_chat(
    model: str, conversation_id: str, chat: ChatUIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", chat.url)
    error, sent = _chat_turn(chat, model, conversation_id)
    assert_routes(error, sent, ("/chat/",))


def test_a_conversation_id_reaches_its_route(
    chat: ChatUIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not vacuous: a plain id is looked up at its own route, then a new conversation is made."""
    monkeypatch.setenv("HF_ENDPOINT", chat.url)
    error, sent = _chat_turn(chat, CHAT_MODEL, "0123abcd")
    assert error is None
    paths = [r["raw_path"] for r in sent]
    assert paths[0] == "/chat/api/v2/conversations/0123abcd"
    assert "/chat/conversation" in paths


@PROPERTY
@given(tail=model_ids)
def test_space_ids_reach_only_the_hub_jwt_route_and_their_space(
    tail: str, hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    # The Space host template, moved under a path of the fake so every request is seen.
    monkeypatch.setattr(GradioSpace, "url", hub.url + "/space-host/{subdomain}")
    seen = len(hub.requests)
    error = run(HuggingSpace, "space:" + tail, api_key=TOKEN)
    sent = hub.requests[seen:]
    assert_routes(error, sent, ("/api/spaces/", "/space-host/"))
    assert_no_token_elsewhere(sent, TOKEN, ("/api/spaces/",))


@settings(max_examples=300, deadline=None)
@given(tail=model_ids)
def test_an_accepted_space_id_names_a_plain_hf_space_host(tail: str) -> None:
    from g4f.inputs import split_space_model

    try:
        space, _ = split_space_model("space:" + tail)
    except InvalidRequestError:
        return
    url = yarl.URL(GradioSpace.space_url(space))
    assert url.scheme == "https" and url.raw_path in ("", "/") and url.user is None
    label, _, rest = (url.host or "").partition(".")
    assert (
        rest == "hf.space" and label and set(label) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    )


# --- values a service hands back ----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(path=segment_values)
def test_gradio_file_paths_stay_on_the_space(path: str) -> None:
    try:
        url = file_url("https://owner-name.hf.space", "/gradio_api", {"path": path})
    except ResponseError:
        return
    if not path:
        assert url is None
        return
    parsed = yarl.URL(url)
    assert parsed.host == "owner-name.hf.space" and parsed.raw_query_string == ""
    assert parsed.path.startswith("/gradio_api/file=") and not parsed.raw_fragment


@settings(max_examples=300, deadline=None)
@given(prefix=segment_values | st.sampled_from(["@evil.example", "//evil.example", "/gradio_api"]))
def test_a_gradio_api_prefix_is_a_path_on_the_space(prefix: str) -> None:
    try:
        config = _parse_config({"api_prefix": prefix, "dependencies": []})
    except ResponseError:
        return
    parsed = yarl.URL(f"https://owner-name.hf.space{config.api_prefix}/info")
    assert parsed.host == "owner-name.hf.space" and parsed.user is None
    assert parsed.raw_query_string == "" and not parsed.raw_fragment
    assert parsed.path.endswith("/info")


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(provider=_PROVIDERS | segment_values, provider_id=segment_values, video=st.booleans())
def test_media_route_urls_stay_under_their_provider(
    provider: str, provider_id: str, video: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ROUTER_ENDPOINT", "https://router.example")
    task = "text-to-video" if video else "text-to-image"
    try:
        url = route_url(MediaJob(provider, provider_id, task, "p", {}))
    except ResponseError:
        return
    parsed = yarl.URL(url)
    assert parsed.host == "router.example" and parsed.raw_query_string == ""
    assert unquote(parsed.raw_parts[1]) == provider
    assert under(parsed.raw_path, f"/{parsed.raw_parts[1]}/")
