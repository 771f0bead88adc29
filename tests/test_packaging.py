"""An installed digest (a wheel, not this checkout) carries its default theme."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

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
