"""The package layout holds: no import cycle (imports inside functions and under
TYPE_CHECKING counted), no module over 400 lines, and the import-linter contracts in
pyproject.toml fail on an import that goes against the layers."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

MAX_LINES = 400


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Every module of ``package`` -> the modules of it that it imports, wherever the
    import statement stands (module level, inside a function, under TYPE_CHECKING)."""
    root = package.parent
    files = {module_name(p, root): p for p in sorted(package.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                # "from . import x" names a module when x is one, else something in the package.
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            else:
                continue
            for target in targets:
                # "import a.b.c" depends on a.b.c; a name imported from a.b is a.b's.
                while target and target not in files:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_digest_has_no_import_cycle():
    graph = import_graph(REPO / "digest")
    assert len(graph) > 30 and graph["digest.build"], "the walk found digest's modules and imports"
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_check_sees_imports_inside_functions_and_type_checking(tmp_path):
    pkg = tmp_path / "decoy"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..c import C\n    return C\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\nC = 1\n")
    assert find_cycle(import_graph(pkg)) == ["decoy.a", "decoy.sub.b", "decoy.c", "decoy.a"]
    (pkg / "c.py").write_text("C = 1\n")
    assert find_cycle(import_graph(pkg)) is None


def test_no_module_is_over_400_lines():
    sizes = {p.relative_to(REPO).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in (REPO / "digest").rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    tool = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(tool), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)})


@pytest.mark.slow
def test_an_import_against_the_layers_breaks_the_contract(tmp_path):
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "digest", root / "digest", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root)
    kept = _lint_imports(root)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    # The site model reaching up to the renderer, even inside a function, is refused.
    model = root / "digest" / "site" / "model.py"
    model.write_text(model.read_text(encoding="utf-8")
                     + "\n\ndef _up():\n    from ..render.pages import Renderer\n    return Renderer\n",
                     encoding="utf-8")
    broken = _lint_imports(root)
    assert broken.returncode != 0 and "digest.site.model -> digest.render.pages" in broken.stdout, broken.stdout
