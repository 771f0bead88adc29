"""The engine's exact output, with a word-for-word stand-in for the CTranslate2 model.

The translator is the real :class:`ArgosTranslator` over the fixture package; only its
tokenizer (whitespace) and model (a dictionary) are replaced, so splitting, masking,
caching, guards, retries and reassembly all run for real and the strings can be asserted.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from modelkit import argos_home, argosmodel  # noqa: F401  (fixtures)

from digest.config import load_config
from digest.events import RecordingReporter
from digest.translate.engine import ArgosTranslator
from digest.translate.packages import install_file

WORDS = {"قال": "said", "الوزير": "the-minister", "التقرير": "the-report", "في": "in", "عن": "about",
         "الخطة": "the-plan", "ارتفع": "rose", "السعر": "the-price", "هل": "did", "نجحت؟": "succeed?",
         "نعم.": "yes.", "و": "and", "إن": "that", "اتفقا": "agreed", "اتفقا.": "agreed.", "المئة.": "percent."}


class WordModel:
    """Translates token by token from WORDS; ``mode`` misbehaves on the first attempt or always."""

    def __init__(self, mode: str = "good") -> None:
        self.mode = mode
        self.batches: list[list[list[str]]] = []

    def translate_batch(self, tokens, **options):
        self.batches.append(tokens)
        safe = "repetition_penalty" in options
        out = []
        for sentence in tokens:
            words = [WORDS.get(t, t) for t in sentence]
            if self.mode == "echo" or (self.mode == "echo-once" and not safe):
                words = list(sentence)
            elif self.mode == "repeat-once" and not safe:
                words = words + ["again"] * 8
            elif self.mode == "drop-placeholders":
                words = [w for w in words if not w.startswith("⟦")]
            out.append(SimpleNamespace(hypotheses=[words]))
        return out


@pytest.fixture
def engine(argosmodel, argos_home, tmp_path):
    def make(mode="good", glossary=None, cache=None):
        project = tmp_path / "project"
        (project / "content").mkdir(parents=True, exist_ok=True)
        if glossary:
            lines = "\n".join(f'"{k}" = "{v}"' for k, v in glossary.items())
            (project / "content" / "glossary.toml").write_text("[terms]\n" + lines + "\n", encoding="utf-8")
        reporter = RecordingReporter()
        translator = ArgosTranslator(install_file(argosmodel), load_config(project), cache=cache, reporter=reporter)
        translator.decoder.tokenizer = SimpleNamespace(encode=str.split, decode=" ".join)
        translator.decoder._model = WordModel(mode)
        return translator, reporter
    return make


def test_link_targets_code_numbers_and_emphasis_survive_exactly(engine):
    translator, _ = engine()
    text = 'قال **الوزير** في [التقرير](https://example.org/a_b?x=1 "t") عن `code_x` ٥٫٢٥ و12,500 #سوريا info@example.org'
    (out,) = translator.translate([text]).outputs
    assert out == ('said **the-minister** in [the-report](https://example.org/a_b?x=1 "t") about `code_x` '
                   "٥٫٢٥ and 12,500 #سوريا info@example.org")


def test_sentences_are_translated_once_and_joined_back_with_their_alignment(engine):
    translator, _ = engine()
    texts = ["ارتفع السعر ٥٫٢٥ في المئة. هل نجحت؟ نعم.", "ارتفع السعر 7 في المئة."]
    result = translator.translate(texts)
    assert result.outputs == ("rose the-price ٥٫٢٥ in percent. did succeed? yes.", "rose the-price 7 in percent.")
    # Sentences differing only in a number are one model segment.
    assert result.stats.sentences == 4 and result.stats.unique == 3
    assert len(translator.decoder._model.batches) == 1
    assert result.alignment[texts[0]] == (
        ("ارتفع السعر ٥٫٢٥ في المئة.", "rose the-price ٥٫٢٥ in percent."),
        ("هل نجحت؟", "did succeed?"), ("نعم.", "yes."))


def test_glossary_terms_are_fixed_renderings(engine):
    translator, _ = engine(glossary={"داعش": "ISIS", "البنتاغون": "the Pentagon"})
    (out,) = translator.translate(["قال البنتاغون إن داعش والبنتاغون اتفقا"]).outputs
    assert out == "said the Pentagon that ISIS and the Pentagon agreed"


def test_a_glossary_change_retranslates_only_the_sentences_it_touches(engine, tmp_path):
    from digest.translate.cache import TranslationCache

    cache = TranslationCache(tmp_path / "cache")
    texts = ["قال الوزير إن داعش اتفقا. ارتفع السعر في المئة."]
    first, _ = engine(cache=cache)
    first.translate(texts)
    assert first.stats.translated == 2
    second, _ = engine(glossary={"داعش": "ISIS"}, cache=cache)
    assert second.translate(texts).outputs == ("said the-minister that ISIS agreed. rose the-price in percent.",)
    assert second.stats.translated == 1 and second.stats.hits == 1
    third, _ = engine(glossary={"داعش": "Daesh"}, cache=cache)
    assert third.translate(texts).outputs == ("said the-minister that Daesh agreed. rose the-price in percent.",)
    assert third.calls == 0


def test_a_runaway_output_is_retried_with_safer_settings(engine):
    translator, reporter = engine("repeat-once")
    assert translator.translate(["قال الوزير"]).outputs == ("said the-minister",)
    assert translator.stats.retried == 1 and translator.stats.failed == ()
    assert reporter.of("warning") == []


def test_an_echoed_output_is_retried_then_marked_failed_and_reported(engine):
    translator, reporter = engine("echo-once")
    assert translator.translate(["قال الوزير"]).outputs == ("said the-minister",)
    translator, reporter = engine("echo")
    result = translator.translate(["قال الوزير"])
    assert result.outputs == ("قال الوزير",)
    assert result.failures == {"قال الوزير": "output is still in the source language"}
    assert result.stats.failed == (("قال الوزير", "output is still in the source language"),)


def test_a_rejected_output_is_remembered_so_the_next_build_does_not_ask_again(engine, tmp_path):
    from digest.translate.cache import TranslationCache

    cache = TranslationCache(tmp_path / "cache")
    first, _ = engine("echo", cache=cache)
    first.translate(["قال الوزير"])
    again, reporter = engine("echo", cache=cache)
    result = again.translate(["قال الوزير"])
    assert result.outputs == ("قال الوزير",)
    assert again.calls == 0 and result.failures == {"قال الوزير": "output is still in the source language"}
    assert result.stats.failed == (("قال الوزير", "output is still in the source language"),)


def test_lost_placeholders_fall_back_to_translating_between_them(engine):
    translator, _ = engine("drop-placeholders")
    (out,) = translator.translate(["قال [الوزير](https://example.org) ٥ في المئة."]).outputs
    assert out == "said [the-minister](https://example.org) ٥ in percent."


def test_a_small_job_is_split_so_every_worker_gets_a_batch():
    from digest.config import TranslationConfig
    from digest.translate.decode import batch_size

    ten = [["w"] * 20] * 9 + [["w"] * 30]  # padded as CTranslate2 counts it: 10 x 30 tokens
    assert batch_size(ten, TranslationConfig(inter_threads=2, batch_tokens=256)) == 150
    assert batch_size(ten * 10, TranslationConfig(inter_threads=2, batch_tokens=256)) == 256
    assert batch_size(ten, TranslationConfig(inter_threads=1, batch_tokens=256)) == 256
