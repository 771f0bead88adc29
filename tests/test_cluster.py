"""Translation on real Ray actors on loopback: the same English and cache keys as a local run,
a killed actor's batch done elsewhere, a batch that keeps failing reported and not cached."""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest
from archivekit import SETTINGS, archive
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.config import load_config
from digest.content.articles import load_articles
from digest.events import Progress, Reporter
from digest.translate.archive import archive_texts
from digest.translate.engine import load_translator
from digest.translate.labels import load_labels
from digest.translate.packages import install_file

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -e '.[ray]'); CI installs it")

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module")
def cluster():
    """A real Ray instance for this module: 2 CPUs, loopback only, no dashboard."""
    started = time.perf_counter()
    context = ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    print(f"ray.init: {time.perf_counter() - started:.1f} s")
    yield context.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture
def project(tmp_path, argosmodel, argos_home):
    install_file(argosmodel)
    return archive(tmp_path / "p", 24)


def _run(project, cluster: str = "", reporter: Reporter | None = None, settings: str = ""):
    toml = project / "digest.toml"
    extra = f'cluster = "{cluster}"\ncluster_actors = 2\n{settings}' if cluster else ""
    toml.write_text(SETTINGS + extra, encoding="utf-8")
    for old in (project / ".digest-cache").glob("*"):
        old.unlink()
    config = load_config(project)
    articles, _ = load_articles(config)
    texts = archive_texts(articles, load_labels(config))
    translator = load_translator(config, reporter or Reporter())
    assert translator is not None
    result = translator.translate(texts)
    with sqlite3.connect(project / ".digest-cache" / "translations.sqlite3") as db:
        rows = sorted(db.execute("SELECT key, source, target, problem, score FROM translations"))
    translator.cache.close()
    return translator, dict(zip(texts, result.outputs)), result, rows


@pytest.mark.parametrize("how", ["local", "address"])
def test_two_actors_give_the_local_english_and_cache_keys(project, cluster, how):
    local, english, _, rows = _run(project)
    # local: the actors read the package where it is; an address: it goes through the object store.
    remote, english_ray, result, rows_ray = _run(project, "local" if how == "local" else cluster)
    assert len(remote.decoder.actors) == 2 and remote.decoder.calls >= 2
    assert english_ray == english and rows_ray == rows and len(rows) > 100
    assert remote.context == local.context and not result.failures


class _KillOnFirstBatch(Reporter):
    """Kills the process of the decoder's first actor when the first batch is back."""

    def __init__(self) -> None:
        self.decoder = None
        self.killed: int | None = None

    def emit(self, event) -> None:
        if isinstance(event, Progress) and self.killed is None:
            self.killed = ray.get(self.decoder.actors[0].pid.remote())
            os.kill(self.killed, signal.SIGKILL)


def _with_killer(project, cluster: str, settings: str = ""):
    """_run, killing an actor mid-run (the reporter learns the decoder once it exists)."""
    killer = _KillOnFirstBatch()
    import digest.translate.cluster as module

    real = module.ClusterDecoder.start

    def start(self):
        killer.decoder = self
        return real(self)

    module.ClusterDecoder.start = start  # type: ignore[method-assign]
    try:
        return killer, _run(project, cluster, killer, settings)
    finally:
        module.ClusterDecoder.start = real  # type: ignore[method-assign]


def test_a_killed_actor_has_its_batches_done_by_another_and_the_english_is_the_same(project, cluster):
    _, english, _, rows = _run(project)
    killer, (remote, english_ray, result, rows_ray) = _with_killer(project, "local")
    assert killer.killed is not None and remote.decoder.resent >= 1
    assert english_ray == english and rows_ray == rows and not result.failures


def test_a_batch_that_keeps_failing_is_reported_failed_and_not_cached(project, cluster):
    _, english, _, rows = _run(project)
    killer, (remote, english_ray, result, rows_ray) = _with_killer(project, "local", "cluster_retries = 0\n")
    assert killer.killed is not None and result.failures
    assert all("the Ray worker translating it was lost 1 times" in why for why in result.failures.values())
    lost = [text for text in english if text in result.failures]
    # A lost sentence shows its original, as a local reject does, and its text is marked failed;
    # every other text is the local English.
    failed = result.stats.failed
    assert failed and all("lost 1 times" in why for _, why in failed)
    assert all(any(source in english_ray[text] for source, _ in failed) for text in lost)
    assert {t: e for t, e in english_ray.items() if t not in lost} == {t: e for t, e in english.items() if t not in lost}
    # Not cached: another run may well translate them.
    assert set(rows_ray) < set(rows) and not any("Ray" in (problem or "") for *_, problem, _score in rows_ray)


def test_digest_translate_cluster_local_from_the_command_line_fills_the_same_cache(project, argos_home):
    import subprocess
    import sys

    from helpers import REPO

    _, _, _, rows = _run(project)
    for old in (project / ".digest-cache").glob("*"):
        old.unlink()
    result = subprocess.run([sys.executable, "-m", "digest", "translate", "--project", str(project), "--cluster",
                             "local"], env=argos_home | {"PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "on the Ray cluster local" in result.stdout and "0 already in the cache" in result.stdout
    with sqlite3.connect(project / ".digest-cache" / "translations.sqlite3") as db:
        assert sorted(db.execute("SELECT key, source, target, problem, score FROM translations")) == rows
