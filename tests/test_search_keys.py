"""Search shards keyed by what their records are made of: an unchanged shard is found
without making a record, a changed article re-keys its shard and only its shard, and the
records of a changed shard's other articles come from the build store. Real builds of
small projects (no Pagefind needed: the keys and records are checked, not the bundles)."""

import dataclasses
import hashlib
from pathlib import Path

import pytest
from helpers import monthly_project, write_project

from digest.build import Builder
from digest.config import load_config
from digest.content.store import BuildStore
from digest.render import search
from digest.render.bundlecache import remember_bundle
from digest.render.pagekeys import Fingerprints
from digest.site.images import ArticleImages
from digest.site.photos import Photo, Variant
from digest.translate.provenance import Name, Provenance


def project(root, months=3, per_month=2, shard=2):
    return monthly_project(root, months, per_month, shard, tags="tags: [اقتصاد]\n")


def site_of(root):
    """A new builder's site model of ``root`` (as a new process has it), nothing written."""
    return Builder(load_config(root), translator=None).build(write=False, search=False).site


@pytest.fixture(autouse=True)
def fresh_memo():
    search.release()
    yield
    search.release()


def keys(site):
    return {p.name: p.key for p in search.plan(site)}


def test_planning_makes_no_record_and_gives_the_same_keys_in_another_builder(tmp_path):
    root = project(tmp_path)
    site = site_of(root)
    planned = search.plan(site)
    assert [(p.name, len(p.entries)) for p in planned] == [("2026-01", 2), ("2026-02", 2), ("2026-03", 2)]
    assert all(len(p.key) == 64 and len(p.keys) == len(p.entries) for p in planned)
    assert search._by_entry == {}  # no record made
    assert keys(site_of(root)) == keys(site)
    # The shards' records are exactly what the records of the site are.
    records = [r for p in planned for r in search.made(site, p).records]
    assert sorted(records) == sorted(search.search_records(site))


@pytest.mark.parametrize("suffix", [".md", ".en.md"])
def test_an_edited_article_rekeys_its_shard_and_only_its_shard(tmp_path, suffix):
    root = project(tmp_path)
    before = keys(site_of(root))
    path = next((root / "content").glob(f"2026-02-10-*{suffix}"))
    path.write_text(path.read_text(encoding="utf-8") + "\nسطر جديد.\n", encoding="utf-8")
    after = keys(site_of(root))
    assert [name for name in before if before[name] != after[name]] == ["2026-02"]


def test_a_new_article_rekeys_the_newest_shard_only(tmp_path):
    root = project(tmp_path)
    before = keys(site_of(root))
    write_project(root, {"content/2026-03-20-late.md": "---\ntitle: خبر متأخر\n---\nنص.\n"})
    after = keys(site_of(root))
    assert [name for name in before if before[name] != after[name]] == ["2026-03"]


def test_the_key_covers_reading_settings_code_and_versions(tmp_path, monkeypatch):
    root = project(tmp_path)
    site = site_of(root)
    before = keys(site)
    config = site.config
    text = dataclasses.replace(config, text=dataclasses.replace(config.text, agencies=("وكالة",)))
    assert set(keys(dataclasses.replace(site, config=text)).values()).isdisjoint(before.values())
    # What makes records (its code, Pagefind's version, digest's version) is in every key.
    monkeypatch.setattr(search, "_code", lambda: "other code")
    assert set(keys(site).values()).isdisjoint(before.values())
    monkeypatch.undo()
    monkeypatch.setattr(search, "_pagefind_version", lambda: "0.0.0-other")
    assert set(keys(site).values()).isdisjoint(before.values())
    monkeypatch.undo()
    monkeypatch.setattr("digest.content.store.__version__", "99.0")
    assert set(keys(site).values()).isdisjoint(before.values())
    monkeypatch.undo()
    assert keys(site) == before


def test_the_code_hash_reads_every_module_that_shapes_records():
    assert len(search._code()) == 64
    root = Path(search.__file__).resolve().parent.parent
    assert all((root / name).is_file() for name in search._SHAPING)


def test_a_changed_shard_takes_its_other_records_from_the_store_and_ignores_a_bad_entry(tmp_path, monkeypatch):
    root = project(tmp_path)
    site = site_of(root)
    store = BuildStore(load_config(root).cache_dir)
    first = [search.made(site, p, store) for p in search.plan(site)]
    made_here = [r for e in site.entries for r in search.entry_records(e, "ar", "en")]
    assert sorted(r for s in first for r in s.records) == sorted(made_here)
    stored = store.get_many("records", [k for p in search.plan(site) for k in p.keys])
    assert len(stored) == len(site.entries)
    # A new process: the records come from the store, equal to those made.
    search.release()
    again = site_of(root)
    planned = search.plan(again)
    store.put_many("records", [(planned[0].keys[0], [["not", "a", "record"]])])
    calls = []
    original = search.entry_records

    def counted(entry, src, tgt):
        calls.append(entry.slug)
        return original(entry, src, tgt)

    monkeypatch.setattr(search, "entry_records", counted)  # counted, still made for real
    second = [search.made(again, p, store) for p in planned]
    assert [s.records for s in second] == [s.records for s in first]
    assert [s.key for s in second] == [s.key for s in first]
    assert calls == [planned[0].entries[0].slug]  # only the bad entry was made again
    store.close()


def test_a_parsed_article_is_printed_by_its_texts_hash_not_its_blocks(tmp_path):
    root = project(tmp_path, months=1, per_month=1)
    article = site_of(root).entries[0].article
    assert article.digest and article.human is not None and article.human.digest
    same = Fingerprints().of(article)
    assert Fingerprints().of(site_of(root).entries[0].article) == same
    assert Fingerprints().of(dataclasses.replace(article, digest="0" * 64)) != same
    assert Fingerprints().of(dataclasses.replace(
        article, human=dataclasses.replace(article.human, digest="0" * 64))) != same
    moved = dataclasses.replace(article, published=article.published.replace(year=2020))
    assert Fingerprints().of(moved) != same
    # Without a digest (not parsed from a file) the article is printed by its value.
    bare = dataclasses.replace(article, digest="", human=dataclasses.replace(article.human, digest=""))
    assert Fingerprints().of(bare) == Fingerprints().of(dataclasses.replace(bare))
    assert Fingerprints().of(dataclasses.replace(bare, title="another")) != Fingerprints().of(bare)


def test_pruning_the_store_keeps_the_records_of_shards_whose_bundles_were_kept(tmp_path):
    root = project(tmp_path)
    site = site_of(root)
    store = BuildStore(load_config(root).cache_dir)
    planned = search.plan(site)
    search.to_index(store, site, planned, None)  # no output folder yet: every shard's records made and stored
    data = b"a bundle"
    for p in planned:
        remember_bundle(store, p.key, {p.prefix + "pagefind-entry.json": data})
    on_disk = {p.prefix + "pagefind-entry.json": hashlib.sha256(data).hexdigest() for p in planned}
    search.release()
    store.track()  # as a build does, then prunes what it did not use
    kept, missing = search.to_index(store, site, planned, on_disk)
    assert missing == [] and len(kept) == len(planned)
    store.prune()
    keys = [k for p in planned for k in p.keys]
    assert len(store.get_many("records", keys)) == len(site.entries)
    assert all(store.get_many("bundles", [p.key]) for p in planned)
    store.close()


def test_an_entry_stands_for_what_its_records_read_and_nothing_else(tmp_path):
    """:func:`search.made_of`: equal for an entry read again, different whenever a text its
    records show differs (each kind of field changed in turn); the records follow."""
    root = project(tmp_path, months=1, per_month=1)
    entry = site_of(root).entries[0]
    same = search.made_of(entry)
    assert same is not None and search.made_of(site_of(root).entries[0]) == same
    english, article = entry.english, entry.article
    photo = Photo("port.jpg", (Variant("images/port-1-480.jpg", 480, 320, "image/jpeg"),), caption="الميناء")
    changed = {
        "digest": dataclasses.replace(entry, article=dataclasses.replace(article, digest="0" * 64)),
        "path": dataclasses.replace(entry, article=dataclasses.replace(article, path=article.path.with_name("x.md"))),
        "title": dataclasses.replace(entry, english=dataclasses.replace(english, title="Another")),
        "blocks": dataclasses.replace(entry, english=dataclasses.replace(english, blocks=english.blocks[:0])),
        "pending": dataclasses.replace(entry, english=dataclasses.replace(
            english, provenance=Provenance("pending"))),
        "source": dataclasses.replace(entry, english=dataclasses.replace(
            english, source=Name("Reuters", Provenance("glossary")))),
        "tag": dataclasses.replace(entry, english=dataclasses.replace(
            english, tags=(Name("Economy", Provenance("machine")),))),
        "photo": dataclasses.replace(entry, images=ArticleImages(lead=photo)),
        "caption": dataclasses.replace(entry, images=ArticleImages(lead=dataclasses.replace(photo, caption="ميناء"))),
    }
    texts = {name: search.made_of(e) for name, e in changed.items()}
    assert same not in texts.values() and len(set(texts.values())) == len(texts)
    # The same English as new objects (another process reads it again): the same text.
    copied = dataclasses.replace(entry, english=dataclasses.replace(english, blocks=tuple(english.blocks)))
    assert search.made_of(copied) == same
    # Each change of the English or the photo shows in the records: the text must change with them.
    records = search.entry_records(entry, "ar", "en")
    assert all(search.entry_records(other, "ar", "en") != records for other in changed.values()
               if other.article is article)


def test_an_entry_not_read_from_a_file_is_keyed_by_its_value(tmp_path):
    root = project(tmp_path, months=1, per_month=2, shard=5)
    site = site_of(root)
    bare = tuple(dataclasses.replace(e, article=dataclasses.replace(e.article, digest="")) for e in site.entries)
    assert search.made_of(bare[0]) != search.made_of(site.entries[0])  # its value, walked
    planned = search.plan(dataclasses.replace(site, entries=bare))
    assert len(planned[0].key) == 64 and len(planned[0].keys) == 2  # keyed by the entries' prints
    assert planned[0].key != search.plan(site)[0].key
    retitled = dataclasses.replace(bare[0], article=dataclasses.replace(bare[0].article, title="آخر"))
    assert search.plan(dataclasses.replace(site, entries=(retitled, bare[1])))[0].key != planned[0].key


def test_the_plan_prints_each_entry_once_for_the_page_keys_too(tmp_path):
    """The shards are keyed by the entries' prints, made in the page keys' memo: the page
    keys then find every entry printed. Another builder, without that memo, plans the same keys."""
    root = project(tmp_path)
    site = site_of(root)
    prints = Fingerprints()
    planned = search.plan(site, prints)
    assert all(prints._memo[id(entry)][0] is entry for entry in site.entries)
    search.release()
    assert [p.key for p in search.plan(site_of(root))] == [p.key for p in planned]
    assert [p.keys for p in search.plan(site_of(root))] == [p.keys for p in planned]
