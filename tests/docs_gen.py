"""Generate the provider table of docs/providers.md from the registry.

Run ``python -m tests.docs_gen`` after adding a provider; ``tests/test_docs.py``
fails while the committed table differs from the generated one.
"""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "providers.md"
BEGIN = "<!-- providers-table:begin -->"
END = "<!-- providers-table:end -->"


def provider_table() -> str:
    """The markdown table of every registered provider, from its declared facts."""
    from g4f.Provider import get_provider, provider_names
    from g4f.providers.base_provider import ProviderModelMixin

    rows = [
        "| Provider | Auth | Stream | Static models | Public names (examples) |",
        "|---|---|---|---|---|",
    ]
    for name in sorted(provider_names()):
        provider = get_provider(name)
        if not getattr(provider, "include_in_any", True) and getattr(provider, "parent", None):
            label = f"{name} (via {provider.parent})"
        else:
            label = name
        auth = "required" if provider.needs_auth else "optional"
        stream = "yes" if provider.supports_stream else "no"
        if issubclass(provider, ProviderModelMixin) and name != "AnyProvider":
            models = str(len(provider.static_models()))
            aliases = ", ".join(f"`{a}`" for a in sorted(provider.model_aliases)[:6]) or "—"
        else:
            models, aliases = "—", "every public name"
        rows.append(f"| {label} | {auth} | {stream} | {models} | {aliases} |")
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` with the table between the markers replaced by the generated one."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{provider_table()}\n{END}{tail}"


def main() -> None:
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
