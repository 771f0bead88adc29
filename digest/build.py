"""A build: content -> articles -> translate -> site model -> render -> file map -> write.

:class:`Builder` keeps what can be reused between builds of one project, so ``digest serve`` and
``digest watch`` rebuild quickly; a one-off ``digest build`` is one used once (:mod:`digest.buildmemo`).

Reuse between rebuilds is one chain of "same object means unchanged". Each stage keeps a
named record of what it made and from what; it hands on the very object of the last build
when those inputs are the same, and the next stage checks inputs by identity (``is``, cheap)
before it compares values:

1. :class:`~digest.content.reads.ContentReads`: a content file whose stamp (mtime, size, inode, type) is
   unchanged gives the same parsed ``Article``; an article equal to the last build's is
   replaced by that object (:meth:`Builder._load`).
2. :class:`~digest.translate.stage.EnglishInputs`: the same ``Article``, post-edits stamp
   and translator state (``review_below`` and, for a human translation, its drift from the
   recorded Arabic included) give the same ``English`` object, without asking the translator.
3. :class:`~digest.site.model.EntryPages`: the same ``Article`` and ``English`` give the same
   ``Entry`` and page objects; a listing page equal to the last one is that ``Page`` object.
4. :class:`~digest.render.pages.Rendered`: the same ``Page`` object and template key give the
   same bytes (a new page object equal to the last at its path does too).
5. :class:`~digest.output.OutputFolder` writes only files whose bytes changed.

Beside the chain: :class:`~digest.render.extras.ExtrasInputs` (feeds, robots.txt) and the alt-text audit
(:class:`~digest.site.audit.Audited`), both keyed on the same objects.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Collection, Mapping

from .buildresult import BuildResult
from .config import Config
from .content.articles import Article, Problem, content_files, load_articles
from .content.cache import ArticleCache, reading_key
from .content.checks import article_warnings
from .content.parallel import ReadFile, behind, read_all, still_listed
from .content.reads import ContentReads
from .content.store import BuildStore
from .errors import SearchUnavailable
from .events import Reporter
from .output import OutputFolder
from .output.guard import places_of
from .output.workarea import work_dir
from .render.bundlecache import whole_index
from .render.cache import PageCache
from .render.earlyindex import BeginIndex
from .render.extras import extra_files
from .render.indexer import Standby
from .render.kept import Kept
from .render.pagejob import ENTRY_CACHES
from .render.pages import Renderer
from .render.search import Indexing, Planned, index_again, plan
from .render.theme import Theme, load_theme
from .site.audit import missing_alt_text
from .site.images import ImageStage
from .site.inline import inline_images
from .site.model import Site, SiteModel, derived
from .site.staticfiles import overlay, static_files
from .translate.glossary import load_glossary
from .translate.labels import label_texts, load_labels
from .translate.lookup import TranslatorLookup
from .translate.originals import track_originals
from .translate.stage import Translator, translate_articles
from .workers import release_freed_memory, worth_a_pool


class Builder:
    """Builds one project again and again, reusing unchanged work.

    ``translator`` may be given (tests, benchmarks); otherwise it is loaded from the
    configuration on first use. ``keep_last_good`` (serve, watch): a file that turns
    unreadable or malformed keeps its last good article; the build reports the problem.
    ``workers`` above 1 renders in that many processes (:mod:`digest.workers`), for a
    process running no other thread (``digest build``); article pages go to spawned ones
    (:mod:`digest.render.pagejob`) that import the main module again: a script keeps its
    work under ``if __name__ == "__main__":``. ``stream``: the first write's pages go to
    disk as they render (:mod:`digest.render.spool`). ``lean``: one build only (``digest
    build``): the article pack written early and, when Pagefind has shards to index side by
    side, the model forgotten once the pages are rendered (the result's ``site`` is empty)."""

    def __init__(self, config: Config, reporter: Reporter | None = None,
                 translator: Translator | None | str = "auto", keep_last_good: bool = False,
                 workers: int = 1, stream: bool = False, lean: bool = False) -> None:
        self.config = config
        self.workers = workers
        self.stream = stream
        self.lean = lean and not keep_last_good
        self.keep_last_good = keep_last_good
        self.reporter = reporter or Reporter()
        self._lookup = TranslatorLookup(translator)
        self._renderer = Renderer()
        self._model = SiteModel()
        self._audit: dict = {}
        self._feeds: dict = {}
        self._pages: dict[str, bytes | Kept] | None = None
        self._bundle: dict[str, bytes | Kept] = {}
        self._articles: ArticleCache | None = None
        self._site: Site | None = None
        """The last build's site model: what :meth:`index` indexes."""
        self._english: dict = {}
        self._originals: dict = {}
        self._reads = ContentReads(keep_last_good)
        self._listing: tuple[list[str], frozenset[str], list[tuple[str, str]]] | None = None
        self._last: dict[str, Article] = {}
        self._regular: Collection[str] = frozenset()
        """The content files the last load found to be regular files (no links)."""
        self._fresh: Collection[str] = frozenset()  # those a first load read afresh (not from the store)
        self._theme: Theme | None = None
        self._output: OutputFolder | None = None
        self._drafts_left_out = 0
        self._images = ImageStage()
        self.standby: Standby | None = None  # a Pagefind helper begun for the first job
        self._packed = False  # the last load's pack is written (close)

    @property
    def translator(self) -> Translator | None:
        return self.load_translator()

    def load_translator(self, pages: bool = True) -> Translator | None:
        """The translator (see :class:`~digest.translate.lookup.TranslatorLookup`)."""
        return self._lookup.get(self.config, self.reporter, pages)

    def model_appeared(self) -> bool:
        """No model was found, and one may have been installed since: the next build looks
        again (``digest serve`` rebuilds for it)."""
        return self._lookup.appeared()

    def _load(self, config: Config, changed: frozenset[str] | None = None) -> tuple[list[Article], list[Problem]]:
        """Every article, each the same object as in the last build if it is equal to it.

        ``changed``: the content paths changed since the last build (the watcher's events), or
        None if unknown; given, other files are taken as they were, without a ``stat`` each."""
        reads, self._packed = self._reads, False
        listed = still_listed(self._listing, changed)
        files, refused = listed or (None, [])
        if files is None and config.content_dir.is_dir():
            listing = content_files(config.content_dir)
            files, refused = listing.files, listing.refused
        if listed is None:
            self._listing = (files, frozenset(files), refused) if files is not None else None
        if files is not None and refused and self.keep_last_good:
            files = files + behind(reads.files, refused, files)
        drafts: list[str] = []
        packed: dict[str, ReadFile] = {}
        self._regular = self._fresh = frozenset()  # only a first load stamps every file
        if files and not reads.files:
            # A first build: the build store is asked about every file at once, and the files
            # it lacks are parsed at once by the workers; those the pack has are made at once.
            misses = self.articles.misses(files, config)
            self._regular, self._fresh = self.articles.regular, frozenset(misses)
            if worth_a_pool(self.workers, len(misses)):
                self.articles.ready = read_all(misses, config, self.workers)
            packed = self.articles.unpack()
        reads.begin(changed, packed)
        stamps = self.articles.stamps

        def read(path: str, config: Config) -> Article:
            article = reads.read(path, lambda stamp: self.articles.read_article(path, config, stamp), stamps)
            if article.draft and not config.drafts:
                drafts.append(path)
            return article

        try:
            articles, problems = load_articles(config, reader=read, translation_reader=lambda p: reads.read(
                p, lambda stamp: self.articles.read_translation(p, config, stamp), stamps), files=files,
                refused=refused)
        finally:
            reads.end()
            self.articles.flush()
        # An article with a human translation is a new object each time the two are joined;
        # equal to the last one, it is that one (parts compare by identity first: cheap).
        last, same = self._last, {}
        for i, article in enumerate(articles):
            before = last.get(article.slug)
            if before is not None and before is not article and before == article:
                articles[i] = before
            same[article.slug] = articles[i]
        self._last = same
        self._drafts_left_out = len(drafts)
        return articles, reads.stale + problems

    def build(self, write: bool = True, search: bool = True, changed: frozenset[str] | None = None) -> BuildResult:
        """Run every stage; write the site unless ``write`` is false.

        ``changed`` (from a watcher): the content files changed since the last build; the
        others are not looked at again. None (the default): every file is checked.

        With ``search`` false the search index is not rebuilt: the last one is kept (the
        pages are on disk seconds sooner) until :meth:`index` brings it up to date.
        Raises on errors that leave no site to write (bad theme, unwritable output); bad
        content files are reported as problems and the rest is built.
        """
        started, config = time.perf_counter(), self.config
        if write:
            output = self._output_folder(config)
            output.check()  # before anything is made beside it; the lock is held for the whole
            output.lock.acquire(output.waiting)  # build: the spool of its pages is in the work area too
            try:
                return self._build(config, started, search, changed, output)
            finally:
                output.lock.release()
        return self._build(config, started, search, changed, None)

    def _output_folder(self, config: Config) -> OutputFolder:
        if self._output is None or self._output.out_dir != config.output_dir:
            self._output = OutputFolder(config.output_dir, places_of(config), config.force_output,
                                        waiting=self.reporter.info)
        return self._output

    def _build(self, config: Config, started: float, search: bool, changed: frozenset[str] | None,
               output: OutputFolder | None) -> BuildResult:
        self.reporter.start(config)
        # Only a builder's first build frees much; a rebuild's trims (~0.5 ms each) delayed the
        # edited page, and serve gives the heap back after the write.
        whole = self._pages is None
        articles, problems = self._load(config, changed)
        if whole:
            release_freed_memory()  # a first load freed every file's text (130 MB at 10,000 articles)
        for problem in problems:
            self.reporter.problem(problem)
        for message in [message for article in articles for message in article_warnings(article)]:
            self.reporter.warning(message)  # (no loop variable left holding an article)
        labels = load_labels(config)
        # The model is looked for only when something needs it, and its absence reported only
        # when a page shows "translation coming soon": names without English show in Arabic.
        pages = any(a.human is None for a in articles)
        needed = pages or any(label_texts(a, labels) for a in articles)
        translator = self.load_translator(pages) if needed else None
        # Before translating: a human translation's out-of-date blocks are part of its English.
        drifts, record_problems = track_originals(config, articles, self.reporter, output is not None,
                                                  self._originals, self.articles.store, self._regular)
        problems = problems + record_problems
        english, stats = translate_articles(articles, translator, self.reporter, self._english, labels,
                                            config.translation.review_below, drifts)
        if translator is None:
            # The engine reads the glossary; without one a mistake in it would only show
            # once a model is installed.
            load_glossary(config)
        images = self._images.run(config, articles)
        static, static_problems = static_files(config)
        for problem in images.problems + static_problems:
            self.reporter.problem(problem)
        problems = problems + images.problems + static_problems
        if images.processed:
            self.reporter.info(f"images: {images.processed} processed (the others from the cache)")
        site = self._model.build(config, articles, english, images.by_slug)
        for problem in site.problems:
            self.reporter.problem(problem)
        problems = problems + list(site.problems)
        theme = load_theme(config)  # the last object if the same: its Jinja environment holds the compiled templates
        self._theme = theme = self._theme if self._theme and self._theme.fingerprint == theme.fingerprint else theme
        # The persistent cache serves the first write to a folder; after it, this builder's memory.
        on_disk = output.on_disk() if output is not None else None
        self._site = site
        cache = PageCache(self.articles.store, on_disk) if on_disk is not None else None
        searching = config.site.search
        search_now = (BeginIndex(self.articles.store, site, cache.prints if cache is not None else None, on_disk,
                                 work_dir(output.out_dir) if output is not None else None, self._fresh, self.standby)
                      if searching and search else None)
        # Under the lock the build holds until its write, which moves the spooled pages in.
        spool = output.spool() if self.stream and output is not None and cache is not None else None
        # A failure before the write leaves no spooled page behind, and no Pagefind running.
        try:
            if search_now is not None:
                search_now.early()  # an edit's shard: Pagefind starts now, beside the render
            if self.lean:  # the pack holds every article: written before the render's workers run,
                self.close()  # after an edit's shard was handed to Pagefind
                self._articles = ArticleCache(self.articles.store)  # without the pack's rows
            rendering = time.perf_counter()
            # Otherwise the records are made, and Pagefind's helpers begin, once the render's
            # workers are forked: making them beside the workers costs the render nothing.
            files = self._renderer.render(site, theme, cache, self.workers, lambda done, total: self.reporter.progress(
                done, total, time.perf_counter() - rendering, "pages"), spool, search_now)
            if whole:
                release_freed_memory()  # what the render's bookkeeping freed, before the write
            if search_now is not None and not (self.lean and search_now.to_index > 1):
                search_now.widen()  # the workers are gone: the shards left are indexed side by side
            files.update(extra_files(site, theme, self._feeds))
            files.update(images.files)
            for name in overlay(files, static):
                self.reporter.warning(f"{config.root / 'static' / name}: not copied: digest makes that page itself")
            for message in missing_alt_text(site, self._audit):
                self.reporter.warning(message)
            self._pages = dict(files)
            built = None
            # Nothing after this needs an article: Pagefind's last shards (a cold build's, not an
            # edit's one) are indexed side by side beside a small process.
            if self.lean and search_now is not None and search_now.to_index > 1:
                built, site = len(site.entries), Site(config, (), (), (), site.problems)
                del articles, english, images, drifts, cache
                self._forget(search_now)
                search_now.widen()
            if search_now is not None:
                search_now()  # begun beside the render, unless there was none
                if search_now.indexing is not None:
                    # Pagefind is still at work on the other core: what needs neither its index
                    # nor the write is done now, not after it.
                    self._meanwhile(output, files)
                files.update(self._search(search_now.shards, search_now.kept, search_now.indexing, on_disk))
            elif searching:
                files.update(self._bundle)
            result = BuildResult(site, files, problems, stats, rendered=self._renderer.rendered,
                                 translator=getattr(translator, "name", None),
                                 search_pending=searching and not search,
                                 drafts_left_out=self._drafts_left_out, built=built)
            if output is not None:
                outcome = output.write(files)
                result.written, result.removed = outcome.written, outcome.removed
                if outcome.foreign:
                    self.reporter.info(f"{config.output_dir}: digest did not write {', '.join(outcome.foreign)} "
                                       "and leaves them as they are (said once)")
        except BaseException:
            if search_now is not None and search_now.indexing is not None:
                search_now.indexing.stop()
            if spool is not None:
                spool.discard()
            raise
        if not self.keep_last_good:  # a session's builds leave the pack to its end
            self.close()  # (written already by a lean build or while Pagefind worked: nothing)
        result.seconds = time.perf_counter() - started
        self.reporter.finish(result)
        return result

    def _meanwhile(self, output: OutputFolder | None, files: dict[str, bytes | Kept]) -> None:
        """The build's work that needs neither the search index nor the write, done while the
        build waits for Pagefind: the write's comparison of ``files`` (all but the index)
        with the folder (:meth:`~digest.output.OutputFolder.prepare`) and the article pack of
        a one-off build (:meth:`close`); every input has been read."""
        if output is not None:
            output.prepare(files)
        if not self.keep_last_good:
            self.close()

    def _forget(self, search_now: BeginIndex | None) -> None:
        """Drop what is kept for a next build (articles, entries, pages, the memos keyed by
        their blocks or texts) and give the memory back: a lean build's tail."""
        self._renderer.forget()
        self._model, self._reads, self._images, self._site = SiteModel(), ContentReads(), ImageStage(), None
        self._last, self._english, self._originals, self._audit, self._feeds = {}, {}, {}, {}, {}
        if search_now is not None:
            search_now.forget_entries()
        for memo in (*ENTRY_CACHES, inline_images):
            memo.cache_clear()
        gc.collect()
        release_freed_memory()

    def close(self) -> None:
        """Write the article pack of the last load, once: after each one-off build (a lean one
        before its render), and when a session ends (``digest serve``, ``watch``), so its
        rebuilds never write 10,000 rows."""
        seen = self._reads.seen
        if self._articles is not None and seen and not self._packed:
            self._articles.save_pack(self.config, seen, derived(self._originals, reading_key(self.config)), False)
        self._packed = True

    @property
    def articles(self) -> ArticleCache:
        """Reads content files, parsing only those the persistent build cache (its ``store``) lacks."""
        if self._articles is None:
            self._articles = ArticleCache(BuildStore(self.config.cache_dir))
        return self._articles

    def _search(self, shards: list[Planned], kept: dict[str, bytes | Kept], indexing: Indexing | None,
                on_disk: Mapping[str, str] | None) -> dict[str, bytes | Kept]:
        """Every shard's bundle, kept or made by ``indexing`` (then kept in the build store),
        with the list of shards and the UI's files; remembered for :meth:`build` without search."""
        try:
            bundles = indexing.result() if indexing is not None else {}
        except SearchUnavailable as exc:
            self.reporter.warning(f"search is not built: {exc}")
            self._bundle = {}
            return self._bundle
        out_dir = self._output.out_dir if self._output is not None else None
        self._bundle = whole_index(self.articles.store, shards, kept, bundles,
                                   indexing.indexed if indexing is not None else [], on_disk, out_dir)
        return self._bundle

    def index(self, cancel: threading.Event | None = None) -> list[str]:
        """Bring the search index of the last written build up to date; return the files
        written. Raises :class:`~digest.errors.SearchCancelled` as soon as ``cancel`` is set."""
        if self._output is None or self._pages is None or self._site is None or not self.config.site.search:
            return []
        with self._output.lock:
            last = self._bundle  # what the last write holds
            shards = plan(self._site)
            on_disk = self._output.on_disk()
            kept, indexing = index_again(self.articles.store, self._site, shards, on_disk, cancel,
                                         work_dir(self._output.out_dir))
            bundle = self._search(shards, kept, indexing, on_disk)
            if bundle == last:
                return []
            return self._output.write(self._pages | bundle).written


def build(config: Config, reporter: Reporter | None = None, translator="auto") -> BuildResult:
    """Build ``config``'s project once and write it to its output folder."""
    return Builder(config, reporter, translator).build()
