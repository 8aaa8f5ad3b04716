"""Figures, targets, the JSON result file and the markdown table of ``docs/performance.md``."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Metric", "Target", "render_table", "write_json", "update_doc", "START", "END"]

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


@dataclass(frozen=True)
class Target:
    """A goal on the ``added`` figure (value − baseline), the ``ratio`` (value / baseline)
    or the ``value`` itself (a cost with no same-run counterpart, e.g. CPU per token)."""

    on: str  # "added" | "ratio" | "value"
    op: str  # "<=" | ">="
    bound: float
    unit: str = ""

    def met(self, added: float, ratio: float, value: float = math.nan) -> bool:
        figure = {"added": added, "ratio": ratio, "value": value}[self.on]
        return figure <= self.bound if self.op == "<=" else figure >= self.bound

    def __str__(self) -> str:
        if self.on == "ratio":
            return f"ratio {self.op.replace('<=', '≤').replace('>=', '≥')} {self.bound:g}×"
        sign = self.op.replace("<=", "≤").replace(">=", "≥")
        return f"{self.on} {sign} {self.bound:g} {self.unit}".rstrip()


@dataclass
class Metric:
    """One figure of g4f and its baseline, measured in the same run (medians of repeats)."""

    bench: str
    name: str
    value: float
    baseline: float
    unit: str
    baseline_name: str
    target: Target | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def added(self) -> float:
        return self.value - self.baseline

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else math.inf

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.target.met(self.added, self.ratio, self.value)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            added=self.added,
            ratio=self.ratio,
            met=self.met,
            target=str(self.target) if self.target else None,
        )
        return data


def _num(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def render_table(metrics: list[Metric]) -> str:
    """The markdown table of every figure."""
    lines = [
        "| # | figure | g4f | baseline | added | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for metric in metrics:
        met = {None: "–", True: "yes", False: "**no**"}[metric.met]
        unit = f" {metric.unit}" if metric.unit else ""
        name = metric.name + (f" ({metric.note})" if metric.note else "")
        lines.append(
            f"| {metric.bench} | {name} | {_num(metric.value)}{unit} | "
            f"{_num(metric.baseline)}{unit} ({metric.baseline_name}) | "
            f"{'+' if metric.added >= 0 else ''}{_num(metric.added)}{unit} | "
            f"{metric.ratio:.2f}× | {metric.target or '–'} | {met} |"
        )
    return "\n".join(lines)


def write_json(path: Path, metrics: list[Metric], machine: dict[str, Any], extra: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"machine": machine, "metrics": [m.as_dict() for m in metrics], "extra": extra}
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def _machine_text(machine: dict[str, Any]) -> str:
    text = (
        f"{machine['cpu']}, {machine['cpus']} CPUs, {machine['memory_gib']} GiB RAM; "
        f"{machine['os']}; Python {machine['python']}, aiohttp {machine['aiohttp']}; "
        f"g4f {machine['g4f']} at commit {machine['commit']}."
    )
    load = machine.get("load_average")
    if load:
        text += (
            " 1-minute load average at start / end: " + " / ".join(f"{v:.1f}" for v in load) + "."
        )
    return text


def generated_section(
    metrics: list[Metric],
    machine: dict[str, Any],
    gaps: list[str],
    seconds: float,
    peers_table: str = "",
) -> str:
    """The part of docs/performance.md the harness rewrites (``--write-docs``)."""
    parts = [
        START,
        f"Machine: {_machine_text(machine)} Full run took {seconds:.0f} s.",
        "",
        render_table(metrics),
    ]
    if peers_table:
        parts += [
            "",
            "Peers, as ratios to raw aiohttp on a reused session in the same rounds "
            "(higher is worse in every column):",
            "",
            peers_table,
        ]
    if gaps:
        parts += ["", *[f"- Not measured: {gap}" for gap in gaps]]
    parts.append(END)
    return "\n".join(parts)


def update_doc(path: Path, section: str) -> None:
    """Replace the generated section of ``path`` (keeps the hand-written text around it)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = head + section + tail
    else:
        text = f"# Performance\n\n{section}\n" + (f"\n{text}" if text else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
