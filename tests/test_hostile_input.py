"""Regressions from a fresh-eyes attack on the merged input and output guards: a YAML alias
bomb in front matter, a glossary or post-edits file linked out of content/, and a home folder
that ``HOME`` does not name. Real files, real links and FIFOs, ``digest build`` as a subprocess
under a timeout and a memory cap (a regression hangs or eats memory there, not in the run)."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest
from helpers import write_project
from test_input_safety import GOOD, errors, run_build, site_text

from digest.config import load_config
from digest.output.guard import State, places_of, refusals

pytestmark = pytest.mark.timeout(120)

LAUGHS = "---\ntitle: ضحك\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(10)) + "tags: *a9\n---\n\nنص.\n"
DECOY = "SECRET-TOKEN-XYZ"


def test_a_yaml_alias_bomb_is_refused_by_name_and_the_rest_is_built(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD, "content/laughs.md": LAUGHS})
    done = run_build(tmp_path, timeout=60)
    lines = errors(done.stderr)
    assert len(lines) == 1 and "laughs.md" in lines[0] and "aliases" in lines[0], done.stderr
    assert (tmp_path / "site/articles/good/index.html").is_file()


def test_a_glossary_linked_out_of_content_is_refused_without_reading_it(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD,
                             "outside/secret.toml": f'[terms]\n"api" = ["{DECOY}"]\n'})
    (tmp_path / "content/glossary.toml").symlink_to(tmp_path / "outside/secret.toml")
    done = run_build(tmp_path)
    assert done.returncode == 2 and "outside the content folder" in done.stderr, done.stderr
    assert DECOY not in done.stderr + done.stdout


def test_a_glossary_that_is_a_fifo_is_an_error_not_a_hang_or_silence(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD})
    os.mkfifo(tmp_path / "content/glossary.toml")
    done = run_build(tmp_path, timeout=60)
    assert done.returncode == 2 and "glossary.toml" in done.stderr and "FIFO" in done.stderr, done.stderr


def test_post_edits_linked_out_of_the_article_folder_are_not_read(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-good.md": GOOD,
                             "outside/leak.toml": f'[[edit]]\narabic = "نص الخبر الجيد."\nenglish = "{DECOY}"\n'})
    (tmp_path / "content/2026-11-01-good.edits.toml").symlink_to(tmp_path / "outside/leak.toml")
    done = run_build(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "good.edits.toml" in done.stderr and "outside the content folder" in done.stderr
    assert DECOY not in site_text(tmp_path) + done.stderr


def test_the_accounts_home_is_protected_when_home_names_another_folder(tmp_path, monkeypatch):
    decoy = tmp_path / "decoy-home"
    decoy.mkdir()
    monkeypatch.setenv("HOME", str(decoy))
    write_project(tmp_path / "p", {"content/2026-11-01-good.md": GOOD})
    places = places_of(load_config(tmp_path / "p"))
    account = Path(os.path.realpath(pwd.getpwuid(os.getuid()).pw_dir))
    assert places.home == decoy and account in places.other_homes
    # Only the pure check is asked about the real home: nothing is built there.
    assert any("home folder" in r for r in refusals(account, places, State()))
