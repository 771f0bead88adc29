"""The work area is marked as a top of a directory hierarchy (``chattr +T``) where the file
system knows the flag, so ext4 places the stage and the spool where inodes are free."""

import array
import fcntl
import os
import sys
from pathlib import Path

import pytest

from digest.build import Builder
from digest.config import load_config
from digest.output.workarea import SiteLock, spread_out, work_dir

_FS_IOC_GETFLAGS = 0x80086601
_FS_TOPDIR_FL = 0x00020000


def _flags(path) -> int | None:
    """The folder's inode flags, or None where the file system has none to give."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        return flags[0]
    except OSError:
        return None
    finally:
        os.close(fd)


def _needs_flags(path) -> None:
    if not sys.platform.startswith("linux") or _flags(path) is None:
        pytest.skip("the file system under the test folder has no inode flags")


def test_spread_out_sets_the_top_directory_flag_and_keeps_the_others(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    _needs_flags(folder)
    before = _flags(folder)
    spread_out(folder)
    spread_out(folder)  # again: nothing changes
    after = _flags(folder)
    assert after & _FS_TOPDIR_FL
    assert after & ~_FS_TOPDIR_FL == before & ~_FS_TOPDIR_FL


def test_spread_out_is_harmless_where_it_cannot_be_done(tmp_path):
    spread_out(tmp_path / "missing")  # no folder: nothing, no error
    file = tmp_path / "file"
    file.write_text("x")
    spread_out(file)  # not a folder: nothing
    assert file.read_text() == "x"
    if os.path.isdir("/dev/shm"):
        spread_out(Path("/dev/shm"))  # tmpfs: refused, quietly


def test_the_lock_marks_the_work_area_and_a_build_under_it_is_unchanged(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\ntitle: خبر\n---\nنص الخبر.\n", encoding="utf-8")
    (tmp_path / "content" / "a.en.md").write_text("---\ntitle: News\n---\nThe text.\n", encoding="utf-8")
    _needs_flags(tmp_path)
    config = load_config(tmp_path)
    with SiteLock.of(config.output_dir):
        assert _flags(work_dir(config.output_dir)) & _FS_TOPDIR_FL
    result = Builder(config, translator=None).build(search=False)
    assert "articles/a/index.html" in result.written
    assert (config.output_dir / "articles" / "a" / "en" / "index.html").read_text(encoding="utf-8").count("<p>The text.</p>") == 1
