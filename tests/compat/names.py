"""gpt4free's public surface that user code and third-party providers touch, and where it
stands here. ``python -m tests.compat.names`` writes docs/compat.md from this table;
tests/compat/test_gpt4free.py imports every name and fails while the doc is stale.
"""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "compat.md"

#: (dotted name, status, the test that proves it). Status: "same" behaves as in gpt4free;
#: "kept" exists for code that imports or catches it, with the note saying what differs.
NAMES: list[tuple[str, str, str]] = [
    ("g4f.ChatCompletion.create", "same", "test_legacy_chat_completion_with_model_object"),
    ("g4f.ChatCompletion.create_async", "same", "test_legacy_chat_completion_with_model_object"),
    ("g4f.client.Client", "same", "test_gpt4free_style_provider_in_client"),
    ("g4f.client.AsyncClient", "same", "test_gpt4free_style_provider_in_client"),
    ("g4f.Provider.IterListProvider", "same", "test_providers_answering_nothing_are_skipped"),
    ("g4f.Provider.RetryProvider", "same", "test_retry_fronts_importable_from_provider"),
    ("g4f.Provider.RotatedProvider", "same", "test_retry_fronts_importable_from_provider"),
    ("g4f.Provider.AnyProvider", "same", "test_retry_fronts_importable_from_provider"),
    ("g4f.Provider.ProviderUtils.convert", "same", "test_retry_fronts_importable_from_provider"),
    ("g4f.providers.types.BaseProvider", "same", "test_gpt4free_style_provider_in_client"),
    ("g4f.providers.types.BaseRetryProvider", "same", "test_retry_fronts_importable_from_provider"),
    ("g4f.providers.types.ProviderType", "same", "test_every_name_imports"),
    ("g4f.providers.types.Streaming", "same", "test_every_name_imports"),
    (
        "g4f.providers.base_provider.AsyncGeneratorProvider",
        "same",
        "test_gpt4free_style_provider_in_client",
    ),
    ("g4f.providers.base_provider.ProviderModelMixin", "same", "test_every_name_imports"),
    ("g4f.providers.base_provider.AbstractProvider", "same", "test_every_name_imports"),
    ("g4f.providers.base_provider.AsyncProvider", "same", "test_every_name_imports"),
    ("g4f.providers.base_provider.AsyncAuthedProvider", "same", "test_every_name_imports"),
    ("g4f.models.Model", "same", "test_model_objects"),
    ("g4f.models.ModelUtils.convert", "same", "test_model_objects"),
    ("g4f.models.default", "same", "test_model_objects"),
    ("g4f.models.llama_3_3_70b", "same", "test_model_objects"),
    ("g4f.models.deepseek_r1", "same", "test_model_objects"),
    ("g4f.models.flux", "same", "test_model_objects"),
    ("g4f.providers.response.Reasoning.get_dict", "same", "test_response_objects"),
    ("g4f.providers.response.FinishReason", "same", "test_every_name_imports"),
    ("g4f.providers.response.Usage", "same", "test_every_name_imports"),
    ("g4f.providers.response.ToolCalls", "same", "test_every_name_imports"),
    ("g4f.providers.response.Sources", "same", "test_every_name_imports"),
    ("g4f.providers.response.ImageResponse", "same", "test_gpt4free_style_provider_in_client"),
    ("g4f.providers.response.VideoResponse", "same", "test_every_name_imports"),
    ("g4f.providers.response.JsonConversation", "same", "test_every_name_imports"),
    ("g4f.client.stubs.ChatCompletion.model_dump", "same", "test_response_objects"),
    ("g4f.client.stubs.ChatCompletion.model_construct", "same", "test_response_objects"),
    ("g4f.client.stubs.ChatCompletionChunk", "same", "test_every_name_imports"),
    ("g4f.client.stubs.ImagesResponse", "same", "test_images_response_format_other_is_url"),
    ("g4f.errors.G4FError", "same", "test_error_names"),
    ("g4f.errors.ProviderNotFoundError", "same", "test_error_names"),
    ("g4f.errors.ProviderNotWorkingError", "same", "test_error_names"),
    ("g4f.errors.StreamNotSupportedError", "same", "test_error_names"),
    ("g4f.errors.ModelNotFoundError", "same", "test_error_names"),
    ("g4f.errors.ModelNotAllowedError", "same", "test_error_names"),
    ("g4f.errors.RetryProviderError", "same", "test_error_names"),
    ("g4f.errors.RetryNoProviderError", "same", "test_error_names"),
    ("g4f.errors.VersionNotFoundError", "kept", "test_error_names"),
    ("g4f.errors.MissingRequirementsError", "same", "test_error_names"),
    ("g4f.errors.NestAsyncioError", "kept", "test_sync_client_inside_a_running_loop"),
    ("g4f.errors.MissingAuthError", "same", "test_error_names"),
    ("g4f.errors.PaymentRequiredError", "same", "test_error_names"),
    ("g4f.errors.NoMediaResponseError", "same", "test_error_names"),
    ("g4f.errors.ResponseError", "same", "test_error_names"),
    ("g4f.errors.ResponseStatusError", "same", "test_error_names"),
    ("g4f.errors.CloudflareError", "same", "test_error_names"),
    ("g4f.errors.BadRequestError", "same", "test_error_names"),
    ("g4f.errors.RateLimitError", "same", "test_error_names"),
    ("g4f.errors.NoValidHarFileError", "same", "test_error_names"),
    ("g4f.errors.TimeoutError", "same", "test_error_names"),
    ("g4f.errors.ConversationLimitError", "same", "test_error_names"),
    ("g4f.errors.ProviderException", "same", "test_error_names"),
    ("g4f.cookies.get_cookies", "same", "test_every_name_imports"),
    ("g4f.cookies.set_cookies", "same", "test_every_name_imports"),
    ("g4f.cookies.get_cookies_dir", "same", "test_every_name_imports"),
    ("g4f.cookies.set_cookies_dir", "same", "test_every_name_imports"),
    ("g4f.cookies.read_cookie_files", "same", "test_every_name_imports"),
]

#: What differs, per name (shown in the doc's last column).
NOTES: dict[str, str] = {
    "g4f.errors.NestAsyncioError": (
        "never raised: the sync API works inside a running event loop without nest_asyncio"
    ),
    "g4f.errors.VersionNotFoundError": "never raised: g4f makes no online version check",
    "g4f.providers.types.BaseProvider": "the base class of every provider here too",
    "g4f.models.Model": "its `best_provider` is AnyProvider (every provider serving the name)",
    "g4f.client.stubs.ImagesResponse": (
        "`response_format` other than `b64_json` returns the original URLs, as gpt4free"
    ),
    "g4f.Provider.IterListProvider": (
        "a provider yielding nothing or only `None` is skipped, as gpt4free"
    ),
}

BEGIN = "<!-- compat-table:begin -->"
END = "<!-- compat-table:end -->"

HEAD = """# Compatibility with gpt4free

Code written for gpt4free's `g4f` runs here unchanged where it uses the names below. The
table is generated from `tests/compat/names.py` (`python -m tests.compat.names`); the test
named in each row imports or exercises the name, and `test_every_name_imports` imports all
of them, so the table cannot claim a name that is missing.

Status: **same** — behaves as in gpt4free; **kept** — present so code that imports or
catches it keeps working, with the difference in the last column.

Better than gpt4free, on purpose: the sync `Client` and `g4f.ChatCompletion.create` work
inside a running event loop (Jupyter) without `nest_asyncio`; errors are typed with the
HTTP status, provider and a redacted body; one deadline (`timeout`) covers a whole call.

"""


def table() -> str:
    """The markdown table of every name."""
    rows = ["| Name | Status | Test | Note |", "|---|---|---|---|"]
    for name, status, test in NAMES:
        rows.append(f"| `{name}` | {status} | `{test}` | {NOTES.get(name, '')} |")
    return "\n".join(rows)


def render() -> str:
    """The whole of docs/compat.md."""
    return f"{HEAD}{BEGIN}\n{table()}\n{END}\n"


def main() -> None:
    DOC.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
