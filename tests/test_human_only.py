"""A site whose every article has a human translation waits for no model: no "no model
installed" warning, no "translations are pending" note, --strict passes. Tag names with no
English are the one thing a model (or the glossary) would add: a quiet note says so. Real
``digest build`` processes in an empty Argos home."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_project
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow  # each test starts Python processes

NAMES_NOTE = "some tag or source names have no translation"


def human_site(root: Path, glossary: str | None = None, machine: bool = False) -> Path:
    """Three articles with human translations and Arabic tags (as the benchmark corpus has),
    optionally a glossary, and one article without English."""
    files = {"digest.toml": "[site]\nsearch = false\n"}
    for i in range(3):
        files[f"content/2026-11-0{i + 1}-a{i}.md"] = f"---\ntitle: خبر {i}\ntags: [وسم{i}, اقتصاد]\n---\nنص الخبر {i}.\n"
        files[f"content/2026-11-0{i + 1}-a{i}.en.md"] = f"---\ntitle: News {i}\n---\nStory {i}.\n"
    if glossary is not None:
        files["content/glossary.toml"] = glossary
    if machine:
        files["content/2026-11-09-alone.md"] = "---\ntitle: خبر وحيد\n---\nنص بلا ترجمة.\n"
    return write_project(root, files)


def build(root: Path, env: dict[str, str], *args: str):
    return digest_cli("build", "--workers", "1", *args, env=env, cwd=root)


def test_human_translations_with_arabic_tags_need_no_model_and_say_so_quietly(tmp_path, argos_home):
    root = human_site(tmp_path / "p")
    first = build(root, argos_home, "--strict")
    assert first.returncode == 0, first.stderr
    assert "warning:" not in first.stderr and "model is installed" not in first.stderr, first.stderr
    assert "translations are pending" not in first.stderr
    assert NAMES_NOTE in first.stderr and "glossary.toml" in first.stderr
    page = (root / "site/articles/a0/en/index.html").read_text(encoding="utf-8")
    assert "coming soon" not in page and 'lang="ar"' in page  # the tag, shown as written
    again = build(root, argos_home, "--strict")  # replayed by the whole-build memo: the same words
    assert "nothing changed" in again.stdout and (again.returncode, again.stderr) == (0, first.stderr)


def test_tags_named_in_the_glossary_leave_nothing_to_say(tmp_path, argos_home):
    root = human_site(tmp_path / "p", glossary='[terms]\n"وسم0" = "Zero"\n"وسم1" = "One"\n"وسم2" = "Two"\n'
                                                 '"اقتصاد" = "Economy"\n')
    made = build(root, argos_home, "--strict")
    assert made.returncode == 0 and "note: some" not in made.stderr and "pending" not in made.stderr, made.stderr
    assert "warning:" not in made.stderr


def test_one_article_without_english_still_warns_and_notes_pending(tmp_path, argos_home):
    root = human_site(tmp_path / "p", machine=True)
    made = build(root, argos_home, "--strict")
    assert made.returncode == 1, made.stderr
    assert "no ar->en translation model is installed" in made.stderr
    assert "translations are pending" in made.stderr and NAMES_NOTE not in made.stderr


def test_an_installed_model_still_names_the_tags(tmp_path, argos_home, argosmodel):
    assert digest_cli("models", "install", "--file", str(argosmodel), env=argos_home).returncode == 0
    root = human_site(tmp_path / "p")
    made = build(root, argos_home)
    assert made.returncode == 0 and "translated by" in made.stdout, made.stdout + made.stderr
    assert "note: some" not in made.stderr and "pending" not in made.stderr
