"""Where CTranslate2 runs: ``translation.device`` and the compute type that suits it.

``auto`` asks CTranslate2 whether it sees a CUDA device. ``compute_type = "auto"`` is
digest's own default, not CTranslate2's (which picks per machine, so two machines could
answer one cache key differently): int8 on a CPU, int8 weights with float16 arithmetic on a
GPU. The resolved compute type is part of every cache key, so CPU entries stay valid.
"""

from __future__ import annotations

from ..config import TranslationConfig
from ..errors import TranslationError

COMPUTE_FOR = {"cpu": "int8", "cuda": "int8_float16"}
"""The compute type ``compute_type = "auto"`` means on each device."""


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 can use here (0 on a CPU-only machine or build)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except RuntimeError:  # a CUDA runtime present but broken counts as none
        return 0


def resolve(options: TranslationConfig, local: bool = True) -> tuple[str, str]:
    """The (device, compute_type) given to ``ctranslate2.Translator``.

    ``local``: the model runs in this process, so ``cuda`` must find a GPU here (a clear
    :class:`TranslationError` otherwise). For a cluster the driver resolves the compute type
    only (``auto`` as ``cpu`` unless ``cuda`` is asked for): each worker checks its own GPU.
    """
    device = options.device
    if device == "auto":
        device = "cuda" if local and cuda_devices() > 0 else "cpu"
    elif device == "cuda" and local and cuda_devices() == 0:
        raise TranslationError(
            "translation.device is 'cuda', but CTranslate2 finds no CUDA device on this machine "
            "(ctranslate2.get_cuda_device_count() is 0): set device = \"cpu\" or \"auto\" in "
            "digest.toml's [translation], or run on a machine with an NVIDIA GPU and CUDA 12")
    compute = options.compute_type
    if compute == "auto":
        compute = COMPUTE_FOR[device]
    return device, compute
