"""The layer rules (docs/adding-a-provider.md, "Layers"), checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "g4f"

# Module path prefixes (relative to g4f/, '/'-separated) → layer. Longest prefix wins.
LAYERS: dict[str, int] = {
    "__init__.py": 0,
    "version.py": 0,
    "errors.py": 0,
    "typing.py": 0,
    "config.py": 0,
    "debug.py": 0,
    "_secrets.py": 0,
    "_loop.py": 0,
    "inputs.py": 0,
    "requests/": 1,
    "state.py": 1,
    "state_redis.py": 1,
    "cookies.py": 1,
    "_cookie_files.py": 1,
    "model_tables.py": 1,
    # gpt4free's model objects: their best_provider is AnyProvider (layer 4).
    "models.py": 5,
    "providers/response.py": 1,
    "protocols/": 1,
    "providers/__init__.py": 2,
    "providers/types.py": 2,
    "providers/base_provider.py": 2,
    "providers/helper.py": 2,
    "providers/auth.py": 2,
    "providers/lookup.py": 2,
    "Provider/": 3,
    "providers/retry_provider.py": 4,
    "providers/engine.py": 4,
    "providers/any_provider.py": 4,
    "client/": 5,
    "api/": 6,
    "gui/": 6,
    "cli/": 6,
    "integration/": 6,
    "__main__.py": 6,
}

#: Upward imports allowed by name, each for a public path gpt4free code uses.
COMPAT_UPWARD: set[tuple[str, str]] = {
    # g4f.Provider.IterListProvider / RetryProvider / AnyProvider (gpt4free's import path)
    ("Provider/__init__.py", "providers/retry_provider.py"),
    ("Provider/__init__.py", "providers/any_provider.py"),
}

HTTP_LIBS = {"aiohttp", "curl_cffi", "requests", "httpx", "urllib3"}


def layer_of(rel: str) -> int:
    matches = [p for p in LAYERS if rel == p or (p.endswith("/") and rel.startswith(p))]
    if not matches:
        raise AssertionError(f"g4f/{rel} belongs to no layer: add it to LAYERS")
    return LAYERS[max(matches, key=len)]


def module_rel(module: str) -> str | None:
    """'g4f.providers.helper' → 'providers/helper.py' (or a package's __init__.py)."""
    if module != "g4f" and not module.startswith("g4f."):
        return None
    parts = module.split(".")[1:]
    base = ROOT.joinpath(*parts)
    if base.is_dir():
        return "/".join(parts + ["__init__.py"])
    return "/".join(parts) + ".py" if parts else "__init__.py"


def resolve(rel_file: str, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        package = ["g4f"] + rel_file.split("/")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    if node.module is None or node.level and not node.module:
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def imports(path: Path) -> list[tuple[str, int]]:
    rel = path.relative_to(ROOT).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found += [(name, node.lineno) for name in resolve(rel, node)]
    return found


MODULES = sorted(p for p in ROOT.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_layers(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    own = layer_of(rel)
    problems = []
    for name, line in imports(path):
        target = module_rel(name)
        if target is None:
            continue
        if not (ROOT / target).exists():
            continue  # 'from g4f.x import name' also lists g4f.x.name, which is not a module
        if layer_of(target) > own and (rel, target) not in COMPAT_UPWARD:
            problems.append(f"line {line}: {name} (layer {layer_of(target)}) from layer {own}")
    assert not problems, f"g4f/{rel} imports upward:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_only_requests_imports_http_libraries(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    found = imports(path)
    for name, line in found:
        top = name.split(".")[0]
        if top not in HTTP_LIBS:
            continue
        if rel.startswith("requests/"):
            continue
        # The API server is an aiohttp.web application: the server side only.
        if rel.startswith("api/") and name.startswith("aiohttp.web"):
            continue
        # 'from aiohttp import web' also lists 'aiohttp'; a bare 'import aiohttp' does not pass.
        if rel.startswith("api/") and name == "aiohttp" and ("aiohttp.web", line) in found:
            continue
        pytest.fail(
            f"g4f/{rel} line {line} imports {name}: only g4f/requests/ may import an HTTP client"
        )


def _family(rel: str) -> str | None:
    parts = rel.split("/")
    return parts[1] if parts[0] == "Provider" and len(parts) > 2 else None


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if _family(p.relative_to(ROOT).as_posix())],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_provider_families_stay_apart(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    family = _family(rel)
    for name, line in imports(path):
        target = module_rel(name)
        if target is None or not (ROOT / target).exists():
            continue
        other = _family(target)
        assert other in (None, family), f"g4f/{rel} line {line} imports the {other} family ({name})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_module_size(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    lines = len(path.read_text(encoding="utf-8").splitlines())
    is_provider = rel.startswith("Provider/") and Path(rel).stem[:1].isupper()
    limit = 300 if is_provider else 500
    assert lines <= limit, (
        f"g4f/{rel} has {lines} lines (limit {limit}): split it by responsibility"
    )


def test_every_module_has_future_annotations() -> None:
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in MODULES
        if p.read_text(encoding="utf-8").strip()
        and "from __future__ import annotations" not in p.read_text(encoding="utf-8")
    ]
    assert not missing, f"missing 'from __future__ import annotations': {missing}"
