"""Out-of-date human translations: the Arabic each ``name.en.md`` was translated from.

When a build first sees a human translation, it records a short hash of each block of the
article's Arabic, and of the English, in one project file beside ``digest.toml``
(:data:`RECORD_NAME`). Later builds compare the Arabic with that record: an English
paragraph whose Arabic changed or went is out of date, and an Arabic paragraph that came
since has no English. Blocks are matched by content (a diff of the hashes), so a paragraph
inserted at the top does not make every later one look changed.

The record is project data, not cache: it lives where version control keeps it, and
deleting ``.digest-cache/`` must not forget what a translation was made from. It is one
sorted text file, one line per translation, so a diff shows which articles moved. An entry
is made current again when its ``name.en.md`` changes: an editor who updates the English
has read the new Arabic (a translation recorded before this existed counts as current until
the Arabic next changes, for the same reason: nothing says otherwise).

Working an entry out renders every block's Markdown to plain text (17.7 s of a build with
nothing changed, at 10,000 articles), so entries are also kept in the build store under a
hash of all they are made from (:func:`stored_entries`). That copy is cache, the record is not.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Collection, Sequence

from ..config import Config
from ..content.articles import Article, Problem
from ..content.cache import reading_key
from ..content.markup import Block, plain_text
from ..content.pack import ENGLISH, ENTRY, HASHES, StoredBlocks, remember
from ..content.store import BuildStore, cache_key
from ..events import Reporter
from ..text import shorten
from .record import RECORD_NAME, Entry, format_record, read_record, write_record


@dataclass(frozen=True)
class Drift:
    """How an article's Arabic moved since its human translation was made (0-based indexes)."""

    outdated: tuple[int, ...] = ()
    """English blocks whose Arabic changed or was removed."""
    added: tuple[int, ...] = ()
    """Arabic blocks (now) that came after the translation: they have no English."""
    removed: tuple[int, ...] = ()
    """Arabic blocks (then) that are gone."""

    def __bool__(self) -> bool:
        return bool(self.outdated or self.added or self.removed)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def block_hash(block: Block) -> str:
    """A short hash of what a block says (its kind and visible text, spacing aside)."""
    return _hash(block.kind + "\x1f" + "\x1e".join(" ".join(plain_text(t, block.plain).split())
                                                    for t in block.texts))


def entry_of(article: Article) -> Entry:
    """The record entry of ``article``'s human translation as it is now."""
    human = article.human
    assert human is not None
    return Entry(_hash("\x1d".join([human.title] + [block_hash(b) for b in human.blocks])),
                 tuple(block_hash(b) for b in article.blocks))


def _blocks_digest(digest, blocks: Sequence[Block]) -> None:
    for block in blocks:
        digest.update(repr((block.kind, block.plain, block.texts)).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")


def content_key(article: Article, reading: str = "") -> str:
    """The build store key of ``article``'s entry: a hash of every block's kind, plain flag
    and texts in both languages and of the English title (all :func:`entry_of` reads), and,
    through :func:`~digest.content.store.cache_key`, digest's version.

    Given ``reading`` (the settings the content was read with), a parsed article and
    translation stand for their blocks by the hashes of their files' texts and their paths,
    which the loader has: their blocks are not walked."""
    human = article.human
    assert human is not None
    if reading and article.digest and human.digest:
        return cache_key("originals-parsed", reading, article.digest, str(article.path), human.digest,
                         str(human.path))
    digest = hashlib.sha256(human.title.encode("utf-8", "surrogatepass") + b"\x1d")
    _blocks_digest(digest, human.blocks)
    digest.update(b"\x1d")
    _blocks_digest(digest, article.blocks)
    return cache_key("originals-entry", digest.hexdigest())


_SHORT_HASH = re.compile(r"[0-9a-f]{12}\Z")


def _decode(value: object) -> Entry | None:
    """A stored entry, or None for a value this version does not write."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], list)):
        return None
    english, arabic = value
    if not _SHORT_HASH.match(english) or not all(isinstance(h, str) and _SHORT_HASH.match(h) for h in arabic):
        return None
    return Entry(english, tuple(arabic))


def stored_entries(articles: Sequence[Article], store: BuildStore | None, reading: str = "") -> list[Entry]:
    """:func:`entry_of` each of ``articles`` (all with a human translation), taken from the
    article pack or ``store`` when they hold it; the entries worked out here are put in the
    store. ``reading``: as for :func:`content_key`."""
    out: list[Entry | None] = []
    rest: list[int] = []
    kept: list[str] = []  # the store keys of the entries the pack gave: they stay in the store
    for i, article in enumerate(articles):
        found = _packed(article)
        if found is None:
            out.append(None)
            rest.append(i)
            continue
        entry, key = found
        out.append(entry)
        kept.append(key or content_key(article, reading))
    if store is None:
        return [entry_of(articles[i]) if entry is None else entry for i, entry in enumerate(out)]
    store.keep("articles", kept)
    if not rest:
        return out  # type: ignore[return-value]  # every one from the pack
    keys = {i: content_key(articles[i], reading) for i in rest}
    stored = store.get_many("articles", keys.values())
    new: list[tuple[str, object]] = []
    for i in rest:
        article, key = articles[i], keys[i]
        made = _decode(stored.get(key))
        if made is None:
            made = entry_of(article)
            new.append((key, [made.english, list(made.arabic)]))
        out[i] = _remember(article, made, key)
    if new:
        store.put_many("articles", new)
    return out  # type: ignore[return-value]  # each filled above


def _packed(article: Article) -> tuple[Entry, str | None] | None:
    """``article``'s entry as the article pack kept it (both files unchanged), with its
    key in the store if the pack kept that too; or None."""
    human = article.human
    assert human is not None
    ours, theirs = article.blocks, human.blocks
    if type(ours) is not StoredBlocks or type(theirs) is not StoredBlocks:
        return None
    english, arabic = theirs.extras[ENGLISH], ours.extras[HASHES]  # of their types: checked when unpacked
    if english is None or arabic is None:
        return None
    kept = ours.extras[ENTRY]
    return Entry(english, arabic), kept[1] if kept is not None and kept[0] == human.digest else None


def _remember(article: Article, entry: Entry, key: str) -> Entry:
    """Keep ``entry``'s hashes (and its ``key`` in the store) with the blocks they are of,
    for the next article pack."""
    assert article.human is not None
    remember(article.human.blocks, "english", entry.english)
    remember(article.blocks, "hashes", entry.arabic)
    remember(article.blocks, "entry", (article.human.digest, key))
    return entry


def known_hashes(memo: dict, reading: str) -> Callable[[Sequence[Block]], dict[str, object]]:
    """What :func:`track_originals` worked out for the blocks of an article or a human
    translation, as the article pack keeps it: ``memo`` is the one it was given,
    ``reading`` the settings the content was read with."""
    by_blocks = {id(blocks): (article, kind) for article, _ in memo.get("hashed", {}).values()
                 for blocks, kind in ((article.blocks, "article"), (article.human.blocks, "human"))}
    entries = {id(article): entry for article, entry in memo.get("hashed", {}).values()}

    def hashes(blocks: Sequence[Block]) -> dict[str, object]:
        article, kind = by_blocks.get(id(blocks), (None, ""))
        if article is None:
            return {}
        entry = entries[id(article)]
        if kind == "human":
            return {"english": entry.english}
        return {"hashes": entry.arabic, "entry": (article.human.digest, content_key(article, reading))}

    return hashes


def compare(then: Sequence[str], now: Sequence[str], english_blocks: int) -> Drift:
    """The drift from the Arabic block hashes ``then`` to ``now``, for an English of
    ``english_blocks`` blocks paired with ``then`` by position."""
    changed: list[int] = []
    added: list[int] = []
    removed: list[int] = []
    matcher = difflib.SequenceMatcher(None, list(then), list(now), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        both = min(i2 - i1, j2 - j1)
        changed.extend(range(i1, i1 + both))
        removed.extend(range(i1 + both, i2))
        added.extend(range(j1 + both, j2))
    outdated = sorted(i for i in changed + removed if i < english_blocks)
    return Drift(tuple(outdated), tuple(added), tuple(removed))


def _key(content: str, article: Article, folders: dict[str, str | None], regular: Collection[str]) -> str | None:
    """The record's name for ``article``'s translation: its path under ``content`` (the
    content folder, resolved), or None when it cannot be one line of the file. ``folders``
    keeps each folder's resolved path under ``content`` (None: outside it), worked out once:
    a file that is no symbolic link is there under its own name; those of ``regular`` are
    known to be none (their status was just taken)."""
    assert article.human is not None
    path = article.human.path
    text = str(path)
    # Both resolved: normalised and absolute, so a prefix of the text is a prefix of the path.
    prefix = content.rstrip("/") + "/"
    try:
        if text not in regular and os.path.islink(text):
            real = str(path.resolve())
            name = real[len(prefix):] if real.startswith(prefix) else None
        else:
            # The folder as text: a Path for each of 10,000 translations cost more than the rest.
            base = text.rpartition(os.sep)[2]
            head = text[:len(text) - len(base)]  # with its separator: "/" and "" are two folders
            if head not in folders:
                real = os.path.join(str(path.parent.resolve()), "")
                folders[head] = real[len(prefix):] if real.startswith(prefix) else None
            under = folders[head]
            name = None if under is None else under + base
    except OSError:
        return None
    return name if name and name.isprintable() and name == name.strip() else None


def _read(path: Path, memo: dict) -> tuple[dict[str, Entry], list[Problem]]:
    """:func:`read_record`, reused while the file's (mtime, size) is unchanged."""
    try:
        st = path.stat()
        stamp: tuple | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    if stamp is not None and memo.get("stamp") == stamp:
        return dict(memo["entries"]), list(memo["problems"])
    entries, problems = read_record(path)
    memo.update(stamp=stamp, entries=dict(entries), problems=list(problems))
    return entries, problems


def track_originals(config: Config, articles: Sequence[Article], reporter: Reporter,
                    write: bool, memo: dict | None = None, store: BuildStore | None = None,
                    regular: Collection[str] = frozenset()) -> tuple[dict[str, Drift], list[Problem]]:
    """Each human translation's drift by slug (only those that drifted), and the record's problems.

    Problems and a warning per out-of-date, added or removed paragraph go to ``reporter``.
    With ``write`` (and a record without problems) the record is brought up to date: new
    translations and English changed since are recorded, entries of translations no longer
    on disk are dropped; the file is written only when its text changes. ``memo``, kept by a
    long-lived builder, saves reading an unchanged record and hashing an unchanged article;
    ``store`` (the build store) keeps the hashes of articles across processes. ``regular``:
    content files this build found to be regular files, no symbolic links (by their status,
    taken while loading), so not looked at again.
    """
    memo = memo if memo is not None else {}
    path = config.root / RECORD_NAME
    entries, problems = _read(path, memo)
    hashed: dict[str, tuple[Article, Entry]] = memo.get("hashed", {})
    memo["hashed"] = seen = {}
    for problem in problems:
        reporter.problem(problem)
    bad = bool(problems)
    updated = dict(entries)
    drifts: dict[str, Drift] = {}
    try:
        content = config.content_dir.resolve()
    except OSError:
        content = None
    folders: dict[str, str | None] = {}
    named = [(a, name) for a in articles if a.human is not None and content is not None
             for name in [_key(str(content), a, folders, regular)] if name is not None]
    unhashed = [a for a, name in named if (hashed.get(name) or (None,))[0] is not a]
    fresh = dict(zip(map(id, unhashed), stored_entries(unhashed, store, reading_key(config))))
    for article, name in named:
        last = hashed.get(name)
        now = last[1] if last is not None and last[0] is article else fresh[id(article)]
        seen[name] = (article, now)
        then = entries.get(name)
        if then is None or then.english != now.english:
            if not bad or name not in entries:
                updated[name] = now
            continue
        if then.arabic == now.arabic:
            continue  # no drift (what comparing them would say, without a diff per article)
        assert article.human is not None  # named: only those with one
        drift = compare(then.arabic, now.arabic, len(article.human.blocks))
        if drift:
            drifts[article.slug] = drift
            _warn(article, drift, reporter)
    for name in list(updated):
        if name not in seen and not (config.content_dir / name).is_file():
            del updated[name]
    if write and not bad and updated != entries:
        text = format_record(updated)
        try:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                write_record(path, text)
                memo.pop("stamp", None)
        except OSError as exc:
            problem = Problem((path,), f"cannot be written ({exc.strerror or exc})")
            reporter.problem(problem)
            problems.append(problem)
    return drifts, problems


def _warn(article: Article, drift: Drift, reporter: Reporter) -> None:
    human = article.human
    assert human is not None
    for i in drift.outdated:
        english = shorten(" ".join(plain_text(t, human.blocks[i].plain) for t in human.blocks[i].texts), 40)
        why = "was removed" if i in drift.removed else "changed"
        reporter.warning(f"{human.path}: paragraph {i + 1} ({english}) is out of date: its original in "
                         f"{article.path.name} {why} after this translation")
    for j in drift.added:
        arabic = shorten(" ".join(article.blocks[j].texts), 40)
        reporter.warning(f"{article.path}: paragraph {j + 1} ({arabic}) was added after the human translation "
                         f"{human.path.name}: it has no English")
    for i in drift.removed:
        if i >= len(human.blocks):
            reporter.warning(f"{article.path}: paragraph {i + 1} of the original was removed after the human "
                             f"translation {human.path.name}")
