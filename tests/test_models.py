"""``digest models``: validation before install, atomic installs, argospm compatibility, the index over HTTP."""

from __future__ import annotations

import http.server
import json
import threading
import zipfile
from functools import partial
from pathlib import Path

import pytest
from modelkit import argos_home, argosmodel, digest_cli  # noqa: F401  (fixtures)

from digest.errors import PackageError
from digest.translate.packages import install_file, installed_packages, validate_package


def packages_dir(env) -> Path:
    return Path(env["ARGOS_PACKAGES_DIR"])


def rezip(source: Path, dest: Path, rename=lambda name: name, drop=()) -> Path:
    """A copy of ``source`` with entries renamed or dropped."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for item in zin.infolist():
            if any(item.filename.endswith(d) for d in drop):
                continue
            zout.writestr(rename(item.filename), zin.read(item.filename))
    return dest


@pytest.mark.parametrize("case, message", [
    ("not-a-zip", "not a readable"),
    ("two-folders", "exactly one top-level folder"),
    ("no-folder", "exactly one top-level folder"),
    ("no-metadata", "no metadata.json"),
    ("no-tokenizer", "no tokenizer"),
    ("no-model", "no CTranslate2 model"),
    ("no-codes", "from_code and to_code"),
])
@pytest.mark.slow
def test_a_bad_package_is_refused_and_nothing_is_installed(case, message, argosmodel, argos_home, tmp_path):
    bad = tmp_path / f"{case}.argosmodel"
    if case == "not-a-zip":
        bad.write_bytes(argosmodel.read_bytes()[:5000])
    elif case == "two-folders":
        rezip(argosmodel, bad, lambda n: n.replace("translate-ar_en-0_1/model/", "other/model/"))
    elif case == "no-folder":
        rezip(argosmodel, bad, lambda n: n.split("/", 1)[1])
    elif case == "no-metadata":
        rezip(argosmodel, bad, drop=("metadata.json",))
    elif case == "no-tokenizer":
        rezip(argosmodel, bad, drop=("sentencepiece.model",))
    elif case == "no-model":
        rezip(argosmodel, bad, drop=("model.bin",))
    else:
        rezip(argosmodel, bad, drop=("metadata.json",))
        with zipfile.ZipFile(bad, "a") as zf:
            zf.writestr("translate-ar_en-0_1/metadata.json", json.dumps({"type": "translate"}))
    with pytest.raises(PackageError, match=message):
        validate_package(bad)
    result = digest_cli("models", "install", "--file", str(bad), env=argos_home)
    assert result.returncode == 1
    assert message in result.stderr and "nothing was installed" in result.stderr
    assert list(packages_dir(argos_home).iterdir()) == []


@pytest.mark.slow
def test_install_file_then_list_marks_the_package_builds_use(argosmodel, argos_home, tmp_path):
    result = digest_cli("models", "install", "--file", str(argosmodel), "--project", str(tmp_path), env=argos_home)
    assert result.returncode == 0, result.stderr
    installed = packages_dir(argos_home) / "translate-ar_en-0_1"
    assert (installed / "model" / "model.bin").is_file()
    assert [p.name for p in packages_dir(argos_home).iterdir()] == [installed.name]  # no temp folder left
    listing = digest_cli("models", "list", "--project", str(tmp_path), env=argos_home)
    assert listing.returncode == 0
    assert f"* ar->en  0.1  {installed}" in listing.stdout
    assert result.stdout.strip() == f"installed {installed}"
    again = digest_cli("models", "install", "--file", str(argosmodel), "--project", str(tmp_path), env=argos_home)
    assert again.returncode == 0 and f"installed {installed}, replacing the package that was there" in again.stdout


@pytest.mark.slow
def test_argostranslate_sees_what_digest_installed_and_the_other_way_round(argosmodel, argos_home, tmp_path):
    install_file(argosmodel)
    code = "from argostranslate import package; print([(p.from_code, p.to_code) for p in package.get_installed_packages()])"
    import subprocess
    import sys
    seen = subprocess.run([sys.executable, "-c", code], env=argos_home, capture_output=True, text=True)
    assert "('ar', 'en')" in seen.stdout, seen.stderr
    # A package argospm put there (plain extraction, another folder name) is found by digest.
    with zipfile.ZipFile(rezip(argosmodel, tmp_path / "fr.zip", lambda n: n.replace("translate-ar_en-0_1", "fr_en"))) as zf:
        zf.extractall(packages_dir(argos_home))
    meta = packages_dir(argos_home) / "fr_en" / "metadata.json"
    meta.write_text(json.dumps(json.loads(meta.read_text()) | {"from_code": "fr"}))
    assert sorted((p.from_code, p.to_code) for p in installed_packages()) == [("ar", "en"), ("fr", "en")]


def test_argospm_lists_and_removes_what_digest_installed_and_digest_finds_what_argos_installed(
        argosmodel, argos_home, tmp_path):
    """The real ``argospm`` script and ``install_from_path`` of the installed argostranslate module."""
    import subprocess
    import sys
    argospm = Path(sys.executable).parent / "argospm"
    assert argospm.is_file(), "argospm comes with argos-translate-lt"
    install_file(argosmodel)
    listed = subprocess.run([str(argospm), "list"], env=argos_home, capture_output=True, text=True, timeout=120)
    assert listed.stdout.split() == ["translate-ar_en"], listed.stderr[-2000:]
    removed = subprocess.run([str(argospm), "remove", "translate-ar_en"], env=argos_home, capture_output=True,
                             text=True, timeout=120)
    assert removed.returncode == 0, removed.stderr[-2000:]
    assert installed_packages() == [] and list(packages_dir(argos_home).iterdir()) == []
    code = "import sys; from argostranslate import package; package.install_from_path(sys.argv[1])"
    added = subprocess.run([sys.executable, "-c", code, str(argosmodel)], env=argos_home, capture_output=True,
                           text=True, timeout=120)
    assert added.returncode == 0, added.stderr[-2000:]
    from digest.translate.packages import find_package
    found = find_package("ar", "en")
    assert found is not None and found.package_path.parent == packages_dir(argos_home)


def test_reinstalling_replaces_the_package_in_place(argosmodel, argos_home):
    first = install_file(argosmodel)
    (first / "stale-file").write_text("x")
    again = install_file(argosmodel)
    assert again == first and not (again / "stale-file").exists()
    assert [p.name for p in packages_dir(argos_home).iterdir()] == [first.name]


@pytest.fixture
def index_server(tmp_path, argosmodel):
    """An Argos package index and package files served on 127.0.0.1; yields (base URL, folder)."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "ar_en.argosmodel").write_bytes(argosmodel.read_bytes())
    (root / "corrupt.argosmodel").write_bytes(argosmodel.read_bytes()[:3000])
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"

    def publish(entries):
        (root / "index.json").write_text(json.dumps(entries))

    publish([{"from_code": "ar", "to_code": "en", "from_name": "Arabic", "to_name": "English",
              "package_version": "0.1", "argos_version": "1.9", "type": "translate",
              "links": [base + "ar_en.argosmodel"]}])
    yield base, publish
    server.shutdown()


@pytest.mark.slow
def test_install_from_an_index_over_http(index_server, argos_home, tmp_path):
    base, _ = index_server
    env = argos_home | {"ARGOS_PACKAGE_INDEX": base}
    result = digest_cli("models", "install", "ar", "en", "--project", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr
    assert (packages_dir(env) / "translate-ar_en-0_1" / "metadata.json").is_file()


@pytest.mark.parametrize("problem, message", [
    ("offline", "cannot read the package index"),
    ("no-pair", "has no ar->en package"),
    ("corrupt", "not a readable"),
])
@pytest.mark.slow
def test_index_install_failures_give_one_message_and_install_nothing(problem, message, index_server, argos_home, tmp_path):
    base, publish = index_server
    if problem == "offline":
        base = "http://127.0.0.1:9/"  # the discard port: connection refused
    elif problem == "no-pair":
        publish([{"from_code": "fr", "to_code": "en", "links": [base + "ar_en.argosmodel"]}])
    else:
        publish([{"from_code": "ar", "to_code": "en", "links": [base + "corrupt.argosmodel"]}])
    env = argos_home | {"ARGOS_PACKAGE_INDEX": base}
    result = digest_cli("models", "install", "ar", "en", "--project", str(tmp_path), env=env)
    assert result.returncode == 1
    assert result.stderr.count("error:") == 1 and message in result.stderr, result.stderr
    assert list(packages_dir(env).iterdir()) == []


def test_a_broken_folder_in_the_packages_dir_does_not_hide_the_others(argosmodel, argos_home):
    install_file(argosmodel)
    (packages_dir(argos_home) / "half-extracted").mkdir()  # argostranslate's own lookup raises on this
    assert [(p.from_code, p.to_code) for p in installed_packages()] == [("ar", "en")]
