"""Packaging: an installed digest (a wheel, not this checkout) carries its default theme; the
dependencies pyproject.toml declares are what digest imports, with argostranslate from argos-translate-lt."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions, requires

import pytest
from helpers import REPO, write_project

# Builds a wheel and a site from it.
pytestmark = pytest.mark.slow


def _checkout_copy(dest):
    """The files git tracks, as a clean clone would have them."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        source = REPO / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def test_a_wheel_builds_sites_with_its_own_default_theme(tmp_path):
    source = _checkout_copy(tmp_path / "src")
    build = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))",
         str(tmp_path / "dist")], cwd=source, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = tmp_path / "dist" / build.stdout.strip().splitlines()[-1]
    theme_files = {rel.relative_to(REPO / "themes/default").as_posix()
                   for rel in (REPO / "themes/default").rglob("*") if rel.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {f"digest/_theme/{rel}" for rel in theme_files} <= names
        assert "digest/serve/desk.js" in names  # digest serve's editor, read beside its module
        assert not [n for n in names if n.startswith(("tests/", "bench/", "themes/"))]
        archive.extractall(tmp_path / "installed")

    # A project with no themes/ folder, built by the unpacked wheel rather than the checkout.
    project = write_project(tmp_path / "project", {"content/2026-11-01-a.md": "---\ntitle: أ\n---\nنص.\n",
                                                   "digest.toml": '[translation]\nengine = "none"\n'})
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "installed"))
    where = subprocess.run([sys.executable, "-c", "import digest; print(digest.__file__)"], env=env,
                           capture_output=True, text=True, cwd=project)
    assert where.stdout.startswith(str(tmp_path / "installed")), where
    result = subprocess.run([sys.executable, "-m", "digest", "build", "-q"], env=env, capture_output=True,
                            text=True, cwd=project, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (project / "site/static/style.css").read_bytes() == (REPO / "themes/default/static/style.css").read_bytes()
    assert 'dir="rtl"' in (project / "site/articles/a/index.html").read_text(encoding="utf-8")


def _declared() -> set[str]:
    """Distribution names in pyproject.toml's dependencies, normalised."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[\[<>=!~; ]", dep, maxsplit=1)[0].lower().replace("_", "-") for dep in project["dependencies"]}


def _extras() -> set[str]:
    """Distribution names of pyproject.toml's optional extras digest itself imports from
    (all but ``test``: ``ray``, imported only when a cluster is asked for)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[\[<>=!~; ]", dep, maxsplit=1)[0].lower().replace("_", "-")
            for extra, deps in project["optional-dependencies"].items() if extra != "test" for dep in deps}


def _imported_by_digest() -> set[str]:
    """Top-level modules outside the standard library that digest's own code imports."""
    found = set()
    for path in (REPO / "digest").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"digest", "__future__"}


def test_every_module_digest_imports_comes_from_a_declared_dependency():
    providers = packages_distributions()
    declared = _declared() | _extras()
    imported = _imported_by_digest()
    assert {"argostranslate", "ctranslate2", "jinja2"} <= imported  # the walk sees lazy imports too
    undeclared = {module: providers.get(module) for module in imported
                  if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & declared}
    assert undeclared == {}


def test_argostranslate_comes_from_argos_translate_lt_without_stanza_or_torch():
    declared = _declared()
    assert {"argos-translate-lt", "ctranslate2", "sentencepiece"} <= declared
    assert "argostranslate" not in declared  # its stanza dependency brings torch (4 GB with CUDA)
    assert packages_distributions()["argostranslate"] == ["argos-translate-lt"], \
        "the argostranslate module must come from argos-translate-lt alone: run bash scripts/setup"
    wanted = {re.split(r"[\[<>=!~; ]", r, maxsplit=1)[0].lower() for r in requires("argos-translate-lt") or []}
    assert not wanted & {"stanza", "torch", "spacy"}
