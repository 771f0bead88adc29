"""A tiny, real ``.argosmodel`` built from nothing: no network, no torch, well under a second.

A BPE sentencepiece model is trained in memory on ``tests/data/fixture_corpus.txt``; a
random-weight CTranslate2 transformer whose vocabulary is the sentencepiece pieces in order
is saved as ``model/``; ``metadata.json`` names the pair; all of it is zipped under one
top-level folder, as Argos packages are. The output is gibberish, but every code path that
loads, tokenizes, batches and decodes is the real one.

``build_argosmodel(..., layers=6, d_model=512, heads=8, ffn=2048, vocab=32000)`` gives a
transformer-base-sized model for the benchmark.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).resolve().parent / "data" / "fixture_corpus.txt"


def _import_specs():
    """``ctranslate2.specs`` without torch: it only needs numpy to save a model."""
    if "torch" in sys.modules or "ctranslate2.specs" in sys.modules:
        import ctranslate2.specs as specs

        return specs
    sys.modules["torch"] = None  # makes ``import torch`` fail fast inside ctranslate2
    try:
        import ctranslate2.specs as specs
    finally:
        del sys.modules["torch"]
    return specs


def train_tokenizer(lines: list[str], vocab: int) -> tuple[bytes, list[str]]:
    """A BPE sentencepiece model trained on ``lines``: (model bytes, pieces in id order)."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buffer, vocab_size=vocab, model_type="bpe",
        character_coverage=1.0, hard_vocab_limit=False, minloglevel=2, num_threads=1,
    )
    processor = spm.SentencePieceProcessor(model_proto=buffer.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    return buffer.getvalue(), pieces


def _linear(layer, rng, out_dim: int, in_dim: int) -> None:
    layer.weight = rng.normal(0, 0.08, (out_dim, in_dim)).astype(np.float32)
    layer.bias = np.zeros(out_dim, dtype=np.float32)


def _norm(layer, d: int) -> None:
    layer.gamma = np.ones(d, dtype=np.float32)
    layer.beta = np.zeros(d, dtype=np.float32)


def _ffn(ffn, rng, d: int, hidden: int) -> None:
    _norm(ffn.layer_norm, d)
    _linear(ffn.linear_0, rng, hidden, d)
    _linear(ffn.linear_1, rng, d, hidden)


def transformer_spec(pieces: list[str], layers: int, d_model: int, heads: int, ffn: int, seed: int,
                     latin_bias: float = 0.0):
    """A random-weight CTranslate2 transformer sharing ``pieces`` as its vocabulary."""
    specs = _import_specs()
    rng = np.random.default_rng(seed)
    spec = specs.TransformerSpec.from_config((layers, layers), heads)
    v = len(pieces)
    for side in (spec.encoder, spec.decoder):
        embeddings = side.embeddings[0] if isinstance(side.embeddings, list) else side.embeddings
        embeddings.weight = rng.normal(0, 0.5, (v, d_model)).astype(np.float32)
        _norm(side.layer_norm, d_model)
        for layer in side.layer:
            attention = layer.self_attention
            _norm(attention.layer_norm, d_model)
            _linear(attention.linear[0], rng, 3 * d_model, d_model)
            _linear(attention.linear[1], rng, d_model, d_model)
            _ffn(layer.ffn, rng, d_model, ffn)
            if hasattr(layer, "attention"):
                cross = layer.attention
                _norm(cross.layer_norm, d_model)
                _linear(cross.linear[0], rng, d_model, d_model)
                _linear(cross.linear[1], rng, 2 * d_model, d_model)
                _linear(cross.linear[2], rng, d_model, d_model)
    _linear(spec.decoder.projection, rng, v, d_model)
    if latin_bias:
        # Random weights decode to whatever the bias favours: Latin pieces read as "English",
        # so the output guards (echoed Arabic) pass on short decodes.
        bias = spec.decoder.projection.bias
        for i, piece in enumerate(pieces):
            if any("a" <= c <= "z" for c in piece):
                bias[i] = latin_bias
    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    return spec


def build_argosmodel(dest: Path, *, source: str = "ar", target: str = "en", version: str = "0.1",
                     layers: int = 2, d_model: int = 64, heads: int = 4, ffn: int = 128,
                     vocab: int = 400, quantization: str | None = None, seed: int = 7,
                     folder: str | None = None, lines: list[str] | None = None,
                     latin_bias: float = 4.0) -> Path:
    """Write a working ``.argosmodel`` to ``dest`` and return ``dest``."""
    lines = lines or [ln for ln in CORPUS.read_text(encoding="utf-8").splitlines() if ln.strip()]
    model_bytes, pieces = train_tokenizer(lines, vocab)
    folder = folder or f"translate-{source}_{target}-{version.replace('.', '_')}"
    metadata = {"package_version": version, "argos_version": "1.9", "from_code": source,
                "from_name": source, "to_code": target, "to_name": target, "type": "translate"}
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        spec = transformer_spec(pieces, layers, d_model, heads, ffn, seed, latin_bias)
        spec.validate()
        spec.optimize(quantization=quantization)
        model_dir.mkdir()
        spec.save(str(model_dir))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{folder}/metadata.json", json.dumps(metadata))
            zf.writestr(f"{folder}/sentencepiece.model", model_bytes)
            for path in sorted(model_dir.iterdir()):
                zf.write(path, f"{folder}/model/{path.name}")
    return dest
