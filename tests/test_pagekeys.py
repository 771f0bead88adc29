"""Page keys in a new process (:mod:`digest.render.cache`): a page is kept from the output
folder only while everything it shows is what its key was made of. An article's card on a
listing, the articles beside it on a listing page, the list of tags: when one changes, the
pages showing it render again, and the site is the one a build from nothing gives.
Real projects, real builds, real files."""

import dataclasses
from pathlib import Path

from helpers import fresh, site_files
from test_pageindex import article, build, project, rendered, showing

from digest.render.cache import PageCache
from digest.render.kept import Kept
from digest.render.pagekeys import Fingerprints, PageKeys
from digest.site.model import Page
from digest.translate.provenance import Provenance


def listings(result) -> set[str]:
    return {page.path for page in result.site.pages if "entries" in page.context}


def test_a_changed_card_renders_every_listing_that_shows_it(tmp_path):
    root = project(tmp_path)
    build(root)
    path = article(root, 7)
    path.write_text(path.read_text(encoding="utf-8").replace("title: خبر 7", "title: خبر سابع"), encoding="utf-8")
    result = build(root)
    cards = showing(result, "a7") & listings(result)
    assert len(cards) >= 4  # the home page, the Arabic and English indexes, its tag's and month's pages
    assert cards <= rendered(result)
    assert rendered(result) == showing(result, "a7")
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_a_new_neighbour_on_a_listing_page_renders_the_pages_whose_articles_moved(tmp_path):
    root = project(tmp_path)
    first = build(root)
    chunks = {page.path: tuple(e.slug for e in page.context["entries"]) for page in first.site.pages
              if "entries" in page.context}
    # Newer than every other article: it heads every listing it is on, and pushes the rest along.
    (root / "content/2026-12-30-a99.md").write_text("---\ntitle: خبر جديد\ntags: [وسم0]\n---\nنص جديد.\n",
                                                    encoding="utf-8")
    (root / "content/2026-12-30-a99.en.md").write_text("---\ntitle: New story\n---\nNew text.\n", encoding="utf-8")
    second = build(root)
    moved = {page.path for page in second.site.pages if "entries" in page.context
             and chunks.get(page.path) != tuple(e.slug for e in page.context["entries"])}
    assert len(moved) > 4
    assert moved <= rendered(second)
    assert site_files(root / "site") == fresh(root, tmp_path)
    assert build(root).rendered == 0


def test_a_new_tag_renders_the_lists_of_tags_and_the_site_is_as_built_from_nothing(tmp_path):
    root = project(tmp_path)
    build(root)
    path = article(root, 4)
    path.write_text(path.read_text(encoding="utf-8").replace("tags: [وسم1]", "tags: [وسم1, وسم_جديد]"),
                    encoding="utf-8")
    result = build(root)
    assert {"tags/index.html", "en/tags/index.html"} <= rendered(result)
    assert any(p.startswith("tags/") and p.count("/") == 2 and p not in {"tags/index.html"} for p in rendered(result))
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_equal_inputs_give_equal_keys_and_any_difference_another(tmp_path):
    root = project(tmp_path, articles=6)
    site = build(root).site
    again = build(root).site  # other objects, equal values (a new builder, as a new process)
    keys, other = PageKeys(Fingerprints(), "shared"), PageKeys(Fingerprints(), "shared")
    assert [keys(p, "t") for p in site.pages] == [other(p, "t") for p in again.pages]
    page = next(p for p in site.pages if "entries" in p.context)
    entries = page.context["entries"]
    changed = [
        Page(page.url, page.template, page.lang, {**page.context, "entries": entries[::-1]}, page.alternates),
        Page(page.url, page.template, page.lang, {**page.context, "entries": entries[1:]}, page.alternates),
        Page(page.url, page.template, page.lang, {**page.context, "pagination": {}}, page.alternates),
        Page(page.url, page.template, page.lang, page.context, page.alternates[::-1]),
        Page(page.url + "x/", page.template, page.lang, page.context, page.alternates),
    ]
    base = PageKeys(Fingerprints(), "shared")(page, "t")
    found = {PageKeys(Fingerprints(), "shared")(p, "t") for p in changed}
    assert base not in found and len(found) == len(changed)
    assert PageKeys(Fingerprints(), "other")(page, "t") != base
    assert PageKeys(Fingerprints(), "shared")(page, "u") != base


def test_the_sitemap_renders_again_when_a_row_changes(tmp_path):
    root = project(tmp_path)
    build(root)
    before = (root / "site/sitemap.xml").read_bytes()
    path: Path = article(root, 2)
    path.rename(path.with_name(path.name.replace("a2", "a2-renamed")))
    path.with_suffix("").with_suffix(".en.md").rename(
        path.with_name(path.name.replace("a2", "a2-renamed")).with_suffix("").with_suffix(".en.md"))
    result = build(root)
    assert "sitemap.xml" in result.written
    assert (root / "site/sitemap.xml").read_bytes() != before
    assert site_files(root / "site") == fresh(root, tmp_path)


def test_one_loop_gives_each_page_the_key_it_has_alone(tmp_path):
    """:meth:`PageKeys.many` (every page of a build in one loop) and a page alone agree, and
    a page's template, alternates and context texts each change its key."""
    site = build(project(tmp_path, articles=6)).site
    templates = {p.template: f"key of {p.template}" for p in site.pages}
    together = PageKeys(Fingerprints(), "shared").many(site.pages, templates)
    assert together == [PageKeys(Fingerprints(), "shared")(p, templates[p.template]) for p in site.pages]
    assert None not in together and len(set(together)) == len(site.pages)
    page = next(p for p in site.pages if "article_lang" in p.context and "noindex" not in p.context)
    base = PageKeys(Fingerprints(), "shared")(page, "t")
    context = page.context

    def key(**changes) -> str | None:
        fields = {"url": page.url, "template": page.template, "lang": page.lang, "context": context,
                  "alternates": page.alternates} | changes
        return PageKeys(Fingerprints(), "shared")(Page(**fields), "t")

    others = [
        key(alternates=page.alternates[:-1]),
        key(alternates=tuple((lang, url + "x/") for lang, url in page.alternates)),
        key(alternates=[list(pair) for pair in page.alternates]),  # printed by value, not by repr
        key(context={**context, "description": context["description"] + "."}),
        key(context={**context, "description": context["description"] + "\0"}),  # a NUL: by its repr
        key(context={**context, "noindex": True}),
        key(context={**context, "noindex": "True"}),  # a text and a value that prints the same
        key(context={**context, "article_lang": None}),
        key(context={**context, "article_lang": "None"}),
        key(template="parallel.html" if page.template != "parallel.html" else "article.html"),
    ]
    assert base not in others and None not in others and len(set(others)) == len(others)
    # Equal values as other objects (another process): the same key.
    copied = Page(page.url, page.template, page.lang, dict(context), tuple(tuple(p) for p in page.alternates))
    assert PageKeys(Fingerprints(), "shared")(copied, "t") == base


def test_a_kept_page_needs_its_key_and_its_file_as_the_index_lists_them(tmp_path):
    """:meth:`PageCache.held_many`: a page is kept only when the index row starts with its
    key, the file on disk has the row's hash, and the row is whole."""
    key, sha, other = "a" * 64, "b" * 64, "c" * 64
    cache = PageCache(None, {"p/index.html": sha, "q/index.html": sha, "r/index.html": other,  # type: ignore[arg-type]
                             "s/index.html": sha, "t/index.html": sha})
    cache._last = {"p/index.html": f"{key} {sha} 12", "q/index.html": f"{other} {sha} 12",
                   "r/index.html": f"{key} {sha} 12", "s/index.html": f"{key} {sha} 1x",
                   "t/index.html": f"{key}_{sha} 12"}
    paths = ["p/index.html", "q/index.html", "r/index.html", "s/index.html", "t/index.html", "u/index.html"]
    found = cache.held_many(paths, [key] * len(paths))
    assert found == [Kept("p/index.html", sha, 12), None, None, None, None, None]
    assert cache.held_many(["p/index.html"], [None]) == [None]  # no key: rendered
    assert cache.held("p/index.html", key) == Kept("p/index.html", sha, 12)


def test_an_entrys_print_follows_its_englishs_provenance(tmp_path):
    """The English's provenance is printed from its fields (not its dataclass ``repr``):
    each field still changes the entry's print, and an equal copy prints the same."""
    entry = build(project(tmp_path, articles=2)).site.entries[0]
    english = entry.english
    same = Fingerprints().of(entry)
    copy = dataclasses.replace(english, provenance=dataclasses.replace(english.provenance))
    assert Fingerprints().of(dataclasses.replace(entry, english=copy)) == same
    changed = [Provenance("machine", "m", "1"), Provenance("machine", "m", "2"), Provenance("machine", "n", "1"),
               Provenance("machine", "m", "1", note="x"), Provenance("machine", "m", "1", stale="y")]
    prints = {Fingerprints().of(dataclasses.replace(entry, english=dataclasses.replace(english, provenance=p)))
              for p in changed}
    assert same not in prints and len(prints) == len(changed)
