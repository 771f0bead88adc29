"""Translation confidence: CTranslate2's scores in the cache, on the English blocks and pages,
and ``translation.review_below`` choosing the paragraphs an editor should check."""

from __future__ import annotations

import re
import sqlite3

import pytest
from helpers import write_project
from modelkit import argos_home, argosmodel, no_network  # noqa: F401  (fixtures)

from digest.build import Builder
from digest.config import ConfigError, load_config
from digest.events import RecordingReporter
from digest.translate.cache import FILE_NAME, TranslationCache
from digest.translate.result import TranslationResult

ARTICLES = {
    "content/2026-11-01-oil.md": "---\ntitle: ارتفاع أسعار النفط\ndate: 2026-11-01\n---\n"
        "ارتفعت أسعار النفط في المئة يوم الاثنين. وقال محللون إن السوق متوترة.\n\n"
        "بلغ سعر البرميل دولاراً.\n\nتراجع المخزون في المنطقة.\n\nافتتح معرض الكتاب أبوابه.\n\n"
        "```\nكود\n```\n",
}
SETTINGS = "[translation]\nmax_decoding_length = 12\ninter_threads = 1\nintra_threads = 1\nbeam_size = 2\n"


def test_a_cached_score_is_read_back_and_an_entry_without_one_has_none(tmp_path):
    cache = TranslationCache(tmp_path)
    cache.put_many([("k1", "س", "t1", "m", None, -0.25), ("k2", "ص", "t2", "m"), ("k3", "ع", "", "m", "empty")])
    assert cache.get_many(["k1", "k2", "k3"]) == {"k1": ("t1", None, -0.25), "k2": ("t2", None, None),
                                                  "k3": ("", "empty", None)}


def test_the_block_score_is_its_lowest_known_sentence_score():
    result = TranslationResult(("a", "b", "c"), scores={"x": (-0.2, None, -1.5), "y": (None,)})
    assert result.score("x") == -1.5 and result.score("y") is None and result.score("z") is None


def test_review_below_is_a_number_and_a_string_is_refused(tmp_path):
    write_project(tmp_path, {"digest.toml": "[translation]\nreview_below = -2\n"})
    assert load_config(tmp_path).translation.review_below == -2.0
    write_project(tmp_path, {"digest.toml": "[translation]\nreview_below = -inf\n"})
    assert load_config(tmp_path).translation.review_below == float("-inf")
    write_project(tmp_path, {"digest.toml": '[translation]\nreview_below = "low"\n'})
    with pytest.raises(ConfigError, match=r"digest.toml:2: translation.review_below: expected a number"):
        load_config(tmp_path)


@pytest.fixture
def project(tmp_path, argosmodel, argos_home):
    from digest.translate.packages import install_file

    install_file(argosmodel)
    return write_project(tmp_path / "p", {**ARTICLES, "digest.toml": SETTINGS})


def build(project, review_below: float | None = None):
    if review_below is not None:
        (project / "digest.toml").write_text(SETTINGS + f"review_below = {review_below!r}\n", encoding="utf-8")
    builder = Builder(load_config(project), RecordingReporter())
    result = builder.build()
    (entry,) = result.site.entries
    return result, builder.translator, entry.english


def page(project, path="articles/oil/en/index.html") -> str:
    return (project / "site" / path).read_text(encoding="utf-8")


@pytest.mark.slow
def test_scores_are_stored_in_the_cache_and_read_back_by_the_next_build(project, no_network):
    _, translator, english = build(project)
    assert translator.calls >= 1
    rows = sqlite3.connect(project / ".digest-cache" / FILE_NAME).execute(
        "SELECT score, problem FROM translations").fetchall()
    scored = [score for score, problem in rows if problem is None]
    assert scored and all(isinstance(s, float) and s <= 0 for s in scored)
    # One score per block: the prose paragraphs have one, the code block has none.
    assert len(english.scores) == len(english.blocks) == 5
    assert all(isinstance(s, float) for s in english.scores[:4]) and english.scores[4] is None
    _, again, english2 = build(project)
    assert again.calls == 0 and english2.scores == english.scores
    html = page(project)
    assert html.count("data-score=") == 4
    for score in english.scores[:4]:
        assert f'data-score="{score:.3f}"' in html
    assert f'data-score="{english.scores[0]:.3f}"' in page(project, "articles/oil/index.html")


@pytest.mark.slow
def test_the_threshold_marks_exactly_the_paragraphs_scored_below_it(project, no_network):
    _, _, english = build(project)
    scores = sorted(set(english.scores[:4]))
    assert len(scores) >= 2, "the fixture model gave every paragraph the same score"
    threshold = (scores[0] + scores[1]) / 2  # between the lowest and the next
    _, _, english = build(project, threshold)
    expected = tuple(s is not None and s < threshold for s in english.scores)
    assert english.review == expected and sum(expected) == 1
    for path in ("articles/oil/en/index.html", "articles/oil/index.html"):
        marked = re.findall(r'<p data-review data-score="([-0-9.]+)"', page(project, path))
        assert marked == [f"{scores[0]:.3f}"], path
    _, _, english = build(project, 1.0)  # above any log-probability: every scored paragraph
    assert english.review == (True, True, True, True, False) and page(project).count("data-review") == 4
    _, _, english = build(project, float("-inf"))
    assert not any(english.review) and "data-review" not in page(project)


@pytest.mark.slow
def test_a_cache_from_before_scores_is_used_as_it_is_and_translates_nothing_again(project, no_network):
    build(project)
    before = re.sub(r' data-(score="[^"]*"|review)', "", page(project))
    db = sqlite3.connect(project / ".digest-cache" / FILE_NAME)
    db.execute("ALTER TABLE translations DROP COLUMN score")  # the table as it was before
    db.commit()
    db.close()
    result, translator, english = build(project, 1.0)
    assert translator.calls == 0 and translator.stats.hits == translator.stats.unique
    assert english.scores == () and not any(english.review)
    assert "data-score" not in page(project) and "data-review" not in page(project)
    assert page(project) == before  # the same English, from the old rows
    rows = sqlite3.connect(project / ".digest-cache" / FILE_NAME).execute(
        "SELECT count(*), count(score) FROM translations").fetchone()
    assert rows[0] > 0 and rows[1] == 0  # the column is back, empty
    assert result.problems == []


@pytest.mark.slow
def test_asking_for_scores_leaves_the_outputs_as_they_were(argosmodel, argos_home):
    import ctranslate2

    from digest.config import TranslationConfig
    from digest.translate.decode import Decoder, batch_size, problem
    from digest.translate.packages import find_package, install_file

    install_file(argosmodel)
    package = find_package("ar", "en")
    options = TranslationConfig(max_decoding_length=12, beam_size=2, inter_threads=1)
    decoder = Decoder(package, options)
    segments = ["ارتفعت أسعار النفط.", "وقال محللون إن السوق متوترة.", "تراجع المخزون في المنطقة."]
    scored = {}
    for batch in decoder.translate(segments):
        scored.update(batch)
    # The very call digest makes (same order, batching and options), without the scores.
    order = sorted(segments, key=lambda s: len(package.tokenizer.encode(s)))
    tokens = [package.tokenizer.encode(s) for s in order]
    model = ctranslate2.Translator(str(package.package_path / "model"), compute_type="int8",
                                   inter_threads=1, intra_threads=1)
    plain = model.translate_batch(tokens, beam_size=2, max_batch_size=batch_size(tokens, options),
                                  batch_type="tokens", max_decoding_length=12, replace_unknowns=True)
    compared = 0
    for segment, result in zip(order, plain):
        text = " ".join(package.tokenizer.decode(result.hypotheses[0]).split())
        if problem(segment, text) is None:  # else digest retried it with safer settings
            assert scored[segment] == text
            compared += 1
    assert compared >= 1
    assert set(decoder.last.scores) == {s for s, out in scored.items() if out is not None}


def test_review_below_nan_is_refused(tmp_path):
    write_project(tmp_path, {"digest.toml": "[translation]\nreview_below = nan\n"})
    with pytest.raises(ConfigError, match=r"digest.toml:2: translation.review_below: must be a number, got nan"):
        load_config(tmp_path)
