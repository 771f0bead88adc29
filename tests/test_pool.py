"""Rendering in a pool of worker processes (issue 14): the same bytes whatever the number of
workers, the same error message, and no worker outliving a build killed with ``kill -9``.
Real builds in real subprocesses; no model (engine none, or pages left pending)."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, write_project
from test_atomic import assert_whole, make_project, site_files

from digest.build import Builder
from digest.config import load_config
from digest.workers import available_cores, worker_count

sys.path.insert(0, str(REPO / "bench"))
from build_corpus import write_digest  # noqa: E402

pytestmark = pytest.mark.slow
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def digest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digest", *args], env=ENV, capture_output=True, text=True,
                          timeout=300)


def build_with(root: Path, workers: int, output: str, *more: str) -> subprocess.CompletedProcess:
    return digest("build", "--project", str(root), "--output", output, "--workers", str(workers), "--no-search",
                  *more)


def same_sites(root: Path) -> dict[str, bytes]:
    """Build ``root`` with 1 and 2 workers; both sites, without their manifests, must be equal."""
    for workers in (1, 2):
        result = build_with(root, workers, f"w{workers}")
        assert result.returncode == 0, result.stderr
    one, two = site_files(root / "w1"), site_files(root / "w2")
    assert one.keys() == two.keys()
    assert [rel for rel in one if one[rel] != two[rel]] == []
    return one


def test_the_sample_content_is_the_same_with_one_worker_or_two(tmp_path):
    assert digest("new", str(tmp_path / "p")).returncode == 0
    files = same_sites(tmp_path / "p")
    assert sum(rel.endswith(".html") for rel in files) > 16  # more than one chunk of pages


def test_a_generated_corpus_is_the_same_with_one_worker_or_two(tmp_path):
    write_digest(tmp_path, 120)  # enough article pages for new worker processes (FRESH_POOL_PAGES)
    files = same_sites(tmp_path)
    assert len([rel for rel in files if rel.startswith("articles/")]) == 360


def test_two_workers_render_in_other_processes(tmp_path):
    """In-process: the pages come from forked children (their CPU time is this process's
    children's) and are the pages one process makes."""
    write_digest(tmp_path, 60)
    config = load_config(tmp_path, {"site": {"search": False}})
    alone = Builder(config, translator=None, workers=1).build(write=False).files
    before = os.times()
    pooled = Builder(config, translator=None, workers=2).build(write=False)
    after = os.times()
    assert after.children_user + after.children_system > before.children_user + before.children_system
    assert pooled.files == alone
    assert pooled.rendered == Builder(config, translator=None, workers=1).build(write=False).rendered


def broken_theme(root: Path, template: str, fault: str) -> None:
    """A theme whose ``template`` fails on one article's page only, deep into the work (so a
    worker meets it, not the parent)."""
    folder = root / "themes/broken/templates"
    folder.mkdir(parents=True)
    (folder / template).write_text(
        f'{{% extends "default/{template}" %}}{{% block main %}}'
        f'{{% if entry.slug == "article-00042" %}}{fault}{{% endif %}}{{{{ super() }}}}{{% endblock %}}')


def test_a_template_error_in_a_worker_reads_as_in_one_process(tmp_path):
    write_digest(tmp_path, 120)
    broken_theme(tmp_path, "article.html", "{{ entry.nothing.deeper }}")
    one, two = (build_with(tmp_path, workers, "site", "--theme", "broken") for workers in (1, 2))
    assert one.returncode == two.returncode == 1
    assert one.stderr.splitlines()[-1] == two.stderr.splitlines()[-1]
    assert two.stderr.splitlines()[-1].startswith("error: ") and "article.html" in two.stderr
    assert "Traceback" not in two.stderr
    assert not (tmp_path / "site").exists()


def test_an_exception_in_a_worker_reads_as_in_one_process(tmp_path):
    write_digest(tmp_path, 120)
    broken_theme(tmp_path, "parallel.html", "{{ 1 // (entry.slug | length - 13) }}")
    one, two = (build_with(tmp_path, workers, "site", "--theme", "broken") for workers in (1, 2))
    assert one.returncode == two.returncode != 0
    assert one.stderr.splitlines()[-1] == two.stderr.splitlines()[-1] == \
        "ZeroDivisionError: integer division or modulo by zero"
    assert not (tmp_path / "site").exists()


def test_workers_setting(tmp_path):
    assert worker_count(0) == available_cores() >= 1
    assert worker_count(3) == 3
    write_project(tmp_path, {"digest.toml": "[build]\nworkers = -1\nthreads = 2\n"})
    result = digest("build", "--project", str(tmp_path))
    assert result.returncode == 2
    assert "build.workers" in result.stderr and "must be at least 0" in result.stderr
    assert "build.threads" in result.stderr and "unknown key" in result.stderr


def _descendants(pid: int) -> set[int]:
    """The live processes under ``pid`` (children of children too), from /proc."""
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_kill_9_of_a_build_with_workers_leaves_no_worker_and_the_last_good_site(tmp_path):
    sites = {}
    for version in (0, 1):
        make_project(tmp_path, version)
        assert build_with(tmp_path, 2, "site").returncode == 0
        sites[version] = site_files(tmp_path / "site")
    current = assert_whole(tmp_path / "site", sites)
    rng = random.Random(14)
    saw_workers = 0
    for _ in range(6):
        make_project(tmp_path, 1 - current)
        proc = subprocess.Popen([sys.executable, "-m", "digest", "build", "--project", str(tmp_path),
                                 "--output", "site", "--workers", "2", "--no-search"], env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Wait for the pool, then kill at a random moment of the rendering (or after it).
        deadline, workers = time.monotonic() + 120, set()
        while not workers and proc.poll() is None and time.monotonic() < deadline:
            workers = _descendants(proc.pid)
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 1.5))
        workers |= _descendants(proc.pid)
        saw_workers += bool(workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(map(_alive, workers)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)]
        current = assert_whole(tmp_path / "site", sites)
    assert saw_workers >= 3
    # The next build is a normal one: the lock is free and the work area is cleaned up.
    make_project(tmp_path, 1 - current)
    assert build_with(tmp_path, 2, "site").returncode == 0
    assert assert_whole(tmp_path / "site", sites) == 1 - current
    assert sorted(p.name for p in (tmp_path / ".site.digest").iterdir()) == ["lock"]


def test_a_bad_file_read_by_a_worker_is_reported_as_in_one_process(tmp_path):
    write_digest(tmp_path, 60)
    write_project(tmp_path, {
        "content/2024-05-05-broken.md": "---\ntitle: [unclosed\n---\nنص.\n",
        "content/2024-05-06-orphan.en.md": "---\ntitle: Orphan\n---\nText.\n",
        "content/2024-05-07-binary.md": b"---\ntitle: x\n---\n\xff\xfe\x00bad\n",
    })
    one, two = (build_with(tmp_path, workers, f"w{workers}") for workers in (1, 2))
    assert one.returncode == two.returncode == 0
    problems = [line for line in two.stderr.splitlines() if "broken.md" in line or "binary.md" in line]
    assert len(problems) == 2, two.stderr
    assert one.stderr == two.stderr
    assert site_files(tmp_path / "w1") == site_files(tmp_path / "w2")


def _pid(_item: int) -> int:
    return os.getpid()


def test_started_runs_once_every_worker_is_forked_and_before_any_result():
    import multiprocessing

    from digest.workers import pool_map

    seen: list[set[int]] = []
    results = pool_map(_pid, list(range(64)), 2, started=lambda: seen.append({p.pid for p in multiprocessing.active_children()}))
    assert seen == []  # nothing forked until the results are asked for
    pids = set(results)
    # Both workers were forked before started() ran, and every one that did work was among
    # them (none forked after it). Under load one worker may take every chunk: not asserted.
    assert len(seen) == 1 and len(seen[0]) == 2
    assert pids and pids <= seen[0] and os.getpid() not in pids


def test_search_indexed_beside_two_workers_is_the_same_as_with_one(tmp_path):
    sites = {}
    for workers in (1, 2):
        root = tmp_path / f"w{workers}"
        write_digest(root, 60)
        Builder(load_config(root), workers=workers, stream=True).build()
        sites[workers] = site_files(root / "site")
    assert any(p.startswith("pagefind/") for p in sites[1])
    assert sites[1] == sites[2]


def _parent_and_marker(_item: int) -> tuple[int, bool]:
    return os.getppid(), hasattr(sys.modules[__name__], "_MARKED_IN_THE_PARENT")


def test_fresh_workers_are_children_that_inherit_nothing_of_this_process():
    """A fresh pool's workers are new processes (their memory does not count this one's
    heap), children of this process (so its CPU time and kill -9 reach them)."""
    from digest.workers import pool_map

    globals()["_MARKED_IN_THE_PARENT"] = True  # a fork would see it
    try:
        seen = set(pool_map(_parent_and_marker, list(range(64)), 2, fresh=True))
    finally:
        del globals()["_MARKED_IN_THE_PARENT"]
    assert seen == {(os.getpid(), False)}


def test_an_article_page_renders_the_same_where_the_site_model_is_not(tmp_path):
    """:class:`PageJob`, pickled with its pages as a fresh worker gets them, makes the bytes
    the build makes in its own process; a theme changed since fails, never renders stale."""
    import pickle
    from multiprocessing.reduction import ForkingPickler

    from digest.errors import ThemeError
    from digest.render.pagejob import PageJob, alone_page, names_site
    from digest.render.pages import page_context
    from digest.render.theme import load_theme

    write_digest(tmp_path, 20)
    config = load_config(tmp_path, {"site": {"search": False}})
    result = Builder(config, translator=None, workers=1).build(write=False)
    theme = load_theme(config)
    assert not names_site(theme)
    pages = [p for p in result.site.pages if alone_page(p)]
    assert len(pages) == 60 and {p.template for p in pages} == {"article.html", "parallel.html"}
    job = pickle.loads(pickle.dumps(PageJob(config, theme.fingerprint, None, page_context)))
    sent = pickle.loads(ForkingPickler.dumps(pages))  # as the pool's queue pickles them
    assert [p.context["entry"] for p in sent] == [p.context["entry"] for p in pages]
    assert [job(page) for page in sent] == [result.files[p.path] for p in pages]
    with pytest.raises(ThemeError, match="changed during the build"):
        PageJob(config, "another", None, page_context)(pages[0])


def test_a_theme_naming_site_renders_in_forked_workers_the_same(tmp_path):
    """Where ``site`` is only a stand-in (fresh workers), a theme using it would differ: such
    a theme's pages are rendered by forks of the build, which hold the whole model."""
    from digest.render.pagejob import names_site
    from digest.render.theme import load_theme

    write_digest(tmp_path, 120)
    folder = tmp_path / "themes/counting/templates"
    folder.mkdir(parents=True)
    (folder / "article.html").write_text(
        '{% extends "default/article.html" %}{% block main %}<p>{{ site.entries | length }} articles</p>'
        '{{ super() }}{% endblock %}')
    write_project(tmp_path, {"digest.toml": '[site]\ntheme = "counting"\n'})
    assert names_site(load_theme(load_config(tmp_path)))
    files = same_sites(tmp_path)
    assert b"<p>120 articles</p>" in files["articles/article-00007/ar/index.html"]


def test_sending_article_pages_leaves_their_objects_as_they_were(tmp_path):
    """Sending the pages leaves little behind in the build's process: pickled as they are,
    their Arabic paragraphs would each keep a UTF-8 copy of themselves for good."""
    import gc
    import tracemalloc
    from multiprocessing.reduction import ForkingPickler

    from digest.render.pagejob import alone_page

    write_digest(tmp_path, 40)
    config = load_config(tmp_path, {"site": {"search": False}})
    pages = [p for p in Builder(config, translator=None).build(write=False).site.pages if alone_page(p)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for page in pages:
            ForkingPickler.dumps(page)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 100_000, kept  # about 310 KB with the paragraphs pickled as str, 50 KB without


def test_a_fresh_worker_keeps_no_entry_it_rendered_before(tmp_path):
    """A fresh worker gets every chunk's entries anew: once it renders another article's
    pages, nothing of the last article stays alive in it (memos keyed by their blocks kept
    every entry a worker rendered: half its memory at 10,000 articles)."""
    import gc
    import pickle
    import weakref
    from multiprocessing.reduction import ForkingPickler

    from digest.render.pagejob import ENTRY_CACHES, PageJob, alone_page
    from digest.render.pages import page_context
    from digest.render.theme import load_theme

    write_digest(tmp_path, 12)
    config = load_config(tmp_path, {"site": {"search": False}})
    result = Builder(config, translator=None, workers=1).build(write=False)
    pages = [p for p in result.site.pages if alone_page(p)]
    job = pickle.loads(pickle.dumps(PageJob(config, load_theme(config).fingerprint, None, page_context)))
    sent = pickle.loads(ForkingPickler.dumps(pages))  # as a worker gets them
    for cache in ENTRY_CACHES:  # as new in a worker: the build's own blocks are not asked for
        cache.cache_clear()
    blocks = {id(p.context["entry"]): p.context["entry"].article.blocks[0] for p in sent}
    watched = [weakref.ref(block) for block in blocks.values()]
    last = sent[-1].context["entry"].article.blocks[0]
    assert [job(page) for page in sent] == [result.files[p.path] for p in pages]
    del sent, blocks
    gc.collect()
    alive = [ref() for ref in watched if ref() is not None]
    assert alive == [last]


def test_files_parsed_by_new_worker_processes_read_as_in_one_process(tmp_path, monkeypatch):
    """From FRESH_POOL_FILES files on, the parsing workers are new processes, not forks of
    the build (which would count all it holds again): what each file gives, a bad file's
    exception included, is what reading it here gives."""
    from digest.content import parallel
    from digest.content.articles import content_files, read_article, read_translation
    from digest.errors import SourceError

    write_digest(tmp_path, 30)
    write_project(tmp_path, {
        "content/2024-05-05-broken.md": "---\ntitle: [unclosed\n---\nنص.\n",
        "content/2024-05-07-binary.md": b"---\ntitle: x\n---\n\xff\xfe\x00bad\n",
    })
    config = load_config(tmp_path)
    paths = content_files(config.content_dir).files
    monkeypatch.setattr(parallel, "FRESH_POOL_FILES", len(paths))
    parsed = parallel.read_all(paths, config, 2)
    assert list(parsed) == paths
    for path in paths:
        if path.endswith(("broken.md", "binary.md")):
            assert isinstance(parsed[path], parallel.Raised) and isinstance(parsed[path].exc, SourceError)
        else:
            here = (read_translation if path.endswith(".en.md") else read_article)(path, config)
            assert parsed[path] == here


_FREED = """
import sys
sys.path.insert(0, sys.argv[1])
from digest.workers import release_freed_memory

def resident():
    import os
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

texts = [("ن" * 3000) + str(i) for i in range(40_000)]  # 240 MB, as a load's file texts
kept = texts[::64]  # a few survive among them, as the articles do: the heap cannot shrink from its top
del texts
before = resident()
release_freed_memory()
print(before - resident(), len(kept))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_a_stage_freed_is_given_back_to_the_system():
    """What a build's stage frees among what it keeps (every file's text after the load,
    the search records once handed to Pagefind) stays resident until given back: counted
    in the process tree's peak beside Pagefind and the render's workers."""
    out = subprocess.run([sys.executable, "-c", _FREED, str(REPO)], capture_output=True, text=True, check=True)
    given_back = int(out.stdout.split()[0])
    assert given_back > 150 * 2**20, out.stdout
