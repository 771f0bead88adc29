"""Fixtures for the translation tests: a built ``.argosmodel``, an isolated Argos home, no network.

argostranslate reads its settings once, when ``argostranslate.settings`` is first imported.
So :func:`argos_home` does both things a test may need: it sets ``ARGOS_PACKAGES_DIR``,
``XDG_*_HOME`` and ``HOME`` in the environment (for ``digest`` run in a subprocess, which
reads them fresh) and patches the already-imported settings module's folders (for code run
in-process). Import the fixtures into a test module to use them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fixture_model import build_argosmodel
from helpers import REPO

PYTHON = sys.executable


@pytest.fixture(scope="session")
def argosmodel(tmp_path_factory) -> Path:
    """A tiny working ar->en ``.argosmodel``, built once per test session."""
    return build_argosmodel(tmp_path_factory.mktemp("argosmodel") / "ar_en.argosmodel")


@pytest.fixture
def argos_home(tmp_path, monkeypatch) -> dict[str, str]:
    """An empty Argos package folder and home for this test; returns the environment to use."""
    home = tmp_path / "argos-home"
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache"), "ARGOS_PACKAGES_DIR": str(home / "packages"),
           "ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for sub in ("data", "config", "cache/downloads", "packages"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    from argostranslate import settings

    packages = home / "packages"
    monkeypatch.setattr(settings, "package_data_dir", packages)
    monkeypatch.setattr(settings, "package_dirs", [packages])
    monkeypatch.setattr(settings, "downloads_dir", home / "cache" / "downloads")
    monkeypatch.setattr(settings, "local_package_index", home / "data" / "index.json")
    monkeypatch.setattr(settings, "remote_package_index", env["ARGOS_PACKAGE_INDEX"] + "index.json")
    return dict(os.environ)


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open an internet socket in this process fails the test."""
    attempts = []

    def refuse(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError(f"network access during a test: {address}")
        return real_connect(self, address, *args)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == [], f"network was tried: {attempts}"


def digest_cli(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m digest ARGS`` in a fresh process with ``env``."""
    return subprocess.run([PYTHON, "-m", "digest", *args], env=env | {"PYTHONPATH": str(REPO)},
                          cwd=cwd or REPO, capture_output=True, text=True, timeout=120)
