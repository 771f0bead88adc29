"""``digest translate``: the cache filled without a site, interrupted and continued, some files only."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from archivekit import archive
from helpers import REPO
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)

from digest.build import Builder
from digest.cli import main
from digest.config import load_config
from digest.events import RecordingReporter
from digest.translate.packages import install_file

pytestmark = pytest.mark.slow

SLOW = "[translation]\nmax_decoding_length = 96\ninter_threads = 1\nintra_threads = 1\nbeam_size = 4\n"
"""About 5 seconds of decoding for 60 articles here: time to interrupt it part way."""


@pytest.fixture
def installed(argosmodel, argos_home):
    install_file(argosmodel)
    return argos_home


def _rows(project) -> int:
    path = project / ".digest-cache" / "translations.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT count(*) FROM translations").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not made yet
        return 0


def test_translate_fills_the_cache_so_a_build_makes_no_model_call_and_writes_no_site(tmp_path, installed, capsys):
    project = archive(tmp_path / "p", 12)
    assert main(["translate", "--project", str(project)]) == 0
    out = capsys.readouterr().out
    assert "0 already in the cache" in out and not (project / "site").exists()
    builder = Builder(load_config(project), RecordingReporter())
    builder.build()
    assert builder.translator.calls == 0 and builder.translator.stats.translated == 0
    assert builder.translator.stats.hits == builder.translator.stats.unique > 0


def test_given_files_only_are_translated_and_an_unknown_one_is_named(tmp_path, installed, capsys):
    project = archive(tmp_path / "p", 6)
    one = sorted((project / "content").glob("*.md"))[0]
    assert main(["translate", "--project", str(project), str(one)]) == 0
    out = capsys.readouterr().out
    assert "of 1 articles" in out
    first = _rows(project)
    assert main(["translate", "--project", str(project), str(one), str(project / "nosuch.md")]) == 1
    captured = capsys.readouterr()
    assert "nosuch.md: not an article of" in captured.err
    assert f"{first} already in the cache, 0 sent to the model" in captured.out
    assert main(["translate", "--project", str(project)]) == 0
    assert _rows(project) > first


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_keeps_what_finished_and_a_rerun_sends_only_the_rest(tmp_path, installed, capsys, how):
    project = archive(tmp_path / "p", 60, settings=SLOW)
    proc = subprocess.Popen([sys.executable, "-m", "digest", "translate", "--project", str(project)],
                            env=installed | {"PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _rows(project) < 50 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(how)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    kept = _rows(project)
    assert kept >= 50 and "interrupted after" in err and f"{kept} new sentence translations are in the cache" in err
    # The rerun asks the model for exactly the sentences the first run did not store.
    assert main(["translate", "--project", str(project)]) == 0
    summary = capsys.readouterr().out.splitlines()[-1]
    total = _rows(project)
    assert kept < total and f"{total} unique sentences, {kept} already in the cache, {total - kept} sent" in summary
    again = Builder(load_config(project), RecordingReporter())
    again.build(write=False)
    assert again.translator.calls == 0


def test_cluster_without_the_ray_extra_says_how_to_get_it(tmp_path, installed):
    project = archive(tmp_path / "p", 2)
    # ray hidden from this process: ``import ray`` fails as on a machine without the extra.
    code = ("import sys; sys.modules['ray'] = None; from digest.cli import main; "
            f"sys.exit(main(['translate', '--project', {str(project)!r}, '--cluster', 'local']))")
    result = subprocess.run([sys.executable, "-c", code], env=installed | {"PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "--cluster local: needs Ray: pip install 'digest[ray]'" in result.stderr
    assert _rows(project) == 0


def test_a_build_imports_nothing_from_ray(tmp_path, installed):
    project = archive(tmp_path / "p", 2)
    code = (f"import sys; from digest.cli import main; main(['build', '--project', {str(project)!r}, '-q']); "
            "print(sorted(m for m in sys.modules if m == 'ray' or m.startswith('ray.')))")
    result = subprocess.run([sys.executable, "-c", code], env=installed | {"PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
