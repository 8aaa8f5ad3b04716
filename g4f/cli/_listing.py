"""``g4f models`` and ``g4f providers``: readable tables, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from ._term import Term, term_width

__all__ = ["add_listing_parsers", "run_models", "run_providers", "table"]


def add_listing_parsers(sub: Any) -> None:
    models = sub.add_parser(
        "models", help="list the models (by default: every provider's, by alias)"
    )
    models.add_argument("-p", "--provider", default=None, help="only this provider's models")
    models.add_argument("--json", action="store_true", help="print JSON instead of a table")
    models.set_defaults(command="models")
    providers = sub.add_parser("providers", help="list the providers")
    providers.add_argument("--json", action="store_true", help="print JSON instead of a table")
    providers.set_defaults(command="providers")


#: A column is never shrunk below this many characters to fit the terminal.
MIN_COLUMN = 8


def _fit(widths: list[int], width: int | None) -> list[int]:
    """Shrink the widest columns until the row (with 2-space gaps) fits ``width``."""
    if width is None:
        return widths
    widths = list(widths)
    budget = width - 2 * (len(widths) - 1)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break  # nothing left to shrink: the terminal is too narrow, let it wrap
        widths[widest] = max(MIN_COLUMN, widths[widest] - (sum(widths) - budget))
    return widths


def _cut(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """Left-aligned columns fitted to ``width`` characters (``None``: cells are never cut)."""
    natural = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    widths = _fit(natural, width)
    cells = [[_cut(c, w) for c, w in zip(row, widths, strict=True)] for row in rows]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def _kind(cls: Any, model: str) -> str:
    for attr, label in (
        ("video_models", "video"),
        ("image_models", "image"),
        ("vision_models", "vision"),
    ):
        if model in getattr(cls, attr, ()):
            return label
    return "chat"


def run_models(args: argparse.Namespace, term: Term) -> int:
    if args.provider:
        from ..Provider import get_provider

        cls = get_provider(args.provider)
        names = list(cls.get_models()) if hasattr(cls, "get_models") else []
        aliases = {target: alias for alias, target in getattr(cls, "model_aliases", {}).items()}
        entries = [{"id": m, "type": _kind(cls, m), "alias": aliases.get(m)} for m in names]
        if args.json:
            term.line(json.dumps(entries, indent=2))
        else:
            rows = [[e["id"], e["type"], e["alias"] or ""] for e in entries]
            term.line(table(["MODEL", "TYPE", "ALIAS"], rows, term_width(term.out)))
            term.line(f"\n{len(rows)} models of {cls.__name__}")
        return 0
    from ..providers.any_provider import get_model_map

    model_map = get_model_map()
    if args.json:
        data = [{"id": name, "providers": list(served)} for name, served in model_map.items()]
        term.line(json.dumps(data, indent=2))
        return 0
    rows = [[name, ", ".join(served)] for name, served in model_map.items()]
    term.line(table(["MODEL", "PROVIDERS"], rows, term_width(term.out)))
    term.line(f"\n{len(rows)} models")
    return 0


def run_providers(args: argparse.Namespace, term: Term) -> int:
    from ..errors import G4FError
    from ..Provider import get_provider, provider_names

    entries = []
    for name in provider_names():
        try:
            cls = get_provider(name)
        except (G4FError, ImportError) as exc:
            entries.append(
                {
                    "name": name,
                    "working": False,
                    "needs_auth": None,
                    "models": 0,
                    "url": "",
                    "note": str(exc),
                }
            )
            continue
        models = cls.get_models() if hasattr(cls, "get_models") else []
        entries.append(
            {
                "name": name,
                "working": bool(getattr(cls, "working", True)),
                "needs_auth": bool(getattr(cls, "needs_auth", False)),
                "models": len(models),
                "url": getattr(cls, "url", ""),
            }
        )
    if args.json:
        term.line(json.dumps(entries, indent=2))
        return 0

    def yes(value: Any) -> str:
        return "?" if value is None else ("yes" if value else "no")

    rows = [
        [e["name"], yes(e["working"]), yes(e["needs_auth"]), str(e["models"]), e["url"]]
        for e in entries
    ]
    term.line(table(["PROVIDER", "WORKING", "AUTH", "MODELS", "URL"], rows, term_width(term.out)))
    return 0
