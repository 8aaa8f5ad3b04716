"""The docs stay true to the code: the provider table and the README commands."""

from __future__ import annotations

from pathlib import Path

from tests.docs_gen import DOC, render

ROOT = Path(__file__).resolve().parents[1]


def test_provider_table_is_generated_from_the_registry() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "docs/providers.md is stale: run `python -m tests.docs_gen`"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    assert blocks[0] == "pip install -e . && g4f api"
    assert blocks[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pytest" in blocks[1]
