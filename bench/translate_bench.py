"""Translation throughput: digest's engine against argostranslate's translate() and a bare translate_batch.

A synthetic model the size of the real Argos ar-en package (transformer base: 6+6 layers,
d_model 512, 8 heads, FFN 2048, a 32,000-piece vocabulary, int8) is built with the test
suite's fixture builder; its weights are random. The text is 20 articles of the seed's
length (each sentence's words shuffled per article, so no sentence repeats and dedupe gives
digest no free win). For every method the end-of-sentence token is disabled and every
sentence decodes to exactly ``--length`` tokens, so the same work is done whatever the
weights say. Run in one process, one method after the other:

- ``argos``: ``argostranslate.translate.translate(article, "ar", "en")`` once per article,
  argostranslate's defaults (beam 4); its sentence splitter is swapped for digest's so no
  network is tried and both see the same sentences.
- ``digest``: :class:`digest.engine.ArgosTranslator` on every block of every article, cold
  cache, with the project's default options (beam 4, int8, 2 x 1 threads). Its output
  guards are off: random-weight gibberish would (rightly) be rejected and retried.
- ``bare``: one ``translate_batch`` over digest's own segments, same options.

Also: ``digest --help`` and a fully cached ``digest build`` wall time.

    python bench/translate_bench.py              # everything (~5 minutes on 2 cores)
    python bench/translate_bench.py --skip-argos --articles 5
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seeds" / "000_aacfcbe59bb52c0a.txt"
sys.path[:0] = [str(REPO), str(REPO / "tests")]


def articles(n: int) -> list[list[str]]:
    """``n`` articles of the seed's paragraphs, words shuffled within each sentence."""
    from digest.sentences import split_sentences

    paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    out = []
    for k in range(n):
        rng = random.Random(k)
        article = []
        for paragraph in paragraphs:
            sentences = []
            for sentence in split_sentences(paragraph):
                words = sentence.split()
                if k:
                    rng.shuffle(words)
                sentences.append(" ".join(words))
            article.append(" ".join(sentences))
        out.append(article)
    return out


def build_model(folder: Path) -> Path:
    """The transformer-base-sized package, unzipped in ``folder``; EOS never wins."""
    import zipfile

    import fixture_model

    lines = [l for l in SEED.read_text(encoding="utf-8").splitlines() if l.strip()]
    lines += fixture_model.CORPUS.read_text(encoding="utf-8").splitlines()
    real_train = fixture_model.train_tokenizer

    def padded(lines, vocab):
        model, pieces = real_train(lines, 4000)
        return model, pieces + [f"▁pad{i}" for i in range(vocab - len(pieces))]

    fixture_model.train_tokenizer = padded
    real_spec = fixture_model.transformer_spec

    def no_eos(*args, **kwargs):
        spec = real_spec(*args, **kwargs)
        spec.decoder.projection.bias[2] = -1e4  # </s>: every sentence runs to the forced length
        return spec

    fixture_model.transformer_spec = no_eos
    zipped = fixture_model.build_argosmodel(folder / "base.argosmodel", layers=6, d_model=512, heads=8,
                                            ffn=2048, vocab=32000, quantization="int8", latin_bias=0.0,
                                            lines=lines)
    with zipfile.ZipFile(zipped) as zf:
        zf.extractall(folder / "packages")
    return next((folder / "packages").iterdir())


def force_length(length: int) -> None:
    """Make every ``ctranslate2.Translator`` decode exactly ``length`` tokens per sentence."""
    import ctranslate2

    base = ctranslate2.Translator

    class Forced(base):
        def translate_batch(self, source, *args, **kwargs):
            kwargs.update(max_decoding_length=length, min_decoding_length=length)
            return super().translate_batch(source, *args, **kwargs)

    ctranslate2.Translator = Forced


def run_argos(docs: list[list[str]]) -> float:
    from argostranslate import translate

    from digest.sentences import split_sentences

    class DigestSplitter:
        def __init__(self, pkg):
            pass

        def split_sentences(self, text, lang_code=None):
            return [s.strip() for s in split_sentences(text)]

    translate.MiniSBDSentencizer = translate.StanzaSentencizer = DigestSplitter
    started = time.perf_counter()
    for doc in docs:
        translate.translate("\n".join(doc), "ar", "en")
    return time.perf_counter() - started


def run_digest(package: Path, docs: list[list[str]]):
    import digest.decode
    from digest.config import load_config
    from digest.engine import ArgosTranslator

    digest.decode.problem = lambda *a, **k: None  # guards off: see the module docstring
    with tempfile.TemporaryDirectory() as project:
        translator = ArgosTranslator(package, load_config(project))
        texts = [p for doc in docs for p in doc]
        translator.decoder.model()  # load outside the timing, as argos and bare do
        started = time.perf_counter()
        translator.translate(texts)
        seconds = time.perf_counter() - started
        _, sentences = translator._sentences(texts)
        segments = list(dict.fromkeys(s.segment for s in sentences if s.segment))
    return seconds, translator, segments


def run_bare(translator, segments: list[str]) -> float:
    o = translator.config.translation
    tokens = [translator.decoder.tokenizer.encode(s) for s in segments]
    model = translator.decoder.model()
    started = time.perf_counter()
    model.translate_batch(tokens, beam_size=o.beam_size, max_batch_size=o.batch_tokens, batch_type="tokens")
    return time.perf_counter() - started


def cli_times(tmp: Path) -> tuple[float, float, float]:
    """Wall times of ``digest --help`` and of a first and a fully cached build of a copy of
    the shipped content, with the synthetic package installed (decoding capped at 60 tokens)."""
    import shutil

    env = os.environ | {"PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "digest", "--help"], env=env, capture_output=True, check=True)
    help_s = time.perf_counter() - started
    project = tmp / "project"
    shutil.copytree(REPO / "content", project / "content")
    (project / "digest.toml").write_text("[translation]\nmax_decoding_length = 60\n")
    cmd = [sys.executable, "-m", "digest", "build", "-q", "--project", str(project)]
    times = []
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return help_s, times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--length", type=int, default=50, help="decoded tokens per sentence")
    parser.add_argument("--skip-argos", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ.update(ARGOS_PACKAGES_DIR=str(tmp / "packages"), XDG_DATA_HOME=str(tmp / "data"),
                          XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"))
        started = time.perf_counter()
        package = build_model(tmp)
        print(f"model built in {time.perf_counter() - started:.1f} s: {package.name}")
        force_length(args.length)
        docs = articles(args.articles)
        digest_s, translator, segments = run_digest(package, docs)
        n = len(segments)
        print(f"{args.articles} articles, {n} sentences, {args.length} tokens decoded per sentence")
        rows = [("digest engine (beam 4, int8, 2x1 threads)", digest_s)]
        rows.append(("bare translate_batch, same segments and options", run_bare(translator, segments)))
        if not args.skip_argos:
            rows.append(("argostranslate translate() per article, defaults", run_argos(docs)))
        argos_s = rows[-1][1] if not args.skip_argos else None
        for name, seconds in rows:
            ratio = f"{argos_s / seconds:5.1f}x argos" if argos_s else ""
            print(f"{name:52s} {seconds:7.1f} s {n / seconds:6.2f} sent/s {ratio}")
        print(f"digest / bare: {digest_s / rows[1][1]:.2f}")
        help_s, first_s, cached_s = cli_times(tmp)
    print(f"digest --help: {help_s:.2f} s; digest build of the shipped content: first {first_s:.1f} s, "
          f"all cached {cached_s:.2f} s")


if __name__ == "__main__":
    main()
