"""``translation.device`` and ``compute_type`` reach CTranslate2; ``cuda`` without a GPU fails clearly."""

from __future__ import annotations

import pytest
from helpers import write_project
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)

from digest.config import load_config
from digest.errors import TranslationError
from digest.translate.device import cuda_devices
from digest.translate.engine import ArgosTranslator, find_package
from digest.translate.packages import install_file

pytestmark = pytest.mark.slow

ARTICLE = {"content/a.md": "---\ntitle: ارتفاع أسعار النفط\n---\nارتفعت أسعار النفط يوم الاثنين.\n"}
CPU_ONLY = pytest.mark.skipif(cuda_devices() > 0, reason="this machine has a CUDA device")


def _translator(tmp_path, settings: str) -> ArgosTranslator:
    project = write_project(tmp_path / "p", ARTICLE | {"digest.toml": "[translation]\n" + settings})
    path = find_package("ar", "en")
    assert path is not None
    return ArgosTranslator(path, load_config(project))


@pytest.fixture
def installed(argosmodel, argos_home):
    install_file(argosmodel)


def test_the_device_and_compute_type_given_are_the_ones_ctranslate2_loads_with(tmp_path, installed):
    translator = _translator(tmp_path, 'device = "cpu"\ncompute_type = "float32"\n')
    model = translator.decoder.model()
    assert (model.device, model.compute_type) == ("cpu", "float32")
    assert translator.context["compute"] == "float32"


@CPU_ONLY
def test_auto_is_the_cpu_and_int8_here_and_keeps_the_cache_keys_of_an_explicit_int8(tmp_path, installed):
    auto = _translator(tmp_path / "auto", "")
    model = auto.decoder.model()
    # CTranslate2 names int8 on a CPU int8_float32 (the arithmetic between the int8 products).
    assert (auto.device, model.device, model.compute_type) == ("cpu", "cpu", "int8_float32")
    assert auto.context["compute"] == "int8"
    explicit = _translator(tmp_path / "explicit", 'device = "cpu"\ncompute_type = "int8"\n')
    assert auto.keys(["ارتفعت أسعار النفط."]) == explicit.keys(["ارتفعت أسعار النفط."])


@CPU_ONLY
def test_cuda_on_a_cpu_only_machine_is_a_clear_error_before_any_work(tmp_path, installed):
    with pytest.raises(TranslationError, match=r"no CUDA device .*get_cuda_device_count\(\) is 0"):
        _translator(tmp_path, 'device = "cuda"\n')


@CPU_ONLY
def test_digest_build_with_cuda_on_a_cpu_only_machine_exits_1_naming_the_setting(tmp_path, installed, argos_home):
    project = write_project(tmp_path / "p", ARTICLE | {"digest.toml": '[translation]\ndevice = "cuda"\n'})
    result = digest_cli("build", "--project", str(project), env=argos_home)
    assert result.returncode == 1, result.stderr
    assert "error: translation.device is 'cuda', but CTranslate2 finds no CUDA device" in result.stderr
    assert not (project / "site").exists()
