"""Whole builds through the real engine: the fixture package installed, a tiny site, no network."""

from __future__ import annotations

import io
import re
import sys

import pytest
from helpers import write_project
from modelkit import argos_home, argosmodel, no_network  # noqa: F401  (fixtures)

from digest.build import Builder
from digest.commands.console import ConsoleReporter
from digest.config import load_config
from digest.events import Progress, RecordingReporter
from digest.serve.project import Project
from digest.translate.engine import ArgosTranslator
from digest.translate.packages import install_file

# Real models built and loaded per test.
pytestmark = pytest.mark.slow

ARTICLES = {
    "content/2026-11-01-oil.md": "---\ntitle: ارتفاع أسعار النفط\ndate: 2026-11-01\n---\n"
        "ارتفعت أسعار النفط ٥٫٢٥ في المئة يوم الاثنين. وقال محللون إن [السوق](https://example.org/m) متوترة.\n\n"
        "- بلغ سعر البرميل 84 دولاراً\n- تراجع المخزون\n",
    "content/2026-11-02-water.md": "---\ntitle: محطة تحلية جديدة\ndate: 2026-11-02\n---\n"
        "## المشروع\n\nستزود المحطة 12,500 منزل بمياه الشرب. ارتفعت أسعار النفط ٥٫٢٥ في المئة يوم الاثنين.\n",
    "content/2026-11-03-fair.txt": "افتتاح معرض الكتاب\n\nافتتح معرض الكتاب أبوابه أمام الزوار من أنحاء المنطقة.\n",
    "digest.toml": "[translation]\nmax_decoding_length = 12\ninter_threads = 1\nintra_threads = 1\nbeam_size = 2\n",
}


@pytest.fixture
def project(tmp_path, argosmodel, argos_home):
    install_file(argosmodel)
    return write_project(tmp_path / "site-project", dict(ARTICLES))


def build(project):
    reporter = RecordingReporter()
    builder = Builder(load_config(project), reporter)
    result = builder.build()
    return result, builder.translator, reporter


def test_a_build_translates_every_article_in_one_model_call_without_network(project, no_network):
    result, translator, reporter = build(project)
    assert isinstance(translator, ArgosTranslator) and result.translator == "argos-ar-en"
    # One first-pass call for all articles; retries of guarded outputs come after it.
    batches = [n for kind, n in translator.decoder.last.log if kind == "batch"]
    assert batches == [translator.stats.unique]
    assert translator.stats.hits == 0 and translator.stats.translated == translator.stats.unique
    # The same sentence in two articles is translated once.
    assert translator.stats.unique < translator.stats.sentences
    assert (translator.stats.unique, translator.stats.unique) in reporter.of("progress")
    # The random-weight model never ends a sentence: every output runs to the limit of 12.
    (cut,) = [w for w in reporter.of("warning") if "max_decoding_length" in w]
    assert cut.startswith(f"{translator.stats.unique} machine translation(s) reached") and "(12 tokens)" in cut
    page = (project / "site/articles/oil/en/index.html").read_text()
    assert "https://example.org/m" in page and "٥٫٢٥" in page and "argos-ar-en" in page
    assert "argostranslate.translate" not in sys.modules


def test_a_second_build_makes_no_model_call_and_an_edit_translates_one_sentence(project, no_network):
    first, translator, _ = build(project)
    second, again, _ = build(project)
    assert again is not translator and again.calls == 0
    assert again.stats.hits == again.stats.unique == translator.stats.unique
    assert second.files == first.files
    oil = project / "content/2026-11-01-oil.md"
    oil.write_text(oil.read_text(encoding="utf-8").replace("تراجع المخزون", "تراجع المخزون بشدة"), encoding="utf-8")
    _, third, _ = build(project)
    assert third.stats.translated == 1 and third.calls >= 1


def test_a_package_replaced_under_the_same_name_and_version_is_not_answered_from_the_cache(project, tmp_path):
    from fixture_model import build_argosmodel

    _, first, _ = build(project)
    assert first.calls >= 1
    _, again, _ = build(project)
    assert again.calls == 0
    install_file(build_argosmodel(tmp_path / "retrained.argosmodel", seed=8))  # same name, version 0.1
    _, retrained, _ = build(project)
    assert retrained.context["model"] != first.context["model"] and retrained.context["version"] == "0.1"
    assert retrained.stats.hits == 0 and retrained.calls >= 1


def test_digest_cache_stats_and_prune(project, argos_home):
    from modelkit import digest_cli

    build(project)
    stats = digest_cli("cache", "stats", "--project", str(project), env=argos_home)
    assert stats.returncode == 0 and "translations.sqlite3: 10 sentences (0 the model failed on)" in stats.stdout
    (project / "content/2026-11-03-fair.txt").unlink()
    pruned = digest_cli("cache", "prune", "--project", str(project), env=argos_home)
    assert pruned.returncode == 0, pruned.stderr
    assert "pruned 2 entries" in pruned.stdout
    _, translator, _ = build(project)
    assert translator.calls == 0


def test_a_model_that_does_not_load_stops_the_build_and_keeps_the_site(project, argos_home):
    from pathlib import Path

    from modelkit import digest_cli

    build(project)
    before = {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    oil = project / "content/2026-11-01-oil.md"
    oil.write_text(oil.read_text(encoding="utf-8").replace("تراجع المخزون", "تراجع المخزون بشدة"), encoding="utf-8")
    (Path(argos_home["ARGOS_PACKAGES_DIR"]) / "translate-ar_en-0_1/model/model.bin").write_bytes(b"garbage")
    result = digest_cli("build", "--project", str(project), env=argos_home)
    assert result.returncode == 1
    assert "does not load with device='cpu', compute_type='int8'" in result.stderr
    assert {p: p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()} == before


def test_serve_and_watch_show_translation_progress(project, no_network):
    # The Project (what serve and watch rebuild through) wraps the console reporter in an
    # adapter; translation progress once stopped there.
    out, err = io.StringIO(), io.StringIO()
    outcome = Project(load_config(project), ConsoleReporter(out=out, err=err)).rebuild()
    assert outcome.ok
    lines = out.getvalue().splitlines()
    done = [line for line in lines if line.startswith("translating: ")]
    assert done and re.match(r"translating: (\d+)/\1 sentences, ", done[-1]), lines
    assert any(line.startswith("built 3 articles") for line in lines)


def test_a_reporter_that_overrides_a_shorthand_is_refused():
    class Silent(RecordingReporter):
        def emit(self, event):
            if not isinstance(event, Progress):
                super().emit(event)

    Silent().progress(1, 2, 0.5)  # an adapter filters in emit(), visibly
    with pytest.raises(TypeError, match="overrides progress"):
        type("Adapter", (RecordingReporter,), {"progress": lambda self, *a: None})
