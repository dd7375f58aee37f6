"""The package follows the stages of DESIGN.md in one direction (issue 14).

Every module is parsed (never imported) and every import is collected, at module top and
inside functions alike, relative or absolute. Stages, earliest first:

    core (errors, files, progress, bulk) < model < sources < query < analysis < pages < build < serve < cli

A module may import from its own stage or an earlier one; no two modules may import each other,
even through others; only cli.py imports click; only cli.py decides to build (``ensure_build``),
besides build/locate.py, which defines it and the library's no-argument conveniences.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

import mlops_kg

PACKAGE = Path(mlops_kg.__file__).resolve().parent
STAGES = ["core", "model", "sources", "query", "analysis", "pages", "build", "serve", "cli"]
CORE = {"mlops_kg", "mlops_kg.errors", "mlops_kg.files", "mlops_kg.progress", "mlops_kg.bulk"}
TOP_LEVEL_CLI = {"mlops_kg.cli", "mlops_kg.__main__", "mlops_kg._reference"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def stage_of(module: str) -> str:
    if module in CORE:
        return "core"
    if module in TOP_LEVEL_CLI:
        return "cli"
    return module.split(".")[1]


def imports_of(module: str) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every import in ``module``, as absolute names; ``from X
    import name`` counts as importing ``X.name`` when that is a module of the package."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def internal_imports():
    for module in MODULES:
        for target, line in imports_of(module):
            if target.split(".")[0] == "mlops_kg" and target != module:
                yield module, target, line


def test_every_module_has_a_known_stage():
    assert {stage_of(m) for m in MODULES} <= set(STAGES)
    assert set(STAGES) - {"core", "cli"} <= {m.split(".")[1] for m in MODULES if m.count(".") >= 1}


def test_no_module_imports_from_a_later_stage():
    wrong = [f"{m} ({stage_of(m)}) line {line} imports {t} ({stage_of(t)})"
             for m, t, line in internal_imports() if STAGES.index(stage_of(t)) > STAGES.index(stage_of(m))]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    graph = nx.DiGraph((m, t) for m, t, _line in internal_imports() if t in MODULES)
    cycles = sorted(" -> ".join(c + [c[0]]) for c in nx.simple_cycles(graph))
    assert not cycles, "\n".join(cycles)


def test_only_the_cli_imports_click():
    wrong = [f"{m} line {line}" for m in MODULES for t, line in imports_of(m)
             if t.split(".")[0] == "click" and m != "mlops_kg.cli"]
    assert not wrong


def test_only_the_cli_decides_to_build():
    wrong = []
    for module, path in MODULES.items():
        if module in ("mlops_kg.cli", "mlops_kg.build.locate"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "name", None) or getattr(node, "id", None) or getattr(node, "attr", None)
            if name == "ensure_build":
                wrong.append(f"{module} line {node.lineno}")
    assert not wrong, "readers take a build folder; the CLI finds it: " + ", ".join(wrong)


@pytest.mark.parametrize("source,expected", [
    ("from ..query.store import open_store", {"mlops_kg.query.store"}),
    ("def f():\n    from ..build import locate", {"mlops_kg.build.locate"}),
    ("import mlops_kg.serve", {"mlops_kg.serve"}),
])
def test_the_collector_sees_every_kind_of_import(tmp_path, monkeypatch, source, expected):
    """The rules above are only as good as the import collector: relative, absolute and
    function-level imports all count (a circle hidden in a function is still a circle)."""
    fake = PACKAGE / "analysis" / "_probe.py"
    monkeypatch.setitem(MODULES, "mlops_kg.analysis._probe", fake)
    monkeypatch.setattr(Path, "read_text", lambda self, **kw: source if self == fake else Path.read_bytes(self).decode())
    assert {t for t, _line in imports_of("mlops_kg.analysis._probe")} == expected
