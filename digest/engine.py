"""The Argos-backed translator: an installed Argos package's CTranslate2 model, used directly.

``argostranslate.translate`` is never imported (it pulls stanza and torch); only
``argostranslate.package`` is, to find installed packages, and only when a build needs one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .config import Config
from .report import Reporter


class ArgosTranslator:
    """Translates with one installed Argos package through CTranslate2."""

    def __init__(self, package_path: Path, config: Config) -> None:
        from argostranslate.package import Package

        self.package = Package(Path(package_path))
        self.config = config
        self.name = f"argos-{self.package.from_code}-{self.package.to_code}"
        self.version = str(getattr(self.package, "package_version", "") or "0")
        self._model = None

    def _load(self):
        if self._model is None:
            import ctranslate2

            opts = self.config.translation
            self._model = ctranslate2.Translator(
                str(self.package.package_path / "model"), device=opts.device,
                compute_type=opts.compute_type, inter_threads=opts.inter_threads,
                intra_threads=opts.intra_threads,
            )
        return self._model

    def translate(self, texts: Sequence[str]) -> list[str]:
        """Translate ``texts`` in token-sized batches."""
        if not texts:
            return []
        opts = self.config.translation
        tokenizer = self.package.tokenizer
        tokens = [tokenizer.encode(t) for t in texts]
        prefix = self.package.target_prefix
        results = self._load().translate_batch(
            tokens, target_prefix=[[prefix]] * len(tokens) if prefix else None,
            beam_size=opts.beam_size, max_batch_size=opts.batch_tokens, batch_type="tokens",
            max_decoding_length=opts.max_decoding_length,
        )
        out = []
        for result in results:
            pieces = result.hypotheses[0]
            if prefix and pieces and pieces[0] == prefix:
                pieces = pieces[1:]
            out.append(tokenizer.decode(pieces))
        return out


def find_package(source: str, target: str) -> Path | None:
    """The folder of an installed Argos package for ``source -> target``, if any."""
    from argostranslate import package

    for pkg in package.get_installed_packages():
        if pkg.from_code == source and pkg.to_code == target and getattr(pkg, "type", "translate") == "translate":
            return Path(pkg.package_path)
    return None


def load_translator(config: Config, reporter: Reporter) -> ArgosTranslator | None:
    """The translator the configuration asks for, or None (translation pending) with a hint."""
    if config.translation.engine == "none":
        return None
    src, tgt = config.site.source_language, config.site.target_language
    path = find_package(src, tgt)
    if path is None:
        reporter.warning(
            f"no {src}->{tgt} translation model is installed: pages show the original with a "
            f"'translation pending' notice. Install one with: digest models install {src} {tgt}"
        )
        return None
    return ArgosTranslator(path, config)
