"""A build: content -> articles -> translate -> site model -> render -> file map -> write.

:class:`Builder` keeps what can be reused between builds of one project, so ``digest serve``
and ``digest watch`` rebuild quickly. A one-off ``digest build`` is the same builder used once.

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

import threading
import time
from dataclasses import dataclass, field

from .config import Config
from .content.articles import (
    Article,
    Problem,
    content_files,
    load_articles,
)
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
from .render.cache import Kept, PageCache
from .render.extras import extra_files
from .render.pages import Renderer
from .render.search import BeginIndex, Indexing, Planned, index_again, plan
from .render.theme import Theme, load_theme
from .site.audit import missing_alt_text
from .site.images import ImageStage
from .site.model import Site, SiteModel, derived
from .site.staticfiles import overlay, static_files
from .translate.glossary import load_glossary
from .translate.labels import label_texts, load_labels
from .translate.lookup import TranslatorLookup
from .translate.originals import track_originals
from .translate.stage import TranslationStats, Translator, translate_articles
from .workers import release_freed_memory, worth_a_pool


@dataclass
class BuildResult:
    """What one build did."""

    site: Site
    files: dict[str, bytes | Kept]
    """Path -> bytes, or a :class:`~digest.render.cache.Kept` file (on disk as it should be: not rendered)."""
    problems: list[Problem]
    stats: TranslationStats
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rendered: int = 0
    seconds: float = 0.0
    translator: str | None = None
    search_pending: bool = False
    """The search index is the last one; :meth:`Builder.index` updates it."""
    drafts_left_out: int = 0
    """Articles marked ``draft: true`` not built (without ``--drafts``)."""
    replayed: int | None = None
    """Nothing changed: the last build's article count, its outcome reported again (``site`` is empty)."""


class Builder:
    """Builds one project again and again, reusing unchanged work.

    ``translator`` may be given (tests, benchmarks); otherwise it is loaded from the
    configuration on first use. With ``keep_last_good`` (serve, watch) a file that turns
    unreadable or malformed keeps its last good article, and the build reports the problem.
    ``workers`` above 1 renders in that many forked processes (:mod:`digest.workers`):
    only for a process running no other thread, such as ``digest build``. Article pages go
    to spawned processes (:mod:`digest.render.pagejob`), which import the main module again:
    a script building with workers keeps its work under ``if __name__ == "__main__":``.
    ``stream``: the first write's pages go to disk as they render (:mod:`digest.render.spool`).
    """

    def __init__(self, config: Config, reporter: Reporter | None = None,
                 translator: Translator | None | str = "auto", keep_last_good: bool = False,
                 workers: int = 1, stream: bool = False) -> None:
        self.config = config
        self.workers = workers
        self.stream = stream
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
        self._theme: Theme | None = None
        self._output: OutputFolder | None = None
        self._drafts_left_out = 0
        self._images = ImageStage()

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

        ``changed``: the content paths that changed since the last build (the watcher's
        events), or None if unknown. Given, other files are taken as they were, without a
        ``stat`` each (10,000 of them took ~50 ms).
        """
        reads = self._reads
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
        if files and not reads.files:
            # A first build: the build store is asked about every file at once, and the files
            # it lacks are parsed at once by the workers; those the pack has are made at once.
            misses = self.articles.misses(files, config)
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
        started = time.perf_counter()
        config = self.config
        if write:
            output = self._output_folder(config)
            output.check()  # before anything is made beside it
            # Held for the whole build: the spool of its pages is in the work area too.
            output.lock.acquire(output.waiting)
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
        # The heap is given back within a builder's first build only: it reads and renders
        # everything. A later one (serve's, watch's rebuild) frees little, and each trim
        # (~0.5 ms) delayed the edited page; the session gives the heap back after the write.
        whole = self._pages is None
        articles, problems = self._load(config, changed)
        if whole:
            release_freed_memory()  # a first load freed every file's text (130 MB at 10,000 articles)
        for problem in problems:
            self.reporter.problem(problem)
        for article in articles:
            for message in article_warnings(article):
                self.reporter.warning(message)
        labels = load_labels(config)
        # The model is looked for only when something needs it, and its absence reported only
        # when a page shows "translation coming soon": names without English show in Arabic.
        pages = any(a.human is None for a in articles)
        needed = pages or any(label_texts(a, labels) for a in articles)
        translator = self.load_translator(pages) if needed else None
        # Before translating: a human translation's out-of-date blocks are part of its English.
        drifts, record_problems = track_originals(config, articles, self.reporter, output is not None,
                                                  self._originals, self.articles.store)
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
        theme = load_theme(config)
        if self._theme is not None and self._theme.fingerprint == theme.fingerprint:
            theme = self._theme  # its Jinja environment holds the compiled templates
        self._theme = theme
        # The persistent cache serves the first write to a folder; after it, this builder's memory.
        on_disk = output.on_disk() if output is not None else None
        self._site = site
        cache = PageCache(self.articles.store, on_disk) if on_disk is not None else None
        searching = config.site.search
        search_now = (BeginIndex(self.articles.store, site, cache.prints if cache is not None else None, on_disk,
                                 work_dir(output.out_dir) if output is not None else None)
                      if searching and search else None)
        # Under the lock the build holds until its write, which moves the spooled pages in.
        spool = output.spool() if self.stream and output is not None and cache is not None else None
        # A failure before the write leaves no spooled page behind, and no Pagefind running.
        try:
            if search_now is not None:
                search_now.early()  # an edit's shard: Pagefind starts now, beside the render
            rendering = time.perf_counter()
            # Otherwise the records are made, and Pagefind's helpers begin, once the render's
            # workers are forked: making them beside the workers costs the render nothing.
            files = self._renderer.render(site, theme, cache, self.workers, lambda done, total: self.reporter.progress(
                done, total, time.perf_counter() - rendering, "pages"), spool, search_now)
            if whole:
                release_freed_memory()  # what the render's bookkeeping freed, before the write
            if search_now is not None:
                search_now.widen()  # the workers are gone: the shards left are indexed side by side
            files.update(extra_files(site, theme, self._feeds))
            files.update(images.files)
            for name in overlay(files, static):
                self.reporter.warning(f"{config.root / 'static' / name}: not copied: digest makes that page itself")
            for message in missing_alt_text(site, self._audit):
                self.reporter.warning(message)
            self._pages = dict(files)
            if search_now is not None:
                search_now()  # begun beside the render, unless there was none
                files.update(self._search(search_now.shards, search_now.kept, search_now.indexing, on_disk))
            elif searching:
                files.update(self._bundle)
            result = BuildResult(site, files, problems, stats, rendered=self._renderer.rendered,
                                 translator=getattr(translator, "name", None),
                                 search_pending=searching and not search,
                                 drafts_left_out=self._drafts_left_out)
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
        if not self.keep_last_good:  # a session's builds leave the pack to close()
            self.close()
        result.seconds = time.perf_counter() - started
        self.reporter.finish(result)
        return result

    def close(self) -> None:
        """Write the article pack of the last load: after each one-off build, and once when a
        session ends (``digest serve``, ``watch``), so its rebuilds never write 10,000 rows."""
        seen = self._reads.seen
        if self._articles is not None and seen:
            self._articles.save_pack(self.config, seen, derived(self._originals, reading_key(self.config)), False)

    @property
    def articles(self) -> ArticleCache:
        """Reads content files, parsing only those the persistent build cache (its ``store``) lacks."""
        if self._articles is None:
            self._articles = ArticleCache(BuildStore(self.config.cache_dir))
        return self._articles

    def _search(self, shards: list[Planned], kept: dict[str, bytes | Kept], indexing: Indexing | None,
                on_disk: dict[str, str] | None) -> dict[str, bytes | Kept]:
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
