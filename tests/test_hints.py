"""Messages a user can act on: hints that repeat how digest was started, each command's own
usage and description, where models are looked for and come from, and drafts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO, write_project
from modelkit import argos_home  # noqa: F401  (fixture)

from digest.cli import main
from digest.invocation import invoked_as


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, env=dict(os.environ) | env | {"PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)


def console_script(folder: Path) -> Path:
    """A copy of the ``digest`` console script pip makes, for this interpreter."""
    folder.mkdir(parents=True)
    script = folder / "digest"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom digest.cli import program\nsys.exit(program())\n")
    script.chmod(0o755)
    return script


def test_hints_repeat_the_way_digest_was_started(tmp_path, argos_home):  # noqa: F811
    script = console_script(tmp_path / "venv/bin")
    ways = {
        "venv/bin/digest": [str(Path("venv/bin/digest"))],
        f"{sys.executable} -m digest": [sys.executable, "-m", "digest"],
        "digest": ["digest"],  # found on PATH
    }
    path_env = {"PATH": f"{script.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for typed, command in ways.items():
        listed = run([*command, "models", "list"], tmp_path, argos_home | path_env)
        assert listed.returncode == 0, listed.stderr
        assert f"run: {typed} models install ar en\n" in listed.stdout, (typed, listed.stdout)
        assert f"looked in: {argos_home['ARGOS_PACKAGES_DIR']}" in listed.stdout
        write_project(tmp_path, {"content/a.md": "---\ntitle: أ\ndate: 2026-11-01\n---\nنص.\n"})
        built = run([*command, "build"], tmp_path, argos_home | path_env)
        assert built.returncode == 0, built.stderr
        assert f"Install one with: {typed} models install ar en\n" in built.stderr, (typed, built.stderr)
        assert f"`{typed} models install --file PATH.argosmodel`" in built.stderr


@pytest.mark.parametrize("argv0, orig, expected", [
    (".venv/bin/digest", None, ".venv/bin/digest"),
    ("/opt/my tools/digest", None, "'/opt/my tools/digest'"),
    ("/somewhere/digest/__main__.py", ["python3", "-m", "digest", "build"], "python3 -m digest"),
    ("/somewhere/digest/__main__.py", [".venv/bin/python", "-m", "digest"], ".venv/bin/python -m digest"),
])
def test_invoked_as(argv0, orig, expected):
    assert invoked_as(argv0, orig) == expected


def test_a_relative_invocation_is_made_absolute_for_a_hint_that_changes_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoked_as(".venv/bin/digest", anywhere=True) == str(tmp_path / ".venv/bin/digest")


def test_offline_install_says_where_packages_come_from_and_how_to_install_a_file(tmp_path, argos_home):  # noqa: F811
    result = run([sys.executable, "-m", "digest", "models", "install", "ar", "en"], tmp_path, argos_home)
    assert result.returncode == 1
    assert "Argos package index (https://www.argosopentech.com/argospm/index/" in result.stderr
    assert "translate-ar_en-*.argosmodel" in result.stderr
    assert f"install it with: {sys.executable} -m digest models install --file PATH.argosmodel" in result.stderr
    assert result.stderr.count("error:") == 1


@pytest.mark.parametrize("args, usage", [
    (["build", "--bogus"], "usage: digest build "),
    (["serve", "--bogus"], "usage: digest serve "),
    (["models", "install", "ar", "en", "--bogus"], "usage: digest models install "),
    (["cache", "stats", "--bogus"], "usage: digest cache stats "),
])
def test_a_bad_option_prints_the_commands_own_usage(args, usage, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert err.startswith(usage), err
    assert f"{usage.removeprefix('usage: ').strip()}: error: unrecognized arguments: --bogus" in err


def test_build_bogus_in_a_real_process_prints_the_build_usage(tmp_path):
    result = run([sys.executable, "-m", "digest", "build", "--bogus"], tmp_path, {})
    assert result.returncode == 2
    assert result.stderr.startswith("usage: digest build ") and "COMMAND" not in result.stderr


@pytest.mark.parametrize("command", [[], ["new"], ["build"], ["serve"], ["watch"], ["models"], ["models", "list"],
                                     ["models", "install"], ["cache"], ["cache", "stats"], ["cache", "prune"]])
def test_every_help_starts_with_a_one_line_description(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    first, second, third = capsys.readouterr().out.splitlines()[:3]
    assert first[:1].isupper() and first.endswith(".") and not first.startswith("usage:"), first
    assert second == "" and third.startswith(f"usage: {' '.join(['digest', *command])}")


def test_drafts_are_left_out_and_counted_or_built_with_a_marker(tmp_path):
    write_project(tmp_path, {
        "digest.toml": '[translation]\nengine = "none"\n',
        "content/2026-11-01-public.md": "---\ntitle: خبر\n---\nنص.\n",
        "content/2026-11-02-wip.md": "---\ntitle: مسودة\ndraft: true\n---\nنص.\n",
        "content/2026-11-02-wip.en.md": "---\ntitle: Work in progress\n---\nText.\n",
    })
    command = [sys.executable, "-m", "digest", "build"]
    left_out = run(command, tmp_path, {})
    assert left_out.returncode == 0, left_out.stderr
    assert "1 draft left out (--drafts includes it)" in left_out.stdout
    assert not (tmp_path / "site/articles/wip").exists()
    assert "human translation without an article" not in left_out.stderr

    shown = run([*command, "--drafts"], tmp_path, {})
    assert shown.returncode == 0, shown.stderr
    assert "draft" not in shown.stdout
    ar = (tmp_path / "site/articles/wip/ar/index.html").read_text()
    en = (tmp_path / "site/articles/wip/en/index.html").read_text()
    assert 'class="draft-marker">مسودة: لم تُنشر بعد<' in ar
    assert 'class="draft-marker">Draft: not published yet<' in en and "Work in progress" in en
    assert "draft-marker" in (tmp_path / "site/articles/wip/index.html").read_text()
    assert "draft-marker" not in (tmp_path / "site/articles/public/en/index.html").read_text()

    again = run(command, tmp_path, {})
    assert not (tmp_path / "site/articles/wip").exists() and "1 draft left out" in again.stdout
