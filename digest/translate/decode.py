"""Batched CTranslate2 decoding with output guards, retries and a structure-safe fallback.

Segments are sentences whose protected spans are placeholders ``⟦0⟧``... numbered from 0.
They are sorted by token length and sent in one asynchronous ``translate_batch`` call
(batched by tokens inside CTranslate2); finished results are handed back as they come, so
a killed build loses at most the batches in flight. An output that is empty, still in the
source script, runaway repeating, or missing a placeholder is retried with safer settings;
a segment whose placeholders still do not survive is translated run by run between them;
anything still bad is reported as failed.

Every accepted output comes with CTranslate2's score (``return_scores=True``): the
hypothesis' summed log-probability divided by its length in tokens (``length_penalty`` is
left at its default of 1, so this is the mean natural-log probability per token, 0 at best).
Asking for it changes nothing in the search, so the outputs are the same as without.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from ..config import TranslationConfig
from ..invocation import command
from .protect import join_runs, placeholders, runs

FLUSH_SECONDS = 1.0
"""How often finished translations are handed back (to the cache and the progress bar)."""

_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LETTER = re.compile(r"[^\W\d_]")


def problem(source: str, output: str, check_placeholders: bool = True) -> str | None:
    """Why ``output`` is not an acceptable translation of ``source``, or None."""
    words = output.split()
    if not _LETTER.search(output) and _LETTER.search("".join(runs(source))):
        return "empty translation"
    letters = _LETTER.findall(output)
    if letters and sum(1 for c in letters if _ARABIC.match(c)) > 0.3 * len(letters):
        return "output is still in the source language"
    if _repeats(words) or len(words) > 4 * len(source.split()) + 12:
        return "runaway repeating output"
    if check_placeholders and sorted(placeholders(output)) != list(range(len(placeholders(source)))):
        return "placeholders lost"
    return None


def _repeats(words: list[str], times: int = 4) -> bool:
    """True if some 1- to 4-word sequence repeats ``times`` times in a row."""
    for n in range(1, 5):
        for start in range(0, max(0, len(words) - n * times + 1)):
            gram = words[start:start + n]
            if all(words[start + k * n:start + (k + 1) * n] == gram for k in range(1, times)):
                return True
    return False


def batch_size(tokens: Sequence[Sequence[str]], options: TranslationConfig) -> int:
    """``batch_tokens``, made smaller for a small job so every CTranslate2 worker gets a batch.

    A build that translates one new article (a few hundred tokens) would otherwise be one
    batch, decoded by one of the ``inter_threads`` workers while the others wait. CTranslate2
    counts a batch as its sentences times the longest one (padding included), longest first,
    so the share is counted the same way: smaller shares leave a third, unbalanced batch.
    """
    padded = len(tokens) * max((len(t) for t in tokens), default=1)
    share = -(-padded // max(1, options.inter_threads))
    return max(1, min(options.batch_tokens, share))


@dataclass
class DecodeRun:
    """What one :meth:`Decoder.translate` did, filled in as it runs."""

    calls: int = 0
    """Model calls (``translate_batch``)."""
    retried: int = 0
    cut: int = 0
    """Segments whose first output reached ``max_decoding_length``."""
    failures: dict[str, str] = field(default_factory=dict)
    """Segment -> why its output was rejected (it was yielded as None)."""
    log: list[tuple[str, int]] = field(default_factory=list)
    """(kind, segments) of each model call."""
    scores: dict[str, float | None] = field(default_factory=dict)
    """Segment -> the score of its accepted output (see the module docstring); a segment
    translated run by run between its placeholders gets its lowest run's."""
    unstored: set[str] = field(default_factory=set)
    """Failed segments not to cache: their failure may not recur (a cluster worker was lost)."""


class Decoder:
    """One package's tokenizer and CTranslate2 model (loaded on first use)."""

    def __init__(self, package, options: TranslationConfig) -> None:
        self.package = package
        self.options = options
        self.tokenizer = package.tokenizer
        self.prefix = getattr(package, "target_prefix", "") or ""
        self._model = None
        self.calls = 0
        """Model calls made so far, over every :meth:`translate`."""
        self.last = DecodeRun()
        """The record of the last (or current) :meth:`translate`."""

    def model(self):
        if self._model is None:
            import ctranslate2

            from ..errors import TranslationError
            from .device import resolve

            o, path = self.options, self.package.package_path / "model"
            device, compute = resolve(o)
            try:
                self._model = ctranslate2.Translator(
                    str(path), device=device, compute_type=compute,
                    inter_threads=o.inter_threads, intra_threads=o.intra_threads)
            except (RuntimeError, ValueError, OSError) as exc:
                raise TranslationError(
                    f"the model in {path} does not load with device={device!r}, compute_type="
                    f"{compute!r}: {exc} (check [translation] in digest.toml, or install the "
                    f"package again with {command('models', 'install')})") from None
        return self._model

    def _submit(self, segments: Sequence[str], safe: bool, kind: str) -> list:
        """One ``translate_batch`` call over ``segments``, asynchronous: a future per segment."""
        o = self.options
        tokens = [self.tokenizer.encode(s) for s in segments]
        kwargs = dict(beam_size=o.beam_size, max_batch_size=batch_size(tokens, o), batch_type="tokens",
                      max_decoding_length=o.max_decoding_length, replace_unknowns=True, asynchronous=True,
                      return_scores=True)
        if safe:
            longest = max(len(t) for t in tokens)
            kwargs.update(beam_size=max(o.beam_size, 2), repetition_penalty=1.3, no_repeat_ngram_size=4,
                          max_decoding_length=min(o.max_decoding_length, 3 * longest + 10))
        if self.prefix:
            kwargs["target_prefix"] = [[self.prefix]] * len(tokens)
        self.calls += 1
        self.last.calls += 1
        self.last.log.append((kind, len(segments)))
        return self.model().translate_batch(tokens, **kwargs)

    def _text(self, result) -> str:
        result = result.result() if hasattr(result, "result") else result
        pieces = result.hypotheses[0]
        if self.prefix and pieces and pieces[0] == self.prefix:
            pieces = pieces[1:]
        return " ".join(self.tokenizer.decode(pieces).split())

    def _run(self, segments: Sequence[str], safe: bool = False, kind: str = "batch") -> list[tuple[str, float | None]]:
        """One ``translate_batch`` call over ``segments``, waited for: (text, score) each."""
        done = [r.result() if hasattr(r, "result") else r for r in self._submit(segments, safe, kind)]
        return [(self._text(r), _score(r)) for r in done]

    def translate(self, segments: Sequence[str], reporter=None,
                  run: DecodeRun | None = None) -> Iterator[dict[str, str | None]]:
        """Yield {segment: translation or None} as batches finish, reporting progress.

        All segments go to CTranslate2 in one asynchronous call (its worker threads stay
        busy from the first batch to the last); finished results are yielded about once a
        second so the caller can store them, and rejected ones are retried at the end.
        ``run`` (the caller's) is filled in with what the call did, complete once the
        iteration ends: the reason of every None, the model calls, retries and cut outputs.
        """
        self.last = run if run is not None else DecodeRun()
        if not segments:
            return
        order = sorted(segments, key=lambda s: len(self.tokenizer.encode(s)))
        self.model()  # loaded before the clock starts: the time left is the translating left
        started = last = time.perf_counter()
        ready: dict[str, str | None] = {}
        bad: list[str] = []
        for n, (seg, future) in enumerate(zip(order, self._submit(order, False, "batch")), 1):
            result = future.result() if hasattr(future, "result") else future
            if len(result.hypotheses[0]) >= self.options.max_decoding_length:
                self.last.cut += 1  # no end of sentence before the limit: likely cut off
            out = self._text(result)
            if problem(seg, out):
                bad.append(seg)
            else:
                ready[seg] = out
                self.last.scores[seg] = _score(result)
            now = time.perf_counter()
            if n == len(order) or now - last >= FLUSH_SECONDS:
                last = now
                if reporter is not None and hasattr(reporter, "progress"):
                    reporter.progress(n, len(order), now - started)
                yield ready
                ready = {}
        if bad:
            self.last.retried = len(bad)
            yield self._retry(bad)

    def _retry(self, segments: list[str]) -> dict[str, str | None]:
        """Safer decoding; then run-by-run for lost placeholders; else None and a reason."""
        out: dict[str, str | None] = {}
        fallback = []
        for seg, (text, score) in zip(segments, self._run(segments, safe=True, kind="retry")):
            why = problem(seg, text)
            if why is None:
                out[seg] = text
                self.last.scores[seg] = score
            elif placeholders(seg):
                fallback.append(seg)
            else:
                out[seg], self.last.failures[seg] = None, why
        if fallback:
            pieces = sorted({r.strip() for seg in fallback for r in runs(seg) if _LETTER.search(r)})
            translated = dict(zip(pieces, self._run(pieces, safe=True, kind="runs"))) if pieces else {}
            for seg in fallback:
                parts, why, lowest = [], None, []
                for r in runs(seg):
                    core = r.strip()
                    if not _LETTER.search(core):
                        parts.append(r)
                        continue
                    text, score = translated[core]
                    why = why or problem(core, text, False)
                    lowest += [score] if score is not None else []
                    lead, trail = r[:len(r) - len(r.lstrip())], r[len(r.rstrip()):]
                    parts.append(lead + text + trail)
                if why is None:
                    out[seg] = join_runs(parts, list(range(len(parts) - 1)))
                    self.last.scores[seg] = min(lowest, default=None)
                else:
                    out[seg], self.last.failures[seg] = None, why
        return out


def _score(result) -> float | None:
    """The best hypothesis' score of a finished ``TranslationResult`` (None if it has none)."""
    scores = getattr(result, "scores", None)
    return float(scores[0]) if scores else None
