"""Translation throughput: digest's engine against argostranslate's translate() and a bare translate_batch.

A synthetic model the size of the real Argos ar-en package (transformer base: 6+6 layers,
d_model 512, 8 heads, FFN 2048, a 32,000-piece vocabulary, int8) is built with the test
suite's fixture builder; its weights are random. The text is 20 articles of the seed's
length, each sentence's words shuffled per article so that sentences do not repeat, except
the agency line and the short comment-box lines copied with the seed (40 of 522 sentences:
digest and bare translate those once, argostranslate every time). For every method the
end-of-sentence token is disabled and every sentence decodes to exactly ``--length``
tokens, so the same work is done whatever the weights say. Each timed run is a fresh
process (no thread pool or OpenMP state carries
from one method to another), the order alternates from round to round, and every method
first translates one short sentence untimed (model loaded, threads started):

- ``argos``: ``argostranslate.translate.translate(article, "ar", "en")`` once per article
  (paragraphs joined with newlines), with argostranslate's own defaults: every ``ARGOS_*``,
  ``OMP_*``, ``CT2_*`` and ``MKL_*`` setting is removed from its environment except the
  package folder. Only its sentence splitter is swapped for digest's (its own, minisbd in
  argos-translate-lt, would download a model here), so both see the same sentences.
- ``digest``: :class:`digest.translate.engine.ArgosTranslator` on every paragraph of every article,
  no cache, the project's default options. Its output guards are off: random-weight
  gibberish would (rightly) be rejected and retried.
- ``bare``: one ``translate_batch`` over digest's own segments, beam 4, with the thread
  layout and batch size given (default: the best of ``--sweep`` on the 2-core build machine).

Other processes on the machine change these figures a lot (argostranslate's two OpenMP
threads per one-sentence batch even run faster when another process keeps a core busy), so
before each run the bench waits for the machine to be idle, measures the CPU that other
processes used during the timed part, and runs again (up to ``--retries`` times) if that
was more than 0.15 of a core. Medians are taken over the undisturbed runs. ``--busy`` runs
a one-core busy loop beside every timed run instead, to show the loaded case.

Also: ``digest --help`` and a fully cached ``digest build`` wall time.

    python bench/translate_bench.py                  # everything (~11 minutes on 2 cores, idle)
    python bench/translate_bench.py --skip-argos --articles 8
    python bench/translate_bench.py --sweep          # bare translate_batch settings, 8 articles
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "tests" / "data" / "000_aacfcbe59bb52c0a.txt"
"""The seed article the tests use (tests/data), so the bench runs in a bare clone."""
sys.path[:0] = [str(REPO), str(REPO / "tests")]

WARMUP = "مرحبا بكم في النشرة."
DISTURBED = 0.15
"""Cores' worth of CPU used by other processes above which a timed run is run again."""


def articles(n: int) -> list[list[str]]:
    """``n`` articles of the seed's paragraphs, words shuffled within each sentence."""
    from digest.translate.sentences import split_sentences

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

    lines = [ln for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
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


def sentence_count(docs: list[list[str]]) -> tuple[int, int]:
    """Sentences in the text, as argostranslate (given digest's splitter) and digest see them,
    and how many of them are distinct."""
    from digest.translate.sentences import split_sentences

    sentences = [s.strip() for doc in docs for p in doc for s in split_sentences(p)]
    return len(sentences), len(set(sentences))


# --- the timed part, in a fresh child process --------------------------------------------

def machine_busy() -> float:
    """CPU seconds all processes have used (every core), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, busy: bool) -> dict:
    """Wall seconds of ``fn()`` and the cores' worth of CPU other processes used meanwhile."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    if hog:
        time.sleep(0.2)
    before = (machine_busy(), time.process_time(), process_cpu(hog.pid) if hog else 0.0)
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    after = (machine_busy(), time.process_time(), process_cpu(hog.pid) if hog else 0.0)
    if hog:
        hog.kill()
        hog.wait()
    others = (after[0] - before[0]) - (after[1] - before[1]) - (after[2] - before[2])
    return {"seconds": seconds, "others": max(0.0, others / seconds), "own": (after[1] - before[1]) / seconds}


def child_argos(package: Path, docs, opts) -> dict:
    from argostranslate import settings, translate

    from digest.translate.sentences import split_sentences

    class DigestSplitter:
        def __init__(self, pkg):
            pass

        def split_sentences(self, text, lang_code=None):
            return [s.strip() for s in split_sentences(text)]

    translate.MiniSBDSentencizer = translate.StanzaSentencizer = DigestSplitter
    translate.translate(WARMUP, "ar", "en")
    result = timed(lambda: [translate.translate("\n".join(doc), "ar", "en") for doc in docs], opts.busy)
    result["settings"] = (f"beam {settings.beam_size}, {settings.inter_threads} x {settings.intra_threads} "
                          f"threads, {settings.batch_size}-token batches, compute {settings.compute_type}")
    return result


def _digest(package: Path, project: str):
    import digest.translate.decode
    from digest.config import load_config
    from digest.translate.engine import ArgosTranslator

    digest.translate.decode.problem = lambda *a, **k: None  # guards off: see the module docstring
    return ArgosTranslator(package, load_config(project))


def child_digest(package: Path, docs, opts) -> dict:
    with tempfile.TemporaryDirectory() as project:
        translator = _digest(package, project)
        translator.translate([WARMUP])
        texts = [p for doc in docs for p in doc]
        result = timed(lambda: translator.translate(texts), opts.busy)
        o = translator.config.translation
        result["segments"] = translator.stats.unique
        result["settings"] = (f"beam {o.beam_size}, {o.inter_threads} x {o.intra_threads} threads, "
                              f"{o.batch_tokens}-token batches, compute {o.compute_type}")
    return result


def child_bare(package: Path, docs, opts) -> dict:
    with tempfile.TemporaryDirectory() as project:
        translator = _digest(package, project)  # only for its segments and tokenizer
        _, sentences = translator._sentences([p for doc in docs for p in doc])
        segments = list(dict.fromkeys(s.segment for s in sentences if s.segment))
        tokenizer = translator.decoder.tokenizer
    import ctranslate2

    model = ctranslate2.Translator(str(package / "model"), device="cpu", compute_type="int8",
                                   inter_threads=opts.inter, intra_threads=opts.intra)
    tokens = [tokenizer.encode(s) for s in segments]
    kwargs = dict(beam_size=4, max_batch_size=opts.tokens, batch_type="tokens")
    model.translate_batch([tokenizer.encode(WARMUP)], **kwargs)
    result = timed(lambda: model.translate_batch(tokens, **kwargs), opts.busy)
    result["segments"] = len(segments)
    result["settings"] = f"beam 4, {opts.inter} x {opts.intra} threads, {opts.tokens}-token batches, compute int8"
    return result


def child(opts) -> None:
    work = Path(opts.child_work)
    package = next((work / "packages").iterdir())
    docs = json.loads((work / "docs.json").read_text(encoding="utf-8"))[:opts.articles]
    force_length(opts.length)
    run = {"argos": child_argos, "digest": child_digest, "bare": child_bare}[opts.child]
    print(json.dumps(run(package, docs, opts)))


# --- the parent: fresh processes, idle machine, medians ----------------------------------

def clean_env(work: Path) -> dict:
    """This environment without any translation-library tuning, pointed at the bench's packages."""
    tuned = ("ARGOS_", "OMP_", "CT2_", "MKL_", "GOMP_", "KMP_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(tuned)}
    return env | {"ARGOS_PACKAGES_DIR": str(work / "packages"), "XDG_DATA_HOME": str(work / "data"),
                  "XDG_CONFIG_HOME": str(work / "config"), "XDG_CACHE_HOME": str(work / "cache"),
                  "HOME": str(work / "home"), "PYTHONPATH": str(REPO)}


def wait_idle(limit: float) -> float:
    """Wait (up to ``limit`` seconds) for a second in which the machine used < 0.15 core."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = machine_busy()
        time.sleep(1.0)
        if machine_busy() - before < DISTURBED:
            break
    return time.perf_counter() - started


def run_child(method: str, work: Path, args, articles: int, extra: list[str] = ()) -> Iterator[dict]:
    """Runs of ``method`` in a fresh process: again (up to ``--retries`` times) while disturbed."""
    cmd = [sys.executable, __file__, "--child", method, "--child-work", str(work), "--articles", str(articles),
           "--length", str(args.length), *extra, *(["--busy"] if args.busy else [])]
    for _attempt in range(args.retries + 1):
        waited = wait_idle(args.idle_wait) if not args.busy else 0.0
        done = subprocess.run(cmd, env=clean_env(work), capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{method} run failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1]) | {"waited": waited}
        result["clean"] = result["others"] <= DISTURBED
        yield result
        if result["clean"]:
            return


def median_of(results: list[dict]) -> tuple[float, int, int]:
    """Median seconds over the undisturbed runs (all runs if none was), and the counts."""
    clean = [r["seconds"] for r in results if r["clean"]]
    return statistics.median(clean or [r["seconds"] for r in results]), len(clean), len(results)


def line(name: str, r: dict, n: int) -> str:
    flag = "" if r["clean"] else "  (disturbed: not in the median)"
    return (f"  {name:7s} {r['seconds']:7.1f} s {n / r['seconds']:6.2f} sent/s  own CPU {r['own']:.2f}, "
            f"other processes {r['others']:.2f} cores, waited {r['waited']:.0f} s for idle{flag}")


def bare_args(args) -> list[str]:
    return ["--inter", str(args.inter), "--intra", str(args.intra), "--tokens", str(args.tokens)]


def sweep(work: Path, args) -> None:
    n, _ = sentence_count(articles(args.sweep_articles))
    print(f"bare translate_batch sweep: {args.sweep_articles} articles, {n} sentences, "
          f"{args.length} tokens each, {args.rounds} rounds")
    layouts = [tuple(int(k) for k in x.split("x")) for x in args.sweep_layouts.split(",")]
    settings = [(i, j, int(t)) for i, j in layouts for t in args.sweep_tokens.split(",")]
    results: dict = {s: [] for s in settings}
    for r in range(args.rounds):
        for i, j, t in settings if r % 2 == 0 else settings[::-1]:
            for res in run_child("bare", work, args, args.sweep_articles,
                                 ["--inter", str(i), "--intra", str(j), "--tokens", str(t)]):
                print(line("bare", res, n), f"{i} x {j}, {t} tokens", flush=True)
                results[(i, j, t)].append(res)
    print("median sentences/s (undisturbed runs / all runs):")
    for (i, j, t), rs in results.items():
        seconds, clean, total = median_of(rs)
        print(f"  inter {i} x intra {j}, {t:5d}-token batches: {n / seconds:6.2f}  ({clean}/{total})")


def cli_times(tmp: Path) -> tuple[float, float, float]:
    """Wall times of ``digest --help`` and of a first and a fully cached build of a copy of
    the shipped content, with the synthetic package installed (decoding capped at 60 tokens)."""
    import shutil

    env = clean_env(tmp)
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
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of digest and bare (and of the sweep)")
    parser.add_argument("--argos-rounds", type=int, default=1, help="timed runs of argos (about 6 minutes each)")
    parser.add_argument("--skip-argos", action="store_true")
    parser.add_argument("--retries", type=int, default=2, help="extra runs when other processes disturbed one")
    parser.add_argument("--idle-wait", type=float, default=120.0, help="seconds to wait for an idle machine")
    parser.add_argument("--busy", action="store_true", help="a one-core busy loop beside every timed run")
    parser.add_argument("--inter", type=int, default=2, help="bare: inter_threads")
    parser.add_argument("--intra", type=int, default=1, help="bare: intra_threads")
    parser.add_argument("--tokens", type=int, default=256, help="bare: max_batch_size in tokens")
    parser.add_argument("--sweep", action="store_true", help="only sweep the bare settings")
    parser.add_argument("--sweep-articles", type=int, default=8)
    parser.add_argument("--sweep-layouts", default="2x1,1x2", help="inter x intra threads, comma-separated")
    parser.add_argument("--sweep-tokens", default="256,512,1024,2048", help="batch sizes, comma-separated")
    parser.add_argument("--no-cli", action="store_true", help="skip the digest --help and build timings")
    parser.add_argument("--child", choices=("argos", "digest", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--child-work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        package = build_model(work)
        print(f"model built in {time.perf_counter() - started:.1f} s: {package.name}")
        docs = articles(max(args.articles, args.sweep_articles))
        (work / "docs.json").write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        if args.sweep:
            return sweep(work, args)
        n, distinct = sentence_count(docs[:args.articles])
        print(f"{args.articles} articles, {n} sentences ({distinct} distinct), {args.length} tokens decoded "
              f"per sentence, throughput counted on all {n}"
              + (", one-core busy loop beside every run" if args.busy else ""))
        methods = ["argos", "digest", "bare"]
        results: dict[str, list[dict]] = {m: [] for m in methods}
        settings = {}
        for r in range(max(args.rounds, 0 if args.skip_argos else args.argos_rounds)):
            for method in methods if r % 2 == 0 else methods[::-1]:
                if method == "argos" and (args.skip_argos or r >= args.argos_rounds):
                    continue
                if method != "argos" and r >= args.rounds:
                    continue
                extra = bare_args(args) if method == "bare" else []
                for res in run_child(method, work, args, args.articles, extra):
                    print(line(method, res, n), flush=True)
                    results[method].append(res)
                    settings[method] = res["settings"]
        medians = {m: median_of(rs) for m, rs in results.items() if rs}
        print(f"\nmedians over undisturbed runs ({n} sentences):")
        argos = medians.get("argos", (None,))[0]
        for m, (seconds, clean, total) in medians.items():
            ratio = f"{argos / seconds:5.1f}x argos" if argos else ""
            print(f"  {m:7s} {seconds:7.1f} s {n / seconds:6.2f} sent/s {ratio}  ({clean}/{total} runs; "
                  f"{settings[m]})")
        if "digest" in medians and "bare" in medians:
            print(f"  digest / bare time: {medians['digest'][0] / medians['bare'][0]:.2f}")
        if argos and "digest" in medians:
            segments = results["digest"][-1]["segments"]
            print(f"  digest translated {segments} distinct segments; had it translated all {n} sentences "
                  f"at the same rate: {argos / medians['digest'][0] * segments / n:.1f}x argos")
        if not args.no_cli:
            help_s, first_s, cached_s = cli_times(work)
            print(f"digest --help: {help_s:.2f} s; digest build of the shipped content: first {first_s:.1f} s, "
                  f"all cached {cached_s:.2f} s")


if __name__ == "__main__":
    main()
