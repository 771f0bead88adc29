"""A lean build (``digest build``, issue 14): the builder forgets every article once the
pages are rendered, so the process is small while Pagefind's last shards run beside it.
Real builds and a real Pagefind; no model (every article has a human translation)."""

import gc

import pytest
from test_atomic import make_project, site_files

from digest.build import Builder
from digest.config import load_config
from digest.content.articles import Article
from digest.content.markup import Block
from digest.render.search import release
from digest.render.searchindex import executable
from digest.site.model import Entry

ARTICLES = 60


def alive(kind: type) -> int:
    return sum(1 for obj in gc.get_objects() if type(obj) is kind)


def build_counting(root, output: str, lean: bool, monkeypatch) -> tuple:
    """A build of ``root`` into ``output``, counting the articles, entries and blocks alive
    in this process while the search index is awaited (the build's tail)."""
    seen: dict[str, int] = {}
    search = Builder._search

    def counts() -> dict[str, int]:
        gc.collect()
        return {"articles": alive(Article), "entries": alive(Entry), "blocks": alive(Block)}

    def counted(self, *args, **kwargs):
        # Only this build's: an earlier test's objects still alive in this process are not.
        seen.update({kind: max(0, n - before[kind]) for kind, n in counts().items()})
        return search(self, *args, **kwargs)

    monkeypatch.setattr(Builder, "_search", counted)
    release()  # no search records or bundles of another test's build in memory
    # Shards of a few articles: Pagefind has several to index side by side, as in a cold
    # build of a large site (an edit's one shard is not worth forgetting the model for).
    config = load_config(root, {"paths": {"output": str(root / output)}, "site": {"search_shard_articles": 10}})
    before = counts()
    result = Builder(config, translator=None, stream=True, lean=lean).build()
    return result, seen


@pytest.mark.skipif(executable() is None, reason="no Pagefind binary")
def test_a_lean_build_holds_no_article_while_the_search_index_is_awaited(tmp_path, monkeypatch):
    make_project(tmp_path, 0, ARTICLES)
    lean, held = build_counting(tmp_path, "lean", True, monkeypatch)
    assert held == {"articles": 0, "entries": 0, "blocks": 0}
    assert lean.articles == ARTICLES and not lean.site.entries
    assert any(rel.startswith("pagefind/") for rel in lean.files)
    del lean
    # The same count in a build that keeps its model: it would fail if the lean one kept it.
    plain, kept = build_counting(tmp_path, "plain", False, monkeypatch)
    assert kept["articles"] >= ARTICLES and kept["entries"] >= ARTICLES and kept["blocks"] >= 2 * ARTICLES
    assert plain.articles == ARTICLES
    assert site_files(tmp_path / "lean") == site_files(tmp_path / "plain")


def test_a_lean_build_writes_the_article_pack_the_next_build_reads(tmp_path):
    make_project(tmp_path, 0, ARTICLES)
    config = load_config(tmp_path, {"site": {"search": False}})
    Builder(config, translator=None, lean=True).build()
    assert (tmp_path / ".digest-cache" / "build" / "articles.pack").is_file()
    again = Builder(config, translator=None)
    result = again.build()
    assert again.articles.parsed == 0  # every file came from the pack
    assert result.articles == ARTICLES


@pytest.mark.skipif(executable() is None, reason="no Pagefind binary")
def test_a_lean_build_of_one_shard_keeps_its_model(tmp_path):
    make_project(tmp_path, 0, 8)
    result = Builder(load_config(tmp_path), translator=None, lean=True).build()
    assert len(result.site.entries) == result.articles == 8


def test_a_session_builder_is_never_lean(tmp_path):
    make_project(tmp_path, 0, 3)
    builder = Builder(load_config(tmp_path, {"site": {"search": False}}), translator=None, keep_last_good=True,
                      lean=True)
    assert not builder.lean
    assert len(builder.build().site.entries) == 3
