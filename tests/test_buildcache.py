"""The persistent build cache (.digest-cache/build): a new builder (or process) reuses parsed
articles and keeps the pages the output folder already holds, and never trusts an entry
that is corrupt, truncated or made for another version or theme. Real files, real builds,
real subprocesses and kill -9s."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, fresh, site_files, write_project

import digest.content.store as store
from digest.build import Builder
from digest.config import load_config
from digest.events import Reporter, Warn

MANIFEST = ".digest-manifest.json"
DB = Path(".digest-cache/build/build.sqlite3")


def project(root: Path, articles: int = 12, search: bool = False, extra: str = "") -> Path:
    files = {"digest.toml": f'[site]\nsearch = {str(search).lower()}\n{extra}[translation]\nengine = "none"\n'}
    for i in range(articles):
        day = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        files[f"content/{day}-a{i}.md"] = (f"---\ntitle: خبر {i}\ntags: [وسم{i % 3}]\n---\n"
                                           f"نص الخبر رقم {i}.\n\nفقرة ثانية {i}.\n")
        files[f"content/{day}-a{i}.en.md"] = f"---\ntitle: News {i}\n---\nStory {i}.\n\nSecond paragraph {i}.\n"
    return write_project(root, files)


class Said(Reporter):
    def __init__(self) -> None:
        self.events: list = []

    def emit(self, event) -> None:
        self.events.append(event)

    @property
    def warnings(self) -> list[str]:
        return [e.message for e in self.events if isinstance(e, Warn)]


def build(root: Path, reporter: Reporter | None = None):
    """One build by a new builder: nothing in memory, as in a new process."""
    return Builder(load_config(root), reporter, translator=None).build()


def edit(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_new_builder_renders_nothing_and_writes_nothing_when_nothing_changed(tmp_path):
    root = project(tmp_path)
    first = build(root)
    assert first.rendered > 30 and first.written
    site = root / "site"
    before = site_files(site)
    inode = os.stat(site).st_ino
    manifest = (site / MANIFEST).read_bytes()
    said = Said()
    again = build(root, said)
    assert again.rendered == 0 and again.written == [] and again.removed == []
    assert os.stat(site).st_ino == inode  # no staged swap
    assert (site / MANIFEST).read_bytes() == manifest
    assert site_files(site) == before
    assert not said.warnings


def test_a_no_op_build_in_a_new_process_writes_nothing(tmp_path):
    root = project(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "digest", "build", "--project", str(root)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    inode = os.stat(root / "site").st_ino
    second = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    assert "(0 files written, 0 removed" in second.stdout
    assert os.stat(root / "site").st_ino == inode


def test_one_edit_renders_only_the_pages_that_show_it_and_the_site_is_as_built_from_nothing(tmp_path):
    root = project(tmp_path, articles=30)
    build(root)
    # What a long-lived builder (digest serve) renders again for the same edit.
    session = Builder(load_config(root), translator=None)
    session.build(write=False)
    article = next((root / "content").glob("*-a7.md"))
    edit(article, "سطر جديد.\n")
    in_memory = session.build(write=False).rendered
    result = build(root)
    assert 0 < result.rendered == in_memory < 20
    assert "articles/a7/index.html" in result.written
    assert len(result.written) <= result.rendered + 3  # plus sitemap, feeds: only what changed
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_added_and_removed_articles_give_the_same_site_as_a_build_from_nothing(tmp_path):
    root = project(tmp_path, articles=20)
    build(root)
    next((root / "content").glob("*-a3.md")).unlink()
    next((root / "content").glob("*-a3.en.md")).unlink()
    (root / "content/2026-05-05-new.md").write_text("---\ntitle: جديد\ntags: [وسم9]\n---\nنص جديد.\n",
                                                     encoding="utf-8")
    result = build(root)
    assert "articles/a3/index.html" in result.removed and "articles/new/index.html" in result.written
    assert not (root / "site/articles/a3").exists()
    assert site_files(root / "site") == fresh(root, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "entries"])
def test_a_damaged_cache_is_not_used_and_the_build_is_correct_and_quiet(tmp_path, damage):
    root = project(tmp_path)
    build(root)
    edit(next((root / "content").glob("*-a4.md")), "جملة أخرى.\n")
    db = root / DB
    if damage == "garbage":
        db.write_bytes(b"not a database at all" * 100)
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    elif damage == "truncated":
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = db.read_bytes()
        db.write_bytes(data[: len(data) // 3])
    else:
        # Entries of the right keys holding the wrong thing: other hashes, other types, another file's article.
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE pages SET value = '[\"' || substr(value, 3, 64) || 'ff\", 1]'")
            rows = conn.execute("SELECT key, value FROM articles").fetchall()
            values = [v for _, v in rows]
            conn.executemany("UPDATE articles SET value = ? WHERE key = ?",
                             [(values[(i + 1) % len(values)], k) for i, (k, _) in enumerate(rows)])
            conn.execute("UPDATE articles SET value = '{\"title\": 1}' WHERE rowid % 3 = 0")
    said = Said()
    result = build(root, said)
    # The edit itself is worth a warning (a4.en.md was made from the old Arabic); nothing else is.
    assert [w for w in said.warnings if "is out of date" not in w] == []
    assert len(said.warnings) == 1
    if damage == "entries":
        assert result.rendered > 30  # no page trusted without its file matching
    assert site_files(root / "site") == fresh(root, tmp_path)
    assert build(root).rendered == 0  # and the cache works again


def test_entries_of_another_digest_version_are_not_used(tmp_path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setattr(store, "__version__", "0.0.1-other")
    build(root)
    monkeypatch.undo()
    result = build(root)
    assert result.rendered > 30 and result.written == []  # rendered again, found identical
    assert build(root).rendered == 0


def test_another_theme_renders_again_and_matches_a_build_from_nothing(tmp_path):
    root = project(tmp_path, extra='theme = "mine"\n')
    theme = root / "themes/mine/templates"
    theme.mkdir(parents=True)
    (theme / "base.html").write_text('{% extends "default/base.html" %}', encoding="utf-8")
    build(root)
    (theme / "base.html").write_text('{% extends "default/base.html" %}{# v2 #}{% block head %}'
                                     '{{ super() }}<meta name="v" content="2">{% endblock %}', encoding="utf-8")
    result = build(root)
    assert result.rendered > 30
    assert b'<meta name="v" content="2">' in (root / "site/index.html").read_bytes()
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_deleting_the_cache_is_safe(tmp_path):
    root = project(tmp_path)
    build(root)
    before = site_files(root / "site")
    shutil.rmtree(root / ".digest-cache")
    result = build(root)
    assert result.rendered > 30 and result.written == []
    assert site_files(root / "site") == before


def test_a_file_changed_in_the_output_folder_is_written_again(tmp_path):
    root = project(tmp_path)
    build(root)
    page = root / "site/articles/a1/index.html"
    good = page.read_bytes()
    page.write_bytes(b"vandalised")
    result = build(root)
    assert result.written == ["articles/a1/index.html"] and page.read_bytes() == good


def test_the_search_index_is_kept_when_the_pages_it_indexes_are_unchanged(tmp_path):
    from digest.render.search import executable

    if executable() is None:
        pytest.skip("Pagefind is not installed")
    root = project(tmp_path, search=True)
    build(root)
    bundle = {p: d for p, d in site_files(root / "site").items() if p.startswith("pagefind/")}
    assert bundle
    shutil.rmtree(root / ".site.digest")
    result = build(root)
    assert result.written == [] and not any(p.startswith("search-") for p in os.listdir(root / ".site.digest"))
    edit(next((root / "content").glob("*-a2.en.md")), "A new English line about zebras.\n")
    result = build(root)
    assert any(p.startswith("pagefind/") for p in result.written)
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_build_killed_at_random_leaves_the_cache_usable(tmp_path):
    root = project(tmp_path, articles=150)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "digest", "build", "--project", str(root)]
    started = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    whole = time.monotonic() - started
    rng = random.Random(14)
    for round in range(4):
        for i in rng.sample(range(150), 20):
            edit(next((root / "content").glob(f"*-a{i}.md")), f"تعديل {round}.\n")
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, whole))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # The edits make their human translations out of date (said); nothing else is worth a warning.
    lines = (done.stdout + done.stderr).splitlines()
    assert [line for line in lines if "warning" in line and "is out of date" not in line] == []
    assert site_files(root / "site") == fresh(root, tmp_path)
    assert build(root).rendered == 0


def stored_keys(root: Path) -> dict[str, set[str]]:
    db = sqlite3.connect(root / DB)
    try:
        return {table: {key for (key,) in db.execute(f"SELECT key FROM {table}")} for table in store.TABLES}
    finally:
        db.close()


def test_edit_builds_leave_only_what_the_last_build_used(tmp_path):
    from digest.render.search import executable

    search = executable() is not None
    root = project(tmp_path / "p", articles=30, search=search)
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "digest", "build", "--project", str(root), *args],
                              env=env, check=True, capture_output=True, text=True)

    cli()
    first = stored_keys(root)
    article = next((root / "content").glob("*-a7.md"))
    for n in range(4):
        edit(article, f"سطر جديد رقم {n}.\n")
        cli()
    kept = stored_keys(root)
    assert len(kept["memo"]) == 1
    assert {t: len(k) for t, k in kept.items()} == {t: len(k) for t, k in first.items()}
    assert "nothing changed" in cli().stdout  # the memo of the last build is there
    # Exactly the keys a build of this content from nothing stores: no older build's entry.
    built = site_files(root / "site")
    for gone in ("site", ".digest-cache", ".site.digest"):
        shutil.rmtree(root / gone)
    cli()
    cold = stored_keys(root)
    assert all(kept[t] == cold[t] for t in ("articles", "pages", "bundles"))
    assert site_files(root / "site") == built


def test_a_build_without_search_keeps_the_search_bundles(tmp_path):
    from digest.render.search import executable

    if executable() is None:
        pytest.skip("Pagefind is not installed")
    root = project(tmp_path, articles=20, search=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "digest", "build", "--project", str(root)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    bundles = stored_keys(root)["bundles"]
    edit(next((root / "content").glob("*-a3.md")), "سطر جديد.\n")
    subprocess.run(command + ["--no-search"], env=env, check=True, capture_output=True)
    after = stored_keys(root)
    assert after["bundles"] == bundles and len(after["memo"]) == 1
