"""The Argos-backed translator: an installed Argos package's CTranslate2 model, used directly.

``argostranslate.translate`` is never imported (its own sentence splitter may download a
model) and nothing here touches the network: sentences are split by :mod:`digest.translate.sentences`,
protected spans are masked by :mod:`digest.translate.protect`, and the package's own tokenizer and
CTranslate2 model do the rest. One :meth:`ArgosTranslator.translate` call takes every text
of a build, splits them into sentences, looks each up in the cache, sends the unique misses
to the model sorted by length in token-sized batches, guards the output, and joins the
sentences back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..config import Config
from ..events import Reporter
from ..invocation import command
from ..text import normalise
from .cache import TranslationCache, cache_key
from .decode import Decoder, DecodeRun
from .device import resolve
from .fingerprint import package_fingerprint
from .glossary import load_glossary
from .protect import mask, model_text, renumber, restore, runs, unmask
from .result import EngineStats, TranslationResult
from .sentences import split_sentences

if TYPE_CHECKING:
    from .cluster import ClusterDecoder


@dataclass
class _Sentence:
    text_index: int
    lead: str
    trail: str
    source: str
    order: list[int]
    segment: str | None  # None: nothing to translate (only placeholders and punctuation)


class ArgosTranslator:
    """Translates with one installed Argos package through CTranslate2.

    :meth:`translate` returns a :class:`~digest.translate.result.TranslationResult`;
    ``stats`` keeps the last one's counts, for a person (or test) looking at the translator.
    """

    def __init__(self, package_path: Path, config: Config, cache: TranslationCache | None = None,
                 reporter: Reporter | None = None) -> None:
        from argostranslate.package import Package

        self.package = Package(Path(package_path))
        self.config = config
        self.cache = cache
        self.reporter = reporter or Reporter()
        self.name = f"argos-{self.package.from_code}-{self.package.to_code}"
        self.version = str(getattr(self.package, "package_version", "") or "0")
        self.glossary = load_glossary(config)
        self._glossary_read = False
        self.decoder: Decoder | ClusterDecoder = Decoder(self.package, config.translation)
        opts = config.translation
        # Checked now, not at the first model call: a GPU that is not there stops the build at once.
        self.device, compute = resolve(opts, local=not opts.cluster)
        self.context = {"engine": "digest-argos-1", "package": self.package.package_path.name,
                        "model": package_fingerprint(self.package.package_path),
                        "version": self.version, "from": self.package.from_code, "to": self.package.to_code,
                        "beam": opts.beam_size, "max_len": opts.max_decoding_length,
                        "compute": compute}
        self.stats = EngineStats()

    @property
    def calls(self) -> int:
        """Model calls (``translate_batch``) made by this translator so far."""
        return self.decoder.calls

    def _sentences(self, texts: Sequence[str]) -> tuple[list, list[_Sentence]]:
        masked = [mask(t, glossary=self.glossary) for t in texts]
        sentences = []
        for i, m in enumerate(masked):
            for raw in split_sentences(m.text) or [""]:
                core = raw.strip()
                lead = raw[:len(raw) - len(raw.lstrip())]
                trail = raw[len(raw.rstrip()):] if core else ""
                local, order = renumber(core)
                has_words = any(c.isalpha() for c in "".join(runs(local)))
                segment = normalise(model_text(local)) if has_words else None
                sentences.append(_Sentence(i, lead, trail, core, order, segment))
        return masked, sentences

    def state(self) -> tuple:
        """What the output depends on besides the text and the model: the glossary, re-read
        (a long-lived builder reuses an article's English only while this is unchanged)."""
        self.glossary = load_glossary(self.config)
        self._glossary_read = True
        return tuple(sorted(self.glossary.items()))

    def keys(self, texts: Sequence[str]) -> list[str]:
        """The cache keys ``translate(texts)`` would look up (for ``digest cache prune``)."""
        _, sentences = self._sentences(texts)
        return [cache_key(self.context, s.segment) for s in sentences if s.segment is not None]

    def translate(self, texts: Sequence[str]) -> TranslationResult:
        """Translate ``texts`` (inline Markdown), one output per text, in order."""
        if not texts:
            self.stats = EngineStats()
            return TranslationResult(())
        # Read on every call (serve and watch keep one translator while editors change it),
        # unless state() has just read it for this build.
        if not self._glossary_read:
            self.glossary = load_glossary(self.config)
        self._glossary_read = False
        masked, sentences = self._sentences(texts)
        segments = list(dict.fromkeys(s.segment for s in sentences if s.segment is not None))
        keys = {seg: cache_key(self.context, seg) for seg in segments}
        cached = self.cache.get_many(keys.values()) if self.cache else {}
        done: dict[str, str] = {}
        rejected: dict[str, str] = {}  # segment: why its translation was rejected
        scores: dict[str, float | None] = {}
        for seg in segments:
            if keys[seg] in cached:
                target, why, scores[seg] = cached[keys[seg]]
                if why:
                    rejected[seg] = why
                else:
                    done[seg] = target
        hits = len(done) + len(rejected)
        missing = [seg for seg in segments if seg not in done and seg not in rejected]
        started = time.perf_counter()
        model = f"{self.name} {self.version}"
        run = DecodeRun()
        for batch in self.decoder.translate(missing, self.reporter, run):
            rows: list[tuple] = []
            for seg, out in batch.items():
                if out is None:
                    rejected[seg] = run.failures.get(seg, "rejected output")
                    if seg not in run.unstored:
                        rows.append((keys[seg], seg, "", model, rejected[seg]))
                else:
                    done[seg], scores[seg] = out, run.scores.get(seg)
                    rows.append((keys[seg], seg, out, model, None, scores[seg]))
            if self.cache and rows:
                self.cache.put_many(rows)
        seconds = time.perf_counter() - started
        if run.cut:
            self.reporter.warning(
                f"{run.cut} machine translation(s) reached translation.max_decoding_length "
                f"({self.config.translation.max_decoding_length} tokens) and may be cut off: raise it in digest.toml")
        outputs, alignment, failures, failed = self._assemble(texts, masked, sentences, done, rejected)
        self.stats = EngineStats(len(sentences), len(segments), hits, len(missing), run.calls, run.retried,
                                 tuple(failed), seconds)
        by_text: dict[str, list[float | None]] = {}
        for s in sentences:
            if s.segment is not None and s.segment in done:
                by_text.setdefault(texts[s.text_index], []).append(scores.get(s.segment))
        return TranslationResult(tuple(outputs), failures, alignment, self.stats,
                                 {text: tuple(found) for text, found in by_text.items()})

    def _assemble(self, texts, masked, sentences: list[_Sentence], done: dict[str, str],
                  rejected: dict[str, str]) -> tuple[list[str], dict, dict[str, str], list[tuple[str, str]]]:
        """Join each text's sentences back: (outputs, alignment, failures by text, failed sentences)."""
        parts: list[list[str]] = [[] for _ in texts]
        pairs: list[list[tuple[str, str]]] = [[] for _ in texts]
        failures: dict[str, str] = {}
        failed: list[tuple[str, str]] = []
        for s in sentences:
            m = masked[s.text_index]
            target: str | None
            if s.segment is None:
                target = s.source
            else:
                local = done.get(s.segment)
                target = restore(local, s.order) if local is not None else None
                if target is None:
                    reason = rejected.get(s.segment, "placeholders lost")
                    failures[texts[s.text_index]] = reason
                    failed.append((unmask(s.source, m.originals), reason))
                    target = unmask(s.source, m.originals)
                    parts[s.text_index].append(s.lead + target + s.trail)
                    pairs[s.text_index].append((target, target))
                    continue
            target_text = unmask(target, m.spans)
            parts[s.text_index].append(s.lead + target_text + s.trail)
            pairs[s.text_index].append((unmask(s.source, m.originals), target_text))
        alignment = {text: tuple(pair) for text, pair in zip(texts, pairs)}
        return ["".join(p).strip() for p in parts], alignment, failures, failed


def find_package(source: str, target: str) -> Path | None:
    """The folder of the installed Argos package a build uses for ``source -> target``."""
    from .packages import find_package as find

    pkg = find(source, target)
    return Path(pkg.package_path) if pkg is not None else None


def load_translator(config: Config, reporter: Reporter, warn_missing: bool = True) -> ArgosTranslator | None:
    """The translator the configuration asks for, or None (translation pending) with a hint
    (unless not ``warn_missing``)."""
    if config.translation.engine == "none":
        return None
    src, tgt = config.site.source_language, config.site.target_language
    path = find_package(src, tgt)
    if path is None:
        if warn_missing:
            reporter.warning(
                f"no {src}->{tgt} translation model is installed: pages show the original with a "
                f"'translation coming soon' notice. Install one with: {command('models', 'install', src, tgt)}"
            )
        return None
    cache = TranslationCache(config.cache_dir, reporter.warning)
    translator = ArgosTranslator(path, config, cache=cache, reporter=reporter)
    if config.translation.cluster:
        from .cluster import ClusterDecoder  # imports Ray only when it starts

        translator.decoder = ClusterDecoder(path, config.translation, translator.context["model"])
    return translator
