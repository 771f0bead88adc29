"""The whole-build memo: ``digest build`` in a new process with nothing changed does no work
and reports what the last build reported; any change of an input, or of the output folder by
hand, makes a real build whose site is a cold build's. Real subprocess builds in tmp_path."""

import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, site_files, write_project
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)
from PIL import Image

pytestmark = pytest.mark.slow  # every test starts several Python processes

MANIFEST = ".digest-manifest.json"
NOTHING = "nothing changed since the last build"
THEME = REPO / "themes" / "default" / "templates" / "base.html"


def png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def project(root: Path) -> Path:
    """Six articles (one with an image, one with an edits file, one without English), a bad
    file, a static file and a theme of its own: something of every kind a build reads."""
    files: dict[str, str | bytes] = {
        "digest.toml": '[site]\ntheme = "mine"\nsearch = false\n[translation]\nengine = "none"\n',
        "themes/mine/templates/base.html": THEME.read_text(encoding="utf-8"),
        "static/hello.txt": "hello\n",
        "content/pic.png": png((200, 30, 30)),
        "content/2026-03-01-broken.md": "---\ntitle: [unclosed\n---\nنص.\n",
        "content/2026-03-02-alone.md": "---\ntitle: خبر وحيد\n---\nنص بلا ترجمة.\n",
        "content/2026-03-02-alone.edits.toml": '[[edit]]\narabic = "نص بلا ترجمة."\nenglish = "A text."\n',
    }
    for i in range(5):
        day = f"2026-0{i % 2 + 1}-{i + 10}"
        image = "\n\n![صورة حمراء](pic.png)\n" if i == 0 else ""
        files[f"content/{day}-a{i}.md"] = f"---\ntitle: خبر {i}\ntags: [وسم{i % 2}]\n---\nنص الخبر {i}.{image}\n"
        files[f"content/{day}-a{i}.en.md"] = f"---\ntitle: News {i}\n---\nStory {i}.\n" + (
            "\n![A red picture](pic.png)\n" if i == 0 else "")
    return write_project(root, files)


def build(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "digest", "build", "--workers", "1", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=180)


def stamps(site: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino) for p in site.rglob("*")}


def cold(root: Path, tmp: Path, *args: str) -> dict[str, bytes]:
    """The site a build of ``root`` from nothing (no output, no cache) makes."""
    other = tmp / f"cold-{len(list(tmp.glob('cold-*')))}"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns("site", ".digest-cache"))
    made = build(other, *args)
    assert NOTHING not in made.stdout, made.stdout
    return site_files(other / "site")


@pytest.mark.parametrize("search", [False, True])
def test_a_no_op_build_does_nothing_and_reports_the_same_problems_and_exit_code(tmp_path, search):
    root = project(tmp_path / "p")
    if search:
        toml = root / "digest.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("search = false", "search = true"), encoding="utf-8")
    first = build(root)
    assert first.returncode == 0 and NOTHING not in first.stdout, first.stderr
    assert "broken.md" in first.stderr and "translations are pending" in first.stderr
    assert (root / "site/pagefind").is_dir() == search
    before = stamps(root / "site")
    second = build(root)
    assert NOTHING in second.stdout
    assert (second.returncode, second.stderr) == (first.returncode, first.stderr)
    assert "built 6 articles" in second.stdout and "0 files written" in second.stdout
    assert stamps(root / "site") == before  # nothing written, not even the manifest
    # --strict is a flag of the command, not of the build: the replay still fails it.
    strict = build(root, "--strict")
    assert NOTHING in strict.stdout and strict.returncode == 1 and "--strict" in strict.stderr
    assert stamps(root / "site") == before


@pytest.mark.parametrize("change", ["article", "edits file", "image", "static file", "theme template",
                                    "config key", "flag", "site file deleted", "site file edited",
                                    "record", "new file"])
def test_any_change_makes_a_real_build_equal_to_a_cold_one(tmp_path, change):
    root = project(tmp_path / "p")
    assert build(root).returncode == 0
    assert NOTHING in build(root).stdout
    args: tuple[str, ...] = ()
    if change == "article":
        (root / "content/2026-01-10-a0.md").write_text("---\ntitle: خبر معدل\n---\nنص جديد.\n", encoding="utf-8")
    elif change == "edits file":
        (root / "content/2026-03-02-alone.edits.toml").write_text(
            '[[edit]]\narabic = "نص بلا ترجمة."\nenglish = "Another text."\n', encoding="utf-8")
    elif change == "image":
        (root / "content/pic.png").write_bytes(png((20, 30, 220)))
    elif change == "static file":
        (root / "static/hello.txt").write_text("hello again\n", encoding="utf-8")
    elif change == "theme template":
        base = root / "themes/mine/templates/base.html"
        base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- mine --></body>"),
                        encoding="utf-8")
    elif change == "config key":
        toml = root / "digest.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace("[site]\n", '[site]\ntitle_en = "Other"\n'),
                        encoding="utf-8")
    elif change == "flag":
        args = ("--base-url", "https://news.example/")
    elif change == "site file deleted":
        (root / "site/index.html").unlink()
    elif change == "site file edited":
        (root / "site/en/index.html").write_text("edited by hand", encoding="utf-8")
    elif change == "record":
        # The Arabic a2's English was made from, as recorded, was another: its English is out of date.
        record = root / "translated-from.txt"
        lines = [line.split(" ") for line in record.read_text(encoding="utf-8").splitlines()]
        lines = [[p[0], "0" * 12, p[2]] if p[-1].endswith("a2.en.md") else p for p in lines]
        record.write_text("\n".join(" ".join(p) for p in lines) + "\n", encoding="utf-8")
    elif change == "new file":
        (root / "content/2026-03-03-new.md").write_text("---\ntitle: جديد\n---\nنص.\n", encoding="utf-8")
    again = build(root, *args)
    assert again.returncode == 0 and NOTHING not in again.stdout, again.stdout
    assert site_files(root / "site") == cold(root, tmp_path, *args)
    assert NOTHING in build(root, *args).stdout  # and the next one is a no-op again


def test_a_corrupt_memo_entry_is_a_miss_and_deleting_the_cache_is_safe(tmp_path):
    root = project(tmp_path / "p")
    build(root)
    made = site_files(root / "site")
    db = sqlite3.connect(root / ".digest-cache/build/build.sqlite3")
    with db:
        count = db.execute("UPDATE memo SET value = substr(value, 1, 20)").rowcount
    db.close()
    assert count == 1
    again = build(root)
    assert again.returncode == 0 and NOTHING not in again.stdout and "Traceback" not in again.stderr
    assert site_files(root / "site") == made
    shutil.rmtree(root / ".digest-cache")
    third = build(root)
    assert NOTHING not in third.stdout and site_files(root / "site") == made


def test_pending_translations_are_replayed_only_while_no_model_is_installed(tmp_path, argos_home, argosmodel):
    root = write_project(tmp_path / "p", {"content/2026-11-01-a.md": "---\ntitle: عنوان\n---\nنص الخبر.\n"})
    first = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert "models install ar en" in first.stderr and "translations are pending" in first.stderr
    second = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert NOTHING in second.stdout and (second.returncode, second.stderr) == (first.returncode, first.stderr)
    assert digest_cli("models", "install", "--file", str(argosmodel), env=argos_home).returncode == 0
    translated = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert NOTHING not in translated.stdout and "translated by" in translated.stdout, translated.stderr
    assert "pending" not in translated.stderr
    again = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert NOTHING in again.stdout and again.stderr == translated.stderr
    page = (root / "site/articles/a/en/index.html").read_text(encoding="utf-8")
    assert "translation coming soon" not in page
    # The model used is stamped: a file of it touched, then the package removed, are misses.
    package = next(Path(argos_home["ARGOS_PACKAGES_DIR"]).iterdir())
    some_file = next(f for f in sorted(package.rglob("*")) if f.is_file() and f.name != "metadata.json")
    os.utime(some_file, ns=(some_file.stat().st_atime_ns, some_file.stat().st_mtime_ns + 10**9))
    touched = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert NOTHING not in touched.stdout and "translated by" in touched.stdout, touched.stderr
    shutil.rmtree(package)
    gone = digest_cli("build", "--workers", "1", env=argos_home, cwd=root)
    assert NOTHING not in gone.stdout and "models install ar en" in gone.stderr


def test_a_build_whose_pagefind_failed_is_never_remembered(tmp_path):
    from digest.render.search import executable

    real = executable()
    if real is None:
        pytest.skip("Pagefind is not installed")
    # The real Pagefind, short of memory: it aborts on its first allocations past the limit
    # ("memory allocation of N bytes failed"), as it would on a machine out of memory.
    starved = tmp_path / "pagefind-starved"
    starved.write_text(f"#!/bin/sh\nulimit -v 60000\nexec '{real}' \"$@\"\n", encoding="utf-8")
    starved.chmod(0o755)
    root = project(tmp_path / "p")
    toml = root / "digest.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("search = false", "search = true"), encoding="utf-8")
    broken = dict(os.environ, PYTHONPATH=str(REPO), PAGEFIND_BINARY_PATH=str(starved))

    def run(env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "digest", "build", "--workers", "1"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=180)

    for _ in range(2):  # the failure is not replayed: Pagefind is run (and fails) again
        failed = run(broken)
        assert failed.returncode == 0 and NOTHING not in failed.stdout, failed.stdout
        assert "search is not built" in failed.stderr, failed.stderr
        assert not (root / "site/pagefind").exists()
    # Nothing the memo stamps changed, yet the next build with a working Pagefind indexes.
    mended = build(root)
    assert NOTHING not in mended.stdout and "search is not built" not in mended.stderr, mended.stderr
    assert (root / "site/pagefind/shards.json").is_file()
    assert NOTHING in build(root).stdout


def test_a_replay_repeats_problems_and_warnings_but_not_the_work_it_did_not_do(tmp_path):
    root = project(tmp_path / "p")
    (root / "content/2026-02-11-a1.md").write_text(  # a photo without alt text: a warning
        "---\ntitle: خبر 1\ntags: [وسم1]\n---\nنص الخبر 1.\n\n![](pic.png)\n", encoding="utf-8")
    first = build(root)
    assert "images: 1 processed" in first.stdout, first.stdout
    assert "has no alt text" in first.stderr and "broken.md" in first.stderr, first.stderr
    again = build(root)
    assert NOTHING in again.stdout and again.stderr == first.stderr
    # A no-op processed no image: it says what it did (nothing), then the summary.
    lines = again.stdout.splitlines()
    assert len(lines) == 2 and NOTHING in lines[0] and lines[1].startswith("built 6 articles"), again.stdout
    assert "images:" not in again.stdout
    # As a real build that found its image in the cache says nothing of images either.
    (root / "content/2026-02-11-a1.en.md").write_text("---\ntitle: News 1\n---\nStory one.\n", encoding="utf-8")
    real = build(root)
    assert NOTHING not in real.stdout and "images:" not in real.stdout and real.stderr == first.stderr, real.stdout


def table_sizes(root: Path) -> dict[str, int]:
    with sqlite3.connect(root / ".digest-cache/build/build.sqlite3") as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in tables}


def test_an_edit_with_search_leaves_the_store_as_large_and_is_remembered(tmp_path):
    # The memo key and the store's keys are worked out while Pagefind indexes the edit's shard.
    from digest.render.search import executable

    if executable() is None:
        pytest.skip("Pagefind is not installed")
    root = project(tmp_path / "p")
    toml = root / "digest.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("search = false", "search = true"), encoding="utf-8")
    assert build(root).returncode == 0
    sizes = table_sizes(root)
    article = next((root / "content").glob("*-a1.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nسطر جديد.\n", encoding="utf-8")
    edited = build(root)
    assert edited.returncode == 0 and NOTHING not in edited.stdout, edited.stderr
    # The edited article's old parse, pages and records were pruned, its new ones kept.
    assert table_sizes(root) == sizes and sizes["articles"] >= 6 and sizes["records"] == 6, sizes
    assert NOTHING in build(root).stdout
    assert site_files(root / "site") == cold(root, tmp_path)


STAGES = ("digest.build", "digest.buildmemo", "digest.content.articles", "digest.site.model", "digest.render.theme",
          "markdown_it", "jinja2", "argostranslate.package", "concurrent.futures.process")
LOADED = """
import sys
from digest import cli
code = cli.main()
print("loaded:", *sorted(m for m in {stages!r} if m in sys.modules))
sys.exit(code)
"""


def test_a_replayed_build_imports_none_of_digests_stages(tmp_path, argos_home, argosmodel):
    """A no-op ``digest build`` is answered before the stages (Markdown, Jinja, the renderer,
    argostranslate's lookup) are imported: their imports took longer than the question."""
    root = project(tmp_path / "p")
    (root / "digest.toml").write_text('[site]\ntheme = "mine"\n', encoding="utf-8")  # search on, a model installed
    assert digest_cli("models", "install", "--file", str(argosmodel), env=argos_home).returncode == 0

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", LOADED.format(stages=STAGES), "build", "--workers", "1", *args],
                              cwd=root, capture_output=True, text=True, timeout=180,
                              env=dict(os.environ, **argos_home, PYTHONPATH=str(REPO)))

    def loaded(done: subprocess.CompletedProcess) -> list[str]:
        return next(line.split()[1:] for line in done.stdout.splitlines() if line.startswith("loaded:"))

    first = run()
    assert first.returncode == 0 and NOTHING not in first.stdout and "translated by" in first.stdout, first.stderr
    assert {"digest.build", "markdown_it", "jinja2", "argostranslate.package"} <= set(loaded(first))
    again = run()
    assert again.returncode == 0 and NOTHING in again.stdout, again.stderr
    assert loaded(again) == []
    assert again.stderr == first.stderr  # the same problems and warnings, said again


def test_the_project_named_another_way_is_the_same_build_and_its_messages_stay_short(tmp_path):
    """The project's folder is made absolute when loaded: `digest build` in it, `--project .`,
    `--project p` from above and its absolute path share every cache key (they were a full
    build each, 30-40 s at 10,000 articles), and messages still name paths from where one is."""
    root = project(tmp_path / "p")
    first = build(root)
    assert "error: content/2026-03-01-broken.md: " in first.stderr and str(tmp_path) not in first.stderr
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for cwd, name, shown in ((root, ".", "content/"), (tmp_path, "p", "p/content/"), (tmp_path / "p/content", str(root),
                                                                                       "")):
        again = subprocess.run([sys.executable, "-m", "digest", "build", "--workers", "1", "--project", name], cwd=cwd,
                               env=env, capture_output=True, text=True, timeout=180)
        assert again.returncode == first.returncode and NOTHING in again.stdout, (name, again.stdout, again.stderr)
        assert f"error: {shown}2026-03-01-broken.md: " in again.stderr, again.stderr
    (root / "content/2026-03-02-alone.md").touch()  # a real build from elsewhere
    rendered = subprocess.run([sys.executable, "-m", "digest", "build", "--workers", "1", "--project", "p"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert NOTHING not in rendered.stdout and "p/content/2026-03-01-broken.md" in rendered.stderr
    assert "(0 files written, 0 removed" in rendered.stdout, rendered.stdout
