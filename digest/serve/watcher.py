"""The rebuild loop of ``digest watch`` and ``digest serve``.

Watchdog events only record which paths changed. One loop waits until the file system has
been quiet for a moment, waits for files still being written to settle, then rebuilds once
through a long-lived :class:`~digest.build.Builder`, which re-reads only changed files and
re-renders only pages whose inputs changed. A change to ``digest.toml`` reloads the
configuration and starts a fresh builder.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..content.names import is_ignored_name
from ..render.themedirs import theme_dirs
from ..workers import sigterm_interrupts
from .paths import CONFIG, CONTENT, IGNORED, Layout, classify
from .project import Project

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver

QUIET = 0.1
"""Seconds without events before a rebuild starts."""
QUIET_CLOSED = 0.02
"""The same, when every file written since the last rebuild has been closed again (an
editor's save: the file system said so), so nothing is left to wait for but a burst's end."""
SETTLE = 0.05
"""Seconds a changed file's size and mtime must stay put before it is read."""
OPEN_IDLE = 1.0
"""A file its writer has not closed yet is read once it has not grown for this long."""
SETTLE_LIMIT = 30.0
"""Give up waiting for a file that keeps growing (a stuck copy) after this long."""
RESCAN = 2.0
"""Seconds between listings of the content folder while idle."""


class _Overflow(logging.Handler):
    """Calls ``lost`` when watchdog says the kernel's inotify queue overflowed.

    watchdog drops the events that did not fit and says so only in a log warning; what
    changed meanwhile (any file, even ``digest.toml``) is then unknown.
    """

    def __init__(self, lost: Callable[[], None]) -> None:
        super().__init__(logging.WARNING)
        self.lost = lost

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self.lost()  # the watcher says so itself, with what it does about it
        elif not logging.getLogger().handlers and logging.lastResort is not None:
            # What Python prints when no handler is set, which this handler would stop.
            logging.lastResort.handle(record)


WATCHDOG_LOGGER = logging.getLogger("watchdog.observers")


class Watcher:
    """Watches a project's content, theme folders and ``digest.toml``; calls ``on_change``.

    ``on_change(reload, changed)`` runs in the thread that called :meth:`run`, once per
    quiet batch of changes; ``reload`` is true when the configuration changed, ``changed``
    holds the content paths that changed (as the builder lists them), or is None when that
    is not known (everything must be looked at).
    """

    def __init__(self, project: Project, on_change: Callable[[bool, frozenset[str] | None], object], poll: bool = False,
                 quiet: float = QUIET) -> None:
        self.project = project
        self.on_change = on_change
        self.poll = poll
        self.quiet = quiet
        self._lock = threading.Lock()
        self._changed: set[str] = set()
        self._open: set[str] = set()
        self._last = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._observer: BaseObserver | None = None
        self.layout: Layout | None = None
        self._watching: tuple[tuple[Path, bool, int], ...] = ()
        self.rebuilds = 0
        self._missed = False
        self._overflow = _Overflow(self._lost)
        self._config_stamp: tuple[int, int] | None = None
        self.settle_waits = 0
        """Times a rebuild waited for a file still being written."""
        self.overflows = 0
        """Times the kernel dropped file events (each answered by a rebuild of everything)."""
        self.listings = 0
        """Idle listings of the content folder begun (one after each :data:`RESCAN` seconds
        without events): once two more have begun, every earlier event has been handled."""

    def _look_at_everything(self) -> None:
        """Make the next rebuild check every content file: events were, or may have been,
        missed, so the changed paths the watcher holds are not the whole story."""
        assert self.layout is not None, "start() first"  # _schedule sets it
        with self._lock:
            self._missed = True
            self._changed.add(str(self.layout.content))
            self._wake.set()

    def _lost(self) -> None:
        # Every content file is looked at again (the theme always is); digest.toml is read
        # again if it is not what it was when last watched.
        with self._lock:
            self.overflows += 1
            if self.layout is not None and _stamp(self.layout.config_file) != self._config_stamp:
                self._changed.add(str(self.layout.config_file))
            self._last = time.monotonic()
        if self.layout is not None:
            self._look_at_everything()

    def _note(self, event) -> None:
        # A folder's "modified" only echoes an entry that has its own event.
        if event.event_type in ("opened", "closed_no_write") or (
                event.is_directory and event.event_type == "modified"):
            return
        with self._lock:
            self._changed.add(event.src_path)
            dest = getattr(event, "dest_path", "")
            if dest:
                self._changed.add(dest)
            if not event.is_directory and not self.poll:
                # Written to and not closed since: maybe a copy in progress. A file that was
                # only created is complete: moved in from outside (one rename, no writes) or
                # found inside a folder moved in; a writer's first write follows its create.
                if event.event_type == "modified":
                    self._open.add(event.src_path)
                elif event.event_type != "attrib":
                    self._open.discard(event.src_path)
                    self._open.discard(dest)
            self._last = time.monotonic()
            self._wake.set()

    def _schedule(self) -> None:
        """(Re)start the observer on the current configuration's folders."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        self.layout, self._watching = self._places()
        self._config_stamp = _stamp(self.layout.config_file)
        handler = FileSystemEventHandler()
        # watchdog calls the instance's on_any_event; mypy sees a method replaced.
        handler.on_any_event = self._note  # type: ignore[method-assign]
        observer = PollingObserver(timeout=0.5) if self.poll else Observer()
        for folder, recursive, _ in self._watching:
            observer.schedule(handler, str(folder), recursive=recursive)
        observer.daemon = True
        observer.start()
        # The old observer stops only once the new one listens, so no event falls between.
        old, self._observer = self._observer, observer
        if old is not None:
            old.stop()
            old.join()

    def _places(self) -> tuple[Layout, tuple[tuple[Path, bool, int], ...]]:
        """The current configuration's layout, and the folders to watch as things are now
        (only those that exist), each with whether to watch it recursively and its inode (a
        folder removed and made again is another folder to watch)."""
        config = self.project.config
        layout = Layout.of(config, theme_dirs(config))
        # The project folder itself only non-recursively: it holds site/ and .git (and there
        # digest.toml, content/ and themes/ appear and go).
        places = [(layout.config_file.parent, False)]
        places += [(folder, True) for folder in (layout.content, *layout.themes) if folder.is_dir()]
        themes_folder = layout.theme_places[0]  # where a chosen theme may appear later
        if themes_folder.is_dir() and themes_folder not in layout.themes:
            places.append((themes_folder, False))
        return layout, tuple((folder, recursive, _inode(folder)) for folder, recursive in places)

    def start(self) -> "Watcher":
        """Start observing; events are collected until :meth:`run` handles them."""
        WATCHDOG_LOGGER.addHandler(self._overflow)
        self._schedule()
        return self

    def stop(self) -> None:
        """Stop the loop and the observer."""
        WATCHDOG_LOGGER.removeHandler(self._overflow)
        self._stop.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()

    def _take(self) -> dict[Path, str]:
        """Wait for a quiet moment, then take the changed paths that matter."""
        while not self._stop.is_set():
            with self._lock:
                idle = time.monotonic() - self._last
                quiet = self.quiet if self.poll or self._open else min(self.quiet, QUIET_CLOSED)
                self._wake.clear()
                if idle >= quiet:
                    changed, self._changed = self._changed, set()
                    break
            # Woken by the next event too: a writer closing its file shortens the wait.
            self._wake.wait(quiet - idle)
        else:
            return {}
        assert self.layout is not None, "start() first"
        kinds = {Path(p): classify(p, self.layout) for p in changed}
        return {p: k for p, k in kinds.items() if k != IGNORED}

    def _settle(self, paths) -> None:
        """Wait while any of ``paths`` is still being written (a slow copy).

        With inotify a file is done when its writer closes it, or when it has not grown
        for :data:`OPEN_IDLE` (a program holding it open); a copy may pause in between.
        Polling observers see no closes: there a file is done when its size and mtime
        stay put for :data:`SETTLE`.
        """
        def stamps(items):
            return {p: _stamp(p) for p in items}

        def writing(items):
            return list(items) if self.poll else [p for p in items if str(p) in self._open]

        paths = writing(paths)
        before = stamps(paths)
        recent = time.time_ns() - int(SETTLE * 1e9)
        if not paths or (self.poll and all(st is None or st[0] < recent for st in before.values())):
            return  # closed by their writers, or (polling) not written within SETTLE seconds
        self.settle_waits += 1
        deadline = time.monotonic() + SETTLE_LIMIT
        still_since = time.monotonic()
        while not self._stop.wait(SETTLE) and time.monotonic() < deadline:
            paths = writing(paths)
            if not paths:
                return
            now = stamps(paths)
            if now != before:
                before, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= (SETTLE if self.poll else OPEN_IDLE):
                return

    def _say(self, message: str) -> None:
        reporter = getattr(self.project, "reporter", None)
        if reporter is not None:
            reporter.info(message)

    def _entries(self) -> set[str]:
        """Every file and folder under the content folder that matters, by path."""
        assert self.layout is not None, "start() first"
        out: set[str] = set()
        for dirpath, dirnames, filenames in os.walk(self.layout.content):
            dirnames[:] = [d for d in dirnames if not is_ignored_name(d)]
            out.update(os.path.join(dirpath, n) for n in (*dirnames, *filenames) if not is_ignored_name(n))
        return out

    def _content_paths(self, changes: dict[Path, str]) -> frozenset[str]:
        """The changed content paths, spelt as the builder lists them (under the configured
        content folder, which may be relative)."""
        assert self.layout is not None, "start() first"
        content = self.project.config.content_dir
        return frozenset(str(content / p.relative_to(self.layout.content))
                         for p, kind in changes.items() if kind == CONTENT)

    def run_until_interrupted(self) -> None:
        """:meth:`run` until Ctrl-C or SIGTERM, then stop the observer."""
        # A service manager stops with SIGTERM: the session must end as after Ctrl-C, so that
        # what it keeps until then (the article pack) is written.
        try:
            with sigterm_interrupts():
                self.run()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def run(self) -> None:
        """Handle changes until :meth:`stop`: one rebuild per quiet batch, then, while
        nothing new comes in, the project's search index catches up (a change stops it)."""
        index = getattr(self.project, "index", lambda cancel: True)
        appeared = getattr(self.project, "model_appeared", lambda: False)
        entries = self._entries()
        overflows = self.overflows
        while not self._stop.is_set():
            if not self._wake.wait(RESCAN):
                self.listings += 1
                # inotify can miss the removal of a folder created a moment before (its
                # watch is added after the fact); a listing while idle catches that.
                if self._entries() == entries:
                    if appeared():  # `digest models install` ran beside this session
                        self._say("a translation model was installed: rebuilding with it")
                        self.on_change(False, frozenset())
                        self.rebuilds += 1
                    index(self._wake)
                    continue
                # Events were missed (maybe more than that listing shows): look at every file.
                self._look_at_everything()
            changes = self._take()
            if not changes:
                index(self._wake)
                continue
            self._settle([p for p, k in changes.items() if k == CONTENT])
            reload = CONFIG in changes.values()
            if self.overflows != overflows:
                overflows = self.overflows
                self._say("file events were lost (the kernel's inotify queue overflowed): "
                          "looking at every file again")
            missed, self._missed = self._missed, False
            note = getattr(self.project, "note_changes", None)
            if note is not None:  # for the rebuild to say what changed
                note(changes)
            config_file = self.layout.config_file if self.layout is not None else None
            read = _stamp(config_file) if config_file is not None else None  # as the rebuild reads it
            self.on_change(reload, None if reload or missed else self._content_paths(changes))
            entries = self._entries()  # after the rebuild: it is not in the way of the page
            index(self._wake)
            self.rebuilds += 1
            if reload or self._places()[1] != self._watching:
                before = set(self._watching)
                self._schedule()
                if config_file is not None and _stamp(config_file) != read:
                    # Changed again while the observers were swapped: the old one's unread
                    # events are dropped when it stops (watchdog logs "called when the thread
                    # is inactive"), and the new one began after the change.
                    with self._lock:
                        self._changed.add(str(config_file))
                        self._last = time.monotonic()
                        self._wake.set()
                if not reload and set(self._watching) - before:
                    # A folder appeared (content/, a theme): what was written in it before it
                    # was watched is looked for by one more rebuild, of every file.
                    self._look_at_everything()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _inode(folder: Path) -> int:
    try:
        return folder.stat().st_ino
    except OSError:
        return 0
