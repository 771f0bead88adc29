"""The translation stage: every article's English, from a human, an editor or one machine batch.

A build gathers every text that still needs English across all articles, hands them to the
translator in one call, and maps the results back. The translator is a small protocol, so
the Argos engine, a test fake, or nothing at all (translation pending) can stand behind it.
``name.en.md`` is used as is; paragraphs an editor corrected in ``name.edits.toml`` (see
:mod:`digest.translate.postedits`) are not machine-translated, and every English block records where
it came from.
"""

from __future__ import annotations

import os
from dataclasses import MISSING, fields, replace
from typing import NamedTuple, Protocol, Sequence, runtime_checkable

from ..content.articles import Article
from ..content.markup import plain_text
from ..events import Event, Reporter, Warn
from ..frozen import made
from ..text import shorten
from .english import English
from .labels import Labels, label_texts, names_of
from .originals import Drift
from .postedits import PostEdit, closest, edits_path, load_post_edits, paragraph_key
from .provenance import NAMED, PENDING, Name, Provenance
from .result import TranslationResult
from .stats import TranslationStats

__all__ = ["NAMED", "PENDING", "English", "Name", "Provenance", "TranslationStats", "Translator", "translate_articles"]


@runtime_checkable
class Translator(Protocol):
    """Turns source-language texts into target-language texts, one for one, in order.

    Texts are inline Markdown (or plain text); link targets, code and the like must come
    back as they went in.
    """

    name: str
    version: str

    def translate(self, texts: Sequence[str]) -> TranslationResult:
        """Translate ``texts`` in one batch (a translator that knows only its outputs
        returns ``TranslationResult.plain(outputs)``)."""
        ...


def pending_texts(article: Article, edits: dict[str, PostEdit] | None = None) -> list[str]:
    """Every text of ``article`` that needs machine translation, title first.

    Texts an editor corrected (``edits``, by paragraph key) are left out.
    """
    if article.human is not None:
        return []
    edits = edits or {}
    texts = [] if edits and paragraph_key(article.title) in edits else [article.title]
    for block in article.blocks:
        if block.translatable and not (edits and len(block.texts) == 1 and paragraph_key(block.texts[0]) in edits):
            texts.extend(block.texts)
    return texts


class EnglishInputs(NamedTuple):
    """What one article's English was made from. The same record (``is``) means the same
    English: the same article object, the same post-edits file stamp and translator state.
    (A tuple, as :class:`_Done` is: one of each per article in every build.)

    A human translation depends on the article and, for its tag and source names, the
    translator state with the glossary's names (``edits`` is None).
    """

    article: Article
    edits: str | None = None
    """The post-edits file's path."""
    stamp: tuple[int, int] | None = None
    """Its (mtime, size), None while it does not exist."""
    state: tuple | None = None
    """:func:`translator_state` when the English was made."""


class _Done(NamedTuple):
    """One article's English with what it was made from, and what its making reported."""

    key: EnglishInputs
    english: English
    warnings: tuple[str, ...] = ()
    post_edits: int = 0
    stale: int = 0
    failed: tuple[str, ...] = ()
    """Warnings for the blocks whose machine output was rejected (file, block, reason),
    given by every build that shows them."""


class _Collect(Reporter):
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def emit(self, event: Event) -> None:
        if isinstance(event, Warn):
            self.warnings.append(event.message)


def _stamp(path: str, listed: dict[str, set[str]]) -> tuple[int, int] | None:
    """(mtime, size) of ``path``, or None if it does not exist. Each folder is listed once
    (``listed`` keeps the listings of one build): a site of 10,000 articles and a handful of
    edits files then costs a few stat calls, not 10,000 failing ones."""
    folder, _, name = path.rpartition(os.sep)
    names = listed.get(folder)
    if names is None:
        try:
            names = listed[folder] = set(os.listdir(folder or "."))
        except OSError:
            names = listed[folder] = set()
    if name not in names:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def translator_state(translator: Translator | None) -> tuple:
    """What a translator's output depends on beyond the text: itself and, if it says so,
    its current settings (``state()``, e.g. the glossary)."""
    state = getattr(translator, "state", None)
    return (translator, state() if callable(state) else None)


def translate_articles(
    articles: Sequence[Article], translator: Translator | None, reporter: Reporter | None = None,
    memo: dict[str, _Done] | None = None, labels: Labels | None = None,
    review_below: float = float("-inf"), drifts: dict[str, Drift] | None = None,
) -> tuple[dict[str, English], TranslationStats]:
    """Give every article its English, calling ``translator`` at most once.

    Returns English versions keyed by slug. With no translator, machine-translated
    articles are marked pending and keep only their original text. Problems with post-edit
    files and out-of-date corrections go to ``reporter`` as warnings. Tags and sources get
    their English from ``labels`` (the glossary and the built-in agencies) or in the same
    call (see :mod:`digest.translate.labels`).

    ``memo``, kept by a long-lived builder, holds each article's English with its inputs:
    the article object, its post-edits file's stamp and the translator's state. An article
    whose inputs are those again gets the same ``English`` object without asking the
    translator (or its cache) anything.

    Machine-translated blocks scored below ``review_below`` are marked for review; the
    human translations in ``drifts`` (by slug) get their out-of-date blocks marked.
    """
    reporter = reporter or Reporter()
    labels = labels or Labels.of({}, {})
    last = memo if memo is not None else {}
    drifts = drifts or {}
    state = translator_state(translator) + (labels.key, review_below)
    result: dict[str, English] = {}
    done: dict[str, _Done] = {}
    todo: list[tuple[Article, EnglishInputs]] = []
    listed: dict[str, set[str]] = {}
    for article in articles:
        cached = last.get(article.slug)
        if article.human is not None and article.slug in drifts:
            state_here = state + (drifts[article.slug],)
        else:
            state_here = state
        if cached is not None and cached.key.article is article:
            # The same article object: no new key unless its edits file or the state moved
            # (10,000 articles: this loop is a good part of a rebuild).
            old = cached.key
            if article.human is not None:
                same = old.state is state_here or old.state == state_here
                key = old if same else EnglishInputs(article, state=state_here)
            else:
                assert old.edits is not None  # machine English always records its edits file
                stamp = _stamp(old.edits, listed)
                same = stamp == old.stamp and (old.state is state or old.state == state)
                key = old if same else EnglishInputs(article, old.edits, stamp, state)
        elif article.human is not None:
            key = EnglishInputs(article, state=state_here)
        else:
            edits = str(edits_path(article.path))
            key = EnglishInputs(article, edits, _stamp(edits, listed), state)
        if cached is not None and cached.key is key:
            done[article.slug] = cached
        else:
            todo.append((article, key))
    stats = _translate(todo, translator, reporter, done, labels, review_below, drifts)
    post_edits = stale = 0
    for article in articles:
        if article.slug in done:
            item = done[article.slug]
            result[article.slug] = item.english
            for message in item.warnings + item.failed:
                reporter.warning(message)
            post_edits, stale = post_edits + item.post_edits, stale + item.stale
        else:
            tags, source = names_of(article, labels)
            result[article.slug] = English(None, (), PENDING, tags=tags, source=source)
    if memo is not None:
        memo.clear()
        memo.update(done)
    return result, replace(stats, post_edits=post_edits, stale_post_edits=stale)


def _human(article: Article, key: EnglishInputs, labels: Labels, machine: _Machine | None = None,
           drift: Drift | None = None) -> _Done:
    """A human translation's English, its labels from ``labels`` or ``machine``, its
    out-of-date blocks from ``drift``."""
    human = article.human
    assert human is not None
    if machine is None:
        tags, source = names_of(article, labels)
    else:
        tags, source = names_of(article, labels, machine.english_of, machine.failures, machine.machine)
    drift = drift or _NO_DRIFT
    outdated = tuple(i in drift.outdated for i in range(len(human.blocks))) if drift else ()
    # Every article with a human translation, in each new build process: the fields not
    # given here take their defaults from _HUMAN_ENGLISH.
    english = made(English, _HUMAN_ENGLISH, title=human.title, blocks=human.blocks, tags=tags, source=source,
                   outdated=outdated, added=drift.added, removed=drift.removed)
    return _Done(key, english)


# Immutable, so one of each serves every article (10,000 of them in each new process).
_NO_DRIFT = Drift()
_HUMAN = Provenance("human")
_HUMAN_ENGLISH = {f.name: f.default for f in fields(English)} | {"provenance": _HUMAN}
""":class:`English`'s fields as a human translation's English has them (all defaults but its provenance)."""
assert all(value is not MISSING for name, value in _HUMAN_ENGLISH.items() if name not in ("title", "blocks"))


def _translate(todo: list[tuple[Article, EnglishInputs]], translator: Translator | None, reporter: Reporter,
               done: dict[str, _Done], labels: Labels, review_below: float,
               drifts: dict[str, Drift]) -> TranslationStats:
    """Translate the articles of ``todo`` in one call into ``done`` (left out while pending)."""
    edits: dict[str, dict[str, PostEdit]] = {}
    notes: dict[str, list[str]] = {}
    wanted: list[str] = []
    labelled = 0
    for article, key in todo:
        if article.human is None:
            edits[article.slug], notes[article.slug] = load_post_edits(article.path)
            wanted.extend(pending_texts(article, edits[article.slug]))
        elif translator is None:
            done[article.slug] = _human(article, key, labels, drift=drifts.get(article.slug))
        names = label_texts(article, labels)
        labelled += len(names)
        wanted.extend(names)
    unique = list(dict.fromkeys(wanted))
    result = TranslationResult(())
    if translator is not None and unique:
        result = translator.translate(unique)  # TranslationError stops the build
    if translator is None:
        for article, _ in todo:
            for message in notes.get(article.slug, ()):
                reporter.warning(message)
        return TranslationStats(len(wanted), len(unique), 0, labels=labelled)
    if len(result.outputs) != len(unique):
        raise RuntimeError(f"translator {translator.name} returned {len(result.outputs)} texts for {len(unique)}")
    machine = _Machine(translator, dict(zip(unique, result.outputs)), result)
    for article, key in todo:
        if article.human is not None:
            done[article.slug] = _human(article, key, labels, machine, drifts.get(article.slug))
            continue
        collect = _Collect()
        counts = {"post_edits": 0, "stale": 0}
        english = machine.english(article, edits[article.slug], collect, counts)
        tags, source = names_of(article, labels, machine.english_of, machine.failures, machine.machine)
        review = tuple(s is not None and s < review_below for s in english.scores)
        english = replace(english, tags=tags, source=source, review=review)
        failed = tuple(f"{article.path}: {_where(article, i)}: machine translation rejected ({p.note or 'no reason'}), "
                       "the original is shown"
                       for i, p in enumerate(english.block_provenance) if p.kind == "failed")
        if article.title in machine.failures:
            failed = (f"{article.path}: the title: machine translation rejected ({machine.failures[article.title]}), "
                      "the original is shown",) + failed
        done[article.slug] = _Done(key, english, tuple(notes[article.slug] + collect.warnings),
                                   counts["post_edits"], counts["stale"], failed)
    engine = result.stats
    return TranslationStats(
        len(wanted), len(unique), 1 if unique else 0, sentences=engine.sentences, cache_hits=engine.hits,
        model_calls=engine.calls, model_seconds=engine.model_seconds, failed=len(machine.failures), labels=labelled)


def _where(article: Article, index: int) -> str:
    """Which block of ``article`` this is, for a person looking for it in the file."""
    return f"block {index + 1} ({shorten(' '.join(article.blocks[index].texts), 40)})"


class _Machine:
    """Maps one batch's outputs back onto articles, with post-edits and provenance."""

    def __init__(self, translator: Translator, english: dict[str, str], result: TranslationResult) -> None:
        self.english_of = english
        self.failures = result.failures
        self.alignment = result.alignment
        self.result = result
        self.machine = Provenance("machine", translator.name, translator.version)

    def _one(self, text: str, edits: dict[str, PostEdit], used: set[str]) -> tuple[str, Provenance]:
        key = paragraph_key(text) if edits else ""
        if key in edits:
            used.add(key)
            return edits[key].english, Provenance("post-edit")
        if text in self.failures:
            m = self.machine
            return self.english_of[text], Provenance("failed", m.model, m.version, note=self.failures[text])
        return self.english_of[text], self.machine

    def english(self, article: Article, edits: dict[str, PostEdit], reporter: Reporter, counts: dict) -> English:
        used: set[str] = set()
        title, _ = self._one(article.title, edits, used)
        blocks, provenance = [], []
        sentences: list[tuple[tuple[str, str], ...]] = []
        scores: list[float | None] = []
        for block in article.blocks:
            if not block.translatable:
                blocks.append(block)
                provenance.append(self.machine)
                sentences.append(())
            elif len(block.texts) == 1:
                text, prov = self._one(block.texts[0], edits, used)
                blocks.append(block.with_texts([text]))
                provenance.append(prov)
                sentences.append(self.alignment.get(block.texts[0], ()) if prov.kind != "post-edit" else ())
            else:
                outs = [self._one(t, {}, used) for t in block.texts]
                failed = [p for _, p in outs if p.kind == "failed"]
                # A table with a failed cell is shown as the original, whole: the page says
                # "the original is shown", and half-English cells under lang="ar" are neither.
                blocks.append(block if failed else block.with_texts([t for t, _ in outs]))
                provenance.append(failed[0] if failed else self.machine)
                sentences.append(tuple(pair for t in block.texts for pair in self.alignment.get(t, ())))
        for block, prov in zip(article.blocks, provenance):
            known = [self.result.score(t) for t in block.texts] if block.translatable and prov.kind == "machine" else []
            scores.append(min((s for s in known if s is not None), default=None))
        counts["post_edits"] += len(used)
        sources = [b.texts[0] if b.translatable and len(b.texts) == 1 else "" for b in article.blocks]
        unplaced: list[str] = []
        for key, edit in edits.items():
            if key in used:
                continue
            counts["stale"] += 1
            where = closest(edit.arabic, sources)
            reporter.warning(f"{article.path}: post-edit out of date (its Arabic changed), not applied: "
                             f"{shorten(edit.arabic, 60)!r}")
            if where is not None and not provenance[where].stale:
                old = provenance[where]
                provenance[where] = Provenance(old.kind, old.model, old.version, old.note,
                                             stale=plain_text(edit.english))
            else:
                unplaced.append(plain_text(edit.english))
        return English(title, tuple(blocks), self.machine, tuple(provenance), tuple(sentences), tuple(unplaced),
                       scores=tuple(scores) if any(s is not None for s in scores) else ())
