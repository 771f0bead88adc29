"""The output folder's check against its manifest, begun in a forked child beside the build
(:class:`digest.output.verify.Looking`): it finds exactly what :func:`verify` finds, and
anything amiss with the child makes it check in the build's own process. Real folders."""

import json
import os
import signal
import threading

from digest.output import OutputFolder, write_site
from digest.output.guard import MANIFEST
from digest.output.verify import Looking, OnDisk, Verified, verify

FILES = {f"a/{i}/index.html": f"page {i}".encode() for i in range(300)} | {"feed.xml": b"<feed/>", "x.css": b"x"}


def same(one: Verified, two: Verified) -> bool:
    return (one.listed, one.good, one.foreign, one.text) == (two.listed, two.good, two.foreign, two.text)


def touched_site(tmp_path):
    """A written site, then changed by hand: a file edited, one deleted, one made a folder,
    and a manifest entry this version would not write."""
    out = tmp_path / "site"
    write_site(FILES, out)
    (out / "a/3/index.html").write_bytes(b"edited by hand")
    (out / "a/4/index.html").unlink()
    (out / "x.css").unlink()
    (out / "x.css").mkdir()
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"]["../outside"] = [1, "0" * 64, 0]
    (out / MANIFEST).write_text(json.dumps(manifest))
    return out


def test_the_child_finds_what_verify_finds(tmp_path):
    out = touched_site(tmp_path)
    looking = Looking(out)
    if threading.active_count() == 1:
        assert looking._pid > 0  # checked by a child
    found = looking.result()
    assert same(found, verify(out))
    assert "a/3/index.html" not in found.good and "a/4/index.html" not in found.good
    assert "x.css" not in found.good and "../outside" not in found.listed
    assert "a/5/index.html" in found.good and len(found.good) == len(FILES) - 3
    assert looking.result() is found  # asked again: the same answer, no second child


def test_with_another_thread_running_nothing_is_forked(tmp_path):
    out = touched_site(tmp_path)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        looking = Looking(out)
        assert looking._pid == -1
        assert same(looking.result(), verify(out))
    finally:
        stop.set()
        other.join()


def test_a_child_killed_before_it_answered_is_not_trusted(tmp_path):
    out = touched_site(tmp_path)
    for _ in range(5):
        looking = Looking(out)
        if looking._pid > 0:
            os.kill(looking._pid, signal.SIGKILL)  # whether it answered already or not
        assert same(looking.result(), verify(out))


def test_a_look_nobody_asked_for_is_dropped_with_its_child(tmp_path):
    out = touched_site(tmp_path)
    looking = Looking(out)
    pid = looking._pid
    looking.drop()
    if pid > 0:
        try:
            os.waitpid(pid, os.WNOHANG)
            raise AssertionError("the child was not waited for")
        except ChildProcessError:
            pass


def test_a_folder_without_manifest_or_missing_is_checked_as_verify_does(tmp_path):
    (tmp_path / "plain").mkdir()
    for out in (tmp_path / "plain", tmp_path / "missing"):
        assert same(Looking(out).result(), verify(out))


def test_the_first_write_after_a_look_ahead_rewrites_what_was_changed_by_hand(tmp_path):
    out = touched_site(tmp_path)
    folder = OutputFolder(out)
    folder.look_ahead()
    with folder.lock:
        on_disk = folder.on_disk()
    assert on_disk is not None and "a/3/index.html" not in on_disk
    result = folder.write(FILES)
    assert sorted(result.written) == ["a/3/index.html", "a/4/index.html", "x.css"]
    assert (out / "a/3/index.html").read_bytes() == b"page 3" and (out / "x.css").read_bytes() == b"x"
    folder.look_ahead()  # this object wrote the folder: nothing to look at
    assert folder._looking is None and folder.on_disk() is None


def written_twice(tmp_path, part: dict, rest: dict, *, changed_after: str | None = None, few: bool = True):
    """Write ``part | rest`` over a copy of one site by a new OutputFolder, with and without
    :meth:`OutputFolder.prepare` of ``part`` first; return both results and manifests."""
    outcomes = []
    for name, prepare in (("plain", False), ("prepared", True)):
        out = tmp_path / name / "site"
        write_site(FILES, out)
        folder = OutputFolder(out)
        folder.look_ahead()
        with folder.lock:
            folder.on_disk()
            if prepare:
                folder.prepare(part)
                assert folder._prepared is not None and (folder._prepared.changed is not None) == few
        files = dict(part) | rest
        if changed_after is not None:
            files[changed_after] = b"changed after prepare"
        result = folder.write(files)
        manifest = json.loads((out / MANIFEST).read_text())
        entries = [(rel, item[0], item[1]) for rel, item in manifest["files"].items()]
        outcomes.append((sorted(result.written), sorted(result.removed), result.unchanged, entries,
                         {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                          if p.is_file() and p.name != MANIFEST}))
    return outcomes


def test_a_prepared_write_writes_what_a_plain_one_writes(tmp_path):
    part = dict(FILES) | {"a/7/index.html": b"page 7 again", "new/index.html": b"new page"}
    del part["feed.xml"]  # removed from the site
    rest = {"pagefind/2026-01/a.pf": b"bundle", "pagefind/shards.json": b"[]"}
    plain, prepared = written_twice(tmp_path, part, rest)
    assert plain == prepared
    assert plain[0] == ["a/7/index.html", "new/index.html", "pagefind/2026-01/a.pf", "pagefind/shards.json"]
    assert plain[1] == ["feed.xml"]


def test_a_part_changed_after_it_was_prepared_is_compared_again(tmp_path):
    part = dict(FILES)
    rest = {"pagefind/shards.json": b"[]"}
    plain, prepared = written_twice(tmp_path, part, rest, changed_after="a/9/index.html")
    assert plain == prepared and "a/9/index.html" in prepared[0]


def test_many_changes_are_staged_with_or_without_preparing(tmp_path):
    part = {rel: data + b"!" for rel, data in FILES.items()}
    plain, prepared = written_twice(tmp_path, part, {"pagefind/shards.json": b"[]"}, few=False)
    assert plain == prepared and len(plain[0]) == len(FILES) + 1


def test_a_failed_builds_check_is_not_the_next_ones(tmp_path):
    out = tmp_path / "site"
    write_site(FILES, out)
    for look in (True, False):  # digest build (a look ahead each time), serve's first builds (none)
        folder = OutputFolder(out)
        if look:
            folder.look_ahead()
        with folder.lock:
            assert "a/1/index.html" in (folder.on_disk() or {})
            folder.prepare(dict(FILES))
        # The build fails before its write; the file is changed by hand; the next build:
        (out / "a/1/index.html").write_bytes(b"by hand")
        if look:
            folder.look_ahead()
        with folder.lock:
            assert "a/1/index.html" not in (folder.on_disk() or {})
        assert folder.write(dict(FILES)).written == ["a/1/index.html"]
        assert (out / "a/1/index.html").read_bytes() == b"page 1"


def test_on_disk_is_worked_out_on_first_use_and_once():
    calls: list[int] = []
    on_disk = OnDisk(lambda: calls.append(1) or {"a/index.html": "f" * 64})
    assert calls == []  # made, not worked out: an edit's shard goes to Pagefind first
    assert on_disk.get("a/index.html") == "f" * 64 and on_disk.get("b") is None
    assert on_disk["a/index.html"] == "f" * 64 and list(on_disk) == ["a/index.html"] and len(on_disk) == 1
    assert calls == [1]
