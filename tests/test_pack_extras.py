"""What the article pack keeps derived from a file (description, images, block hashes, the
out-of-date entry) and the objects a new process makes from its rows: never served once the
file changed, and the same as made the long way. Real files, real builds by new builders
(nothing in memory, as in a new process)."""

import dataclasses
import os
from pathlib import Path

from helpers import fresh, site_files
from test_buildcache import Said
from test_loadkeys import builder, project

from digest.build import Builder
from digest.config import load_config
from digest.content.pack import StoredBlocks
from digest.content.paths import Paths
from digest.site.model import Entry, Page
from digest.translate.english import English
from digest.translate.originals import RECORD_NAME


def _file(root: Path, n: int, suffix: str = ".md") -> Path:
    return next((root / "content").glob(f"*-a{n}{suffix}"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _record(root: Path) -> dict[str, str]:
    lines = (root / RECORD_NAME).read_text(encoding="utf-8").splitlines()
    return {line.split(" ", 2)[2]: line for line in lines if not line.startswith("#")}


def _built(root: Path, tmp_path: Path, reporter: Said | None = None) -> Builder:
    """A new builder's build of ``root``, checked against a build from nothing."""
    again = Builder(load_config(root), reporter, translator=None)
    again.build()
    assert site_files(root / "site") == fresh(root, tmp_path)
    return again


def test_an_edited_arabic_text_gets_new_hashes_and_description_not_the_packs(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    builder(root).build()  # the pack now holds every derived value
    _replace(_file(root, 2), "نص الخبر رقم 2.", "نص معدل تماما للخبر.")
    said = Said()
    again = _built(root, tmp_path, said)
    assert again.articles.parsed == 1
    page = (root / "site/articles/a2/ar/index.html").read_text(encoding="utf-8")
    assert 'content="نص معدل تماما للخبر.' in page  # the description, worked out again
    # The block hashes were worked out again: its English is out of date, and only its own.
    out_of_date = [w for w in said.warnings if "out of date" in w]
    assert len(out_of_date) == 1 and "a2.en.md: paragraph 1" in out_of_date[0]
    # Once more, from the pack the edit build wrote: the same, the file not read.
    said = Said()
    last = _built(root, tmp_path, said)
    assert (last.articles.parsed, last.articles.unread) == (0, 24)
    assert [w for w in said.warnings if "out of date" in w] == out_of_date


def test_an_edited_english_is_recorded_again_and_shown(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    builder(root).build()
    before = _record(root)
    _replace(_file(root, 3, ".en.md"), "title: News 3", "title: Edited news 3")
    _replace(_file(root, 3, ".en.md"), "Story 3.", "A story told again.")
    _built(root, tmp_path)
    after = _record(root)
    name = _file(root, 3, ".en.md").relative_to(root / "content").as_posix()
    assert after[name] != before[name]
    assert after[name].split(" ")[1] == before[name].split(" ")[1]  # the Arabic it was made from: the same
    assert {k: v for k, v in after.items() if k != name} == {k: v for k, v in before.items() if k != name}
    page = (root / "site/articles/a3/en/index.html").read_text(encoding="utf-8")
    assert "Edited news 3" in page and "A story told again." in page and "Story 3." not in page


def test_edited_front_matter_moves_the_article_between_tags(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    builder(root).build()
    _replace(_file(root, 4), "tags: [وسم1]", "tags: [وسم2, جديد]\ndate: 2025-01-01")
    _built(root, tmp_path)
    assert "articles/a4/" in (root / "site/tags/جديد/index.html").read_text(encoding="utf-8")
    assert "articles/a4/" not in (root / "site/tags/وسم1/index.html").read_text(encoding="utf-8")


def test_a_linked_translation_is_recorded_under_its_real_path_by_a_new_process(tmp_path):
    root = project(tmp_path, articles=3)
    link = _file(root, 1, ".en.md")
    real = root / "content/english/a1.en.md"
    real.parent.mkdir()
    link.replace(real)
    link.symlink_to(os.path.relpath(real, link.parent))
    builder(root).build()
    assert "english/a1.en.md" in _record(root)
    builder(root).build()  # the pack's rows: the link is not one (its stamp is its target's)
    assert "english/a1.en.md" in _record(root) and link.name not in str(_record(root))


def test_objects_made_from_rows_equal_those_made_the_long_way(tmp_path):
    root = project(tmp_path)
    builder(root).build()
    result = builder(root).build()
    entries = result.site.entries
    assert all(type(e.article.blocks) is StoredBlocks for e in entries)
    for entry in entries:
        article, english = entry.article, entry.english
        assert dataclasses.replace(article) == article and dataclasses.replace(article.human) == article.human
        assert dataclasses.replace(english) == english and english.provenance.kind == "human"
        assert set(vars(english)) == {f.name for f in dataclasses.fields(English)}
        assert entry == Entry(article, english, entry.images)
    pages = [p for p in result.site.pages if p.template in ("article.html", "parallel.html")]
    assert len(pages) == 3 * len(entries)
    for page in pages:
        assert page == Page(page.url, page.template, page.lang, page.context, page.alternates)
        assert set(vars(page)) >= {f.name for f in dataclasses.fields(Page)}


def test_paths_made_from_their_folder_are_the_paths_of_their_names(tmp_path):
    paths = Paths()
    names = [str(tmp_path / "content/a.md"), str(tmp_path / "content/sub/b.en.md"), "content/c.md", "d.md",
             "content//e.md", "./content/f.md", "/g.md", str(tmp_path / "content/a b.txt")]
    for name in names * 2:  # the second time, from the folders' paths made the first
        made = paths(name)
        assert made == Path(name) and str(made) == str(Path(name)) and type(made) is type(Path(name))
        assert made.name == Path(name).name and made.parent == Path(name).parent
