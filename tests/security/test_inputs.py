"""Inputs that name files, models or URLs: the rules of g4f.inputs, each proven on its own.

End-to-end proofs (server and Client against the fakes) are in test_inputs_e2e.py; the
property tests over every provider's real URL building are in test_inputs_urls.py.
"""

from __future__ import annotations

import builtins
import io
import string
from pathlib import Path
from typing import Any

import pytest
import yarl
from hypothesis import given, settings
from hypothesis import strategies as st

from g4f.client.service import model_name, normalize_messages
from g4f.errors import InvalidRequestError, ResponseError
from g4f.inputs import (
    check_media_url,
    check_message_media,
    check_model_id,
    data_uri_bytes,
    join_url,
    media_input,
    quote_path,
    split_space_model,
)
from tests.security._inputs_support import ATTACK_MODELS, model_ids, segment_values


@pytest.fixture
def no_open(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every ``open()`` attempt is recorded and refused."""
    opened: list[Any] = []

    def refuse(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(file)
        raise AssertionError(f"opened {file!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    return opened


# --- media URLs -----------------------------------------------------------------------------

ACCEPTED_URLS = [
    "https://example.org/cat.png",
    "http://127.0.0.1:8080/x?y=1",
    "HTTPS://EXAMPLE.ORG/A.PNG",
    "data:image/png;base64,iVBORw0KGgo=",
    "DATA:text/plain,hello",
]
REFUSED_URLS = [
    "/etc/passwd",
    "/etc/shadow",
    "./secret.txt",
    "secret.txt",
    "~/.ssh/id_rsa",
    "../../etc/passwd",
    "file:///etc/passwd",
    "FILE:/etc/passwd",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\x.png",
    "ftp://example.org/x.png",
    "javascript:alert(1)",
    "http://",
    "https:///etc/passwd",
    " https://example.org/x.png",
    "",
]


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_http_and_data_urls_are_media_urls(url: str) -> None:
    assert check_media_url(url) == url


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_anything_else_is_refused_without_touching_the_disk(url: str, no_open: list[Any]) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_media_url(url, "image_url")
    # One answer for every refused string: nothing tells whether such a file exists.
    assert str(caught.value) == "image_url must be an http(s):// URL or a data: URI"
    assert no_open == []


@pytest.mark.parametrize("value", [5, None, b"/etc/passwd", {"url": "/etc/passwd"}])
def test_a_media_url_must_be_a_string(value: Any) -> None:
    with pytest.raises(InvalidRequestError):
        check_media_url(value)


def _message(part: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "text", "text": "look"}, part]}]


MEDIA_PARTS = [
    {"type": "image_url", "image_url": {"url": "{u}"}},
    {"type": "image_url", "image_url": "{u}"},
    {"type": "input_image", "image_url": "{u}"},
    {"type": "video_url", "video_url": {"url": "{u}"}},
    {"type": "audio_url", "audio_url": {"url": "{u}"}},
    {"type": "file", "file": {"file_url": "{u}"}},
    {"type": "image", "source": {"type": "url", "url": "{u}"}},
]


def _fill(part: Any, url: str) -> Any:
    if isinstance(part, dict):
        return {k: _fill(v, url) for k, v in part.items()}
    return url if part == "{u}" else part


@pytest.mark.parametrize("part", MEDIA_PARTS, ids=lambda p: p["type"])
def test_every_media_part_of_a_message_is_checked(part: dict[str, Any], no_open: list[Any]) -> None:
    check_message_media(_message(_fill(part, "https://example.org/a.png")))
    for bad in ("/etc/passwd", "file:///etc/passwd", "./secret.txt"):
        with pytest.raises(InvalidRequestError, match=r"messages\[0\]\.content\[1\]"):
            check_message_media(_message(_fill(part, bad)))
    assert no_open == []


def test_text_that_looks_like_a_path_is_just_text() -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "/etc/passwd"}]}]
    assert normalize_messages(messages) == messages


def test_the_client_entry_refuses_a_local_path_in_a_message(no_open: list[Any]) -> None:
    with pytest.raises(InvalidRequestError):
        normalize_messages(_message({"type": "image_url", "image_url": {"url": "/etc/passwd"}}))
    assert no_open == []


# --- media= items ---------------------------------------------------------------------------


def test_media_items_bytes_file_objects_and_paths_are_local(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(b"PNGDATA")
    assert media_input(b"abc").data == b"abc"
    assert media_input(bytearray(b"abc"), "x.png").name == "x.png"
    assert media_input(io.BytesIO(b"abc")).data == b"abc"
    item = media_input(path)
    assert (item.data, item.name, item.url) == (b"PNGDATA", "photo.png", None)
    assert media_input("https://example.org/a.png").url == "https://example.org/a.png"


def test_a_string_in_media_is_a_url_never_a_file(tmp_path: Path, no_open: list[Any]) -> None:
    path = tmp_path / "photo.png"
    for value in (str(path), "photo.png", "file://" + str(path)):
        with pytest.raises(InvalidRequestError):
            media_input(value)
    assert no_open == []


def test_a_missing_path_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequestError, match="cannot read the file 'nope.png'"):
        media_input(tmp_path / "nope.png")


def test_a_text_mode_file_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("x")
    with path.open() as handle, pytest.raises(InvalidRequestError, match="binary"):
        media_input(handle)


def test_data_uris_decode_base64_and_percent_forms() -> None:
    assert data_uri_bytes("data:text/plain;base64,aGk=") == b"hi"
    assert data_uri_bytes("data:text/plain,h%69") == b"hi"
    with pytest.raises(InvalidRequestError):
        data_uri_bytes("data:image/png;base64")


# --- model ids ------------------------------------------------------------------------------

VALID_MODELS = [
    "",
    "gpt2",
    "omni",
    "openai/gpt-oss-120b",
    "meta-llama/Llama-3.3-70B-Instruct",
    "Qwen/Qwen2.5-72B-Instruct",
    "openai/gpt-oss-120b:fastest",
    "openai/gpt-oss-120b:cheapest",
    "openai/gpt-oss-120b:groq",
    "black-forest-labs/FLUX.1-dev:fal-ai",
    "llama-3.3-70b",
    "llama-3.3-70b:together",
    "space:black-forest-labs/FLUX.1-dev",
    "space:Qwen/Qwen2.5/model_chat",
    "a" * 96,
]
INVALID_MODELS = [
    *ATTACK_MODELS,
    "a--b",
    "a..b",
    "-a",
    "a-",
    ".a",
    "a.",
    "org/model.git",
    "a" * 97,
    "org/model:",
    ":fastest",
    "org/model:fast est",
    "space:owner",
    "space:owner/name/a/b",
    "space:owner/name/..",
    "space:owner/name/api name",
]


@pytest.mark.parametrize("model", VALID_MODELS)
def test_hub_ids_suffixes_spaces_and_aliases_are_accepted(model: str) -> None:
    assert check_model_id(model) == model
    assert model_name(model) == model


@pytest.mark.parametrize("model", INVALID_MODELS)
def test_anything_else_is_refused(model: str) -> None:
    with pytest.raises(InvalidRequestError, match="Invalid model id"):
        check_model_id(model)
    with pytest.raises(InvalidRequestError):
        model_name(model)


def test_a_known_alias_is_accepted_whatever_its_shape() -> None:
    assert check_model_id("odd alias!", {"odd alias!"}) == "odd alias!"
    with pytest.raises(InvalidRequestError):
        check_model_id("odd alias!")


def test_space_ids_split_into_id_and_endpoint() -> None:
    assert split_space_model("space:Qwen/Qwen2.5/model_chat") == ("Qwen/Qwen2.5", "model_chat")
    assert split_space_model("space:a/b") == ("a/b", None)


_REPO_ALPHABET = string.ascii_letters + string.digits + "-_./%?#\\@ ~"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=_REPO_ALPHABET, max_size=40)
    | st.from_regex(r"[\w.\-]{1,12}(/[\w.\-]{1,12})?", fullmatch=True)
)
def test_the_grammar_agrees_with_huggingface_hub(value: str) -> None:
    """Differential check against huggingface_hub's own validator (an oracle, not a copy).

    Only ASCII without ':' is compared: older huggingface_hub releases let Unicode word
    characters through, and ':' starts a routing suffix here.
    """
    validators = pytest.importorskip(
        "huggingface_hub.utils", reason="huggingface_hub (dev extra) is the oracle"
    )
    if not value.isascii():
        return
    try:
        validators.validate_repo_id(value)
        hub_ok = True
    except validators.HFValidationError:
        hub_ok = False
    try:
        check_model_id(value)
        ours = True
    except InvalidRequestError:
        ours = False
    # An empty model means "the default" here; the Hub has no such notion.
    assert ours == (hub_ok or value == "")


@settings(max_examples=300, deadline=None)
@given(model_ids)
def test_an_accepted_model_id_holds_no_url_syntax(model: str) -> None:
    try:
        check_model_id(model)
    except InvalidRequestError:
        return
    assert model.isascii() and model.isprintable()
    assert not any(c in model for c in "?#%\\ @")
    assert ".." not in model and "//" not in model


# --- URLs ----------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.lists(segment_values, min_size=1, max_size=4))
def test_join_url_makes_each_value_exactly_one_segment(segments: list[str]) -> None:
    base = "https://router.example:8443/prefix"
    try:
        url = join_url(base, *segments)
    except InvalidRequestError:
        # Refused: an empty value, a dot segment (also between / or \), or unencodable text.
        assert any(
            any(p in ("", ".", "..") for p in s.replace("\\", "/").split("/")) or not _encodable(s)
            for s in segments
        )
        return
    parsed = yarl.URL(url)  # what aiohttp sends (it normalizes dot segments and requotes)
    assert (parsed.scheme, parsed.host, parsed.port) == ("https", "router.example", 8443)
    assert parsed.raw_query_string == "" and parsed.raw_fragment == ""
    raw = parsed.raw_parts[1:]
    assert raw[0] == "prefix" and len(raw) == 1 + len(segments)
    assert [_decoded(r) for r in raw[1:]] == segments


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _decoded(raw_segment: str) -> str:
    from urllib.parse import unquote

    return unquote(raw_segment, errors="strict")


@pytest.mark.parametrize(
    "value", ["..", ".", "", "a/../b", "..\\x", "x/.", "//x", "a/", "\\x", "\udfff"]
)
def test_join_url_refuses_dot_segments_and_bad_text(value: str) -> None:
    with pytest.raises(InvalidRequestError):
        join_url("https://h/api/models", value)
    with pytest.raises(ResponseError):
        join_url("https://h/api/models", value, error=ResponseError)


def test_join_url_encodes_query_fragment_percent_and_backslash() -> None:
    assert (
        join_url("https://h/api", "a?b#c%2e%2e\\d/e", "é")
        == "https://h/api/a%3Fb%23c%252e%252e%5Cd%2Fe/%C3%A9"
    )


@settings(max_examples=300, deadline=None)
@given(segment_values)
def test_quote_path_keeps_slashes_but_no_dot_segment_or_query(path: str) -> None:
    try:
        quoted = quote_path(path)
    except InvalidRequestError:
        return
    url = yarl.URL("https://space.example/gradio_api/file=" + quoted)
    assert url.host == "space.example" and url.raw_query_string == "" and not url.raw_fragment
    assert url.path.startswith("/gradio_api/file=")


# --- the docs -------------------------------------------------------------------------------


def test_the_docs_section_names_only_tests_that_exist() -> None:
    import importlib
    import re

    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("## Inputs that name files, models or URLs", 1)[1].split("\n## ", 1)[0]
    named: list[tuple[str, str]] = []
    current = ""
    for path, name in re.findall(r"`(tests/security/test_inputs\w*\.py)?::(\w+)`", section):
        current = path or current
        named.append((current, name))
    assert len(named) >= 20
    for path, name in named:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert callable(getattr(module, name, None)), f"{path}::{name} is named in the docs"
