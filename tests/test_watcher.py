"""The rebuild loop with real watchdog events in temp folders, one editor reality per test.

Every test ends with the watched site equal, file for file, to a clean build of the same
content.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from helpers import REPO, FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.events import RecordingReporter
from digest.serve.project import Project
from digest.serve.watcher import Watcher

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def article(title: str, body: str, date: str = "2026-11-01", tags: str = "أخبار") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\n{body}\n"


START = {
    "content/2026-11-01-alpha.md": article("ألفا", "نص المقال الأول."),
    "content/2026-11-02-beta.md": article("بيتا", "نص المقال الثاني.", "2026-11-02", "اقتصاد"),
}


class Session:
    """A project under watch: rebuilds run in a background thread, outcomes are kept."""

    def __init__(self, root: Path, poll: bool = False) -> None:
        self.root = root
        self.config = load_config(root)
        self.project = Project(self.config, RecordingReporter(), FakeTranslator())
        self.changed: list = []
        self.watcher = Watcher(self.project, self._on_change, poll=poll).start()
        self.outcomes = [self.project.rebuild()]
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)
        self.thread.start()

    def _on_change(self, reload: bool, changed=None) -> None:
        self.changed.append(changed)
        self.outcomes.append(self.project.rebuild(reload, changed))

    @property
    def site(self) -> Path:
        return self.project.config.output_dir

    def page(self, slug: str, lang: str = "ar") -> Path:
        return self.site / "articles" / slug / lang / "index.html"

    def wait(self, predicate, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for the site to follow: {self.watcher.rebuilds} rebuilds, last {self.outcomes[-1]}"[:2000])
            time.sleep(0.05)

    def files(self) -> dict[str, bytes] | None:
        """The site on disk without digest's manifest, or None while a rebuild is pruning it."""
        try:
            return {p.relative_to(self.site).as_posix(): p.read_bytes()
                    for p in sorted(self.site.rglob("*")) if p.is_file() and p.name != ".digest-manifest.json"}
        except FileNotFoundError:
            return None

    def assert_clean(self) -> None:
        """The site equals a clean build of the content as it is now."""
        clean = Builder(load_config(self.root), translator=FakeTranslator()).build(write=False).files
        self.wait(lambda: self.files() == clean)

    def assert_never_partial(self, slug: str, blocks: int) -> None:
        """No rebuild of the session built ``slug`` with fewer than ``blocks`` blocks."""
        for outcome in self.outcomes:
            entries = {e.slug: e for e in outcome.result.site.entries} if outcome.result else {}
            if slug in entries:
                assert len(entries[slug].article.blocks) == blocks, "a partial copy was built"

    def close(self) -> None:
        self.watcher.stop()
        self.thread.join(5)


@pytest.fixture
def session(tmp_path):
    write_project(tmp_path, START)
    s = Session(tmp_path)
    yield s
    s.close()


def contains(path: Path, text: str) -> bool:
    return path.is_file() and text in path.read_text(encoding="utf-8")


def test_atomic_save(session):
    target = session.root / "content/2026-11-01-alpha.md"
    tmp = target.with_name(".2026-11-01-alpha.md.swp")
    tmp.write_text(article("ألفا", "نص محفوظ بطريقة ذرية."), encoding="utf-8")
    os.replace(tmp, target)
    session.wait(lambda: contains(session.page("alpha"), "نص محفوظ بطريقة ذرية."))
    session.assert_clean()


def test_move_in_and_out(session):
    outside = session.root / "drafts"
    outside.mkdir()
    draft = outside / "2026-11-03-gamma.md"
    draft.write_text(article("غاما", "مقال نقل إلى المحتوى."), encoding="utf-8")
    os.rename(draft, session.root / "content" / draft.name)
    session.wait(lambda: session.page("gamma").exists())
    # A rename brings a whole file: nothing to wait for (it used to wait a second for a
    # writer that never existed).
    assert session.watcher.settle_waits == 0
    session.assert_clean()
    os.rename(session.root / "content" / draft.name, draft)
    session.wait(lambda: not session.page("gamma").exists())
    session.assert_clean()


def test_a_folder_moved_in_is_built_without_waiting_for_writers(session):
    drafts = session.root / "drafts"
    write_project(drafts, {f"2026-11-0{i}-moved-{i}.md": article(f"منقول {i}", f"نص منقول {i}.") for i in range(1, 4)})
    os.rename(drafts, session.root / "content/drafts")
    session.wait(lambda: all(session.page(f"moved-{i}").exists() for i in range(1, 4)))
    assert session.watcher.settle_waits == 0
    session.assert_clean()


def test_rename_moves_the_url(session):
    content = session.root / "content"
    os.rename(content / "2026-11-02-beta.md", content / "2026-11-02-delta.md")
    session.wait(lambda: session.page("delta").exists() and not (session.site / "articles/beta").exists())
    assert "articles/delta/" in (session.site / "sitemap.xml").read_text()
    session.assert_clean()


def test_delete_removes_page_indexes_feeds_sitemap(session):
    (session.root / "content/2026-11-02-beta.md").unlink()
    session.wait(lambda: not session.page("beta").exists())
    # Removals come last, once the indexes no longer link to what goes.
    for rel in ("index.html", "ar/index.html", "en/index.html", "sitemap.xml", "feed.xml", "ar/feed.xml"):
        assert "articles/beta/" not in (session.site / rel).read_text(encoding="utf-8"), rel
    session.wait(lambda: not (session.site / "tags/اقتصاد").exists())  # removed after articles/
    session.assert_clean()


def test_slow_copy_is_read_whole(session):
    body = "\n\n".join(f"فقرة رقم {i} من مقال طويل ينسخ ببطء." for i in range(40))
    data = article("إبسيلون", body, "2026-11-04").encode("utf-8")
    target = session.root / "content/2026-11-04-epsilon.md"
    with open(target, "wb") as fh:
        for start in range(0, len(data), len(data) // 20 + 1):
            fh.write(data[start:start + len(data) // 20 + 1])
            fh.flush()
            time.sleep(0.04)
    session.wait(lambda: contains(session.page("epsilon"), "فقرة رقم 39"))
    session.assert_clean()
    session.assert_never_partial("epsilon", 40)


def test_folder_of_500_added_and_removed_in_few_rebuilds(session):
    batch = session.root / "incoming"
    for i in range(500):
        write_project(batch, {f"2026-10-{i % 28 + 1:02d}-batch-{i}.md": article(f"دفعة {i}", f"نص الدفعة {i}.")})
    before = session.watcher.rebuilds
    shutil.copytree(batch, session.root / "content/batch")
    session.wait(lambda: all(session.page(f"batch-{i}").exists() for i in range(500)), timeout=30)
    assert session.watcher.rebuilds - before <= 5
    session.assert_clean()
    shutil.rmtree(session.root / "content/batch")
    session.wait(lambda: not session.page("batch-0").exists())
    session.assert_clean()


def test_malformed_file_keeps_last_good_page_and_reports(session):
    target = session.root / "content/2026-11-01-alpha.md"
    good = session.page("alpha").read_bytes()
    target.write_text("---\ntitle: [ألفا\ndate: 2026-11-01\n---\nنص مكسور.\n", encoding="utf-8")
    session.wait(lambda: session.outcomes[-1].failures)
    failure = session.outcomes[-1].failures[0]
    assert failure.file.endswith("2026-11-01-alpha.md") and failure.line and "YAML" in failure.reason
    assert session.outcomes[-1].ok
    assert session.page("alpha").read_bytes() == good
    target.write_text(article("ألفا", "نص مصلح."), encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha"), "نص مصلح.") and not session.outcomes[-1].failures)
    session.assert_clean()


def test_config_change_rebuilds_everything(session):
    (session.root / "digest.toml").write_text('[site]\ntitle_en = "Changed Title"\n', encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha", "en"), "Changed Title"))
    session.assert_clean()
    (session.root / "digest.toml").write_text('[site]\nnot_a_key = 1\n', encoding="utf-8")
    session.wait(lambda: not session.outcomes[-1].ok)
    assert "not_a_key" in session.outcomes[-1].failures[0].reason
    (session.root / "digest.toml").unlink()
    session.wait(lambda: session.outcomes[-1].ok and not contains(session.page("alpha", "en"), "Changed Title"))
    session.assert_clean()


def test_editor_temp_files_do_not_rebuild(session):
    before, listings = session.watcher.rebuilds, session.watcher.listings
    for name in (".2026-11-01-alpha.md.swp", "2026-11-01-alpha.md~", "4913", ".#alpha.md", "x.md.part"):
        (session.root / "content" / name).write_text("temporary", encoding="utf-8")
    (session.root / "site/stray.txt").write_text("not watched", encoding="utf-8")
    # The second idle listing begins only after a quiet spell that followed every event
    # of these writes, and after the listing that would have seen them as new files.
    session.wait(lambda: session.watcher.listings >= listings + 2)
    assert session.watcher.rebuilds == before


def test_polling_observer(tmp_path):
    write_project(tmp_path, START)
    s = Session(tmp_path, poll=True)
    try:
        (tmp_path / "content/2026-11-01-alpha.md").write_text(article("ألفا", "نص عبر الاستطلاع."), encoding="utf-8")
        s.wait(lambda: contains(s.page("alpha"), "نص عبر الاستطلاع."))
        s.assert_clean()
    finally:
        s.close()


def test_a_file_still_open_for_writing_holds_the_short_quiet_period_off(session):
    # inotify reports when a writer closes the file; only then may the rebuild start after
    # the short quiet period (an editor's save) instead of the full one (a copy under way).
    target = session.root / "content/2026-11-05-zeta.md"
    with open(target, "w", encoding="utf-8") as fh:
        fh.write(article("زيتا", "نص يكتب ببطء."))
        fh.flush()
        # Written and not closed: the rebuild waits for the writer (and may, after
        # OPEN_IDLE, read it anyway); either way it waited.
        session.wait(lambda: session.watcher.settle_waits == 1)
    session.wait(lambda: session.page("zeta").exists())
    assert str(target) not in session.watcher._open
    # Closed: the next save is an editor's, read without waiting.
    target.write_text(article("زيتا", "نص محفوظ."), encoding="utf-8")
    session.wait(lambda: contains(session.page("zeta"), "نص محفوظ."))
    assert session.watcher.settle_waits == 1
    session.assert_clean()


def test_a_copy_that_pauses_is_read_once_its_writer_closes_it(session):
    body = "\n\n".join(f"فقرة رقم {i} من مقال ينسخ على مرتين." for i in range(30))
    data = article("إيتا", body, "2026-11-06").encode("utf-8")
    target = session.root / "content/2026-11-06-eta.md"
    with open(target, "wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
        # The pause lasts until the quiet period is over and the rebuild waits for the writer.
        session.wait(lambda: session.watcher.settle_waits == 1)
        fh.write(data[len(data) // 2:])
    session.wait(lambda: contains(session.page("eta"), "فقرة رقم 29"))
    session.assert_never_partial("eta", 30)
    session.assert_clean()


def test_the_watcher_names_changed_files_as_the_builder_lists_them(tmp_path, monkeypatch):
    write_project(tmp_path, START)
    monkeypatch.chdir(tmp_path)
    s = Session(Path("."))  # as the CLI runs it: a relative project folder
    try:
        Path("content/2026-11-01-alpha.md").write_text(article("ألفا", "نص عبر مسار نسبي."), encoding="utf-8")
        s.wait(lambda: contains(s.page("alpha"), "نص عبر مسار نسبي."))
        # The project's paths are absolute, however it was named (its caches' keys with them).
        name = str(tmp_path / "content/2026-11-01-alpha.md")
        assert frozenset({name}) in s.changed
        assert name in s.project.builder._listing[1]
        s.assert_clean()
    finally:
        s.close()


def test_changes_whose_events_were_missed_are_found_by_the_idle_listing(session):
    session.watcher._observer.unschedule_all()  # as if the kernel had dropped the events
    target = session.root / "content/2026-11-01-alpha.md"
    target.write_text(article("ألفا", "تعديل لم يبلغ عنه."), encoding="utf-8")
    (session.root / "content/2026-11-03-gamma.md").write_text(article("غاما", "مقال جديد."), encoding="utf-8")
    session.wait(lambda: session.page("gamma").exists())
    # The listing shows a new file; the rebuild then looks at every file, the edit included.
    assert session.changed[-1] is None
    assert contains(session.page("alpha"), "تعديل لم يبلغ عنه.")
    session.assert_clean()


def test_an_edited_human_translation_is_followed(session):
    english = session.root / "content/2026-11-01-alpha.en.md"
    english.write_text("---\ntitle: Alpha\n---\nFirst version.\n", encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha", "en"), "First version."))
    english.write_text("---\ntitle: Alpha\n---\nSecond version.\n", encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha", "en"), "Second version."))
    session.assert_clean()


def test_a_themes_folder_made_after_the_start_is_watched(session):
    base = (REPO / "themes/default/templates/base.html").read_text(encoding="utf-8")
    theme = session.root / "themes/default"
    shutil.copytree(REPO / "themes/default", theme)
    (theme / "templates/base.html").write_text(base.replace("<body", "<body data-mark=\"one\""), encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha"), 'data-mark="one"'))
    (theme / "templates/base.html").write_text(base.replace("<body", "<body data-mark=\"two\""), encoding="utf-8")
    session.wait(lambda: contains(session.page("alpha"), 'data-mark="two"'))
    session.assert_clean()


def test_a_content_folder_removed_and_made_again_is_watched(session):
    content = session.root / "content"
    shutil.rmtree(content)
    session.wait(lambda: not session.outcomes[-1].ok)  # no content folder: the last good site stays
    content.mkdir()
    write_project(session.root, {"content/2026-11-07-theta.md": article("ثيتا", "نص أول.")})
    session.wait(lambda: contains(session.page("theta"), "نص أول."))
    (content / "2026-11-07-theta.md").write_text(article("ثيتا", "نص ثان."), encoding="utf-8")
    session.wait(lambda: contains(session.page("theta"), "نص ثان."))
    session.assert_clean()


def test_an_edit_whose_event_the_kernel_dropped_is_found_after_an_inotify_overflow(tmp_path):
    """A real overflow: ``digest watch`` is stopped (SIGSTOP) while more events than the
    kernel queues arrive, and the article is edited once the queue is full, so its events
    are lost. The edit must still reach the site once the process runs again."""
    import signal
    import subprocess
    import sys

    write_project(tmp_path, {**START, "digest.toml": '[translation]\nengine = "none"\n'})
    page = tmp_path / "site/articles/alpha/ar/index.html"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "digest", "watch", "--project", str(tmp_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not contains(page, "نص المقال الأول.") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # in the loop, idle
        limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            for n in range(limit + 500):  # editor leftovers digest ignores: only their events count
                (tmp_path / f"content/junk-{n}.part").touch()
            (tmp_path / "content/2026-11-01-alpha.md").write_text(article("ألفا", "تعديل ضاع حدثه."), encoding="utf-8")
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        deadline = time.monotonic() + 30
        while not contains(page, "تعديل ضاع حدثه.") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert contains(page, "تعديل ضاع حدثه."), "the lost edit never reached the site"
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
    assert "file events were lost (the kernel's inotify queue overflowed)" in output, output[-2000:]


def test_an_edits_rebuild_gives_the_heap_back_only_once_its_pages_are_written(tmp_path):
    """Giving the heap back (``malloc_trim``) belongs to a builder's first build, which reads
    and renders everything, before its write. In the rebuild of an edit it freed little and
    came before the write, delaying the edited page; there the session gives the heap back
    once the pages are on disk. Seen by a profile hook on a real watched session."""
    import sys

    from digest import workers
    from digest.output.folder import OutputFolder

    watched = {workers.release_freed_memory.__code__: "trim", OutputFolder.write.__code__: "write"}
    calls: list[str] = []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in watched:
            calls.append(watched[frame.f_code])

    write_project(tmp_path, START)
    threading.setprofile(profile)  # the watcher's thread, started by the session
    sys.setprofile(profile)  # this thread: the first build
    try:
        s = Session(tmp_path)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    try:
        assert calls[:3] == ["trim", "trim", "write"], calls  # after the load, after the render
        calls.clear()
        (tmp_path / "content/2026-11-01-alpha.md").write_text(article("ألفا", "نص معدل."), encoding="utf-8")
        s.wait(lambda: contains(s.page("alpha"), "نص معدل.") and s.watcher.rebuilds >= 1)
        assert calls[0] == "write" and "trim" in calls, calls
    finally:
        s.close()
    s.assert_clean()
