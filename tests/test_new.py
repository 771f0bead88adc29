"""``digest new``: a project that builds and serves at once, refused over a non-empty folder,
its ``digest.toml`` generated from the typed configuration (and the repository's own kept current)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import fields
from pathlib import Path

from helpers import REPO
from modelkit import argos_home  # noqa: F401  (fixture)

from digest.commands.starter import config_toml
from digest.config import SECTIONS, Config, load_config


def digest(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env | {"PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=180)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None, p.stat().st_mode)
            for p in sorted(root.rglob("*"))}


def test_a_new_project_builds_and_serves_at_once(tmp_path, argos_home):  # noqa: F811
    env = dict(os.environ) | argos_home
    made = digest("new", "mysite", cwd=tmp_path, env=env)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "mysite"
    assert f"cd mysite && {sys.executable} -m digest build" in made.stdout
    names = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert {"digest.toml", "themes/README.md"} <= names
    content = {Path(n).name for n in names if n.startswith("content/")}
    assert [n for n in content if n.endswith(".en.md")] and [n for n in content if n.endswith(".txt")]
    assert [n for n in content if n.endswith(".md") and not n.endswith(".en.md")]
    assert not [p for p in tmp_path.iterdir() if p.name != "mysite" and p.name != "argos-home"]

    built = digest("build", cwd=project, env=env)
    assert built.returncode == 0, built.stderr
    assert "error:" not in built.stderr and "built 2 articles" in built.stdout, built.stdout + built.stderr
    library = (project / "site/articles/library-hours/en/index.html").read_text()
    assert "City library extends its opening hours" in library and "Human translation" in library
    assert (project / "site/articles/new-park/ar/index.html").is_file()

    # serve --drafts, with a draft added: the page is there and says it is a draft.
    (project / "content/notes.md").write_text("---\ntitle: مسودة خبر\ndraft: true\n---\nنص.\n", encoding="utf-8")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "digest", "serve", "--port", str(port), "--drafts"],
                              cwd=project, env=env | {"PYTHONPATH": str(REPO)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pages = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(pages) < 2:
            try:
                for path in ("/", "/articles/notes/en/"):
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                        pages[path] = (response.status, response.read().decode())
            except OSError:
                assert server.poll() is None, server.communicate()
                time.sleep(0.2)
        assert pages["/"][0] == 200 and "City library" in pages["/"][1]
        assert pages["/articles/notes/en/"][0] == 200 and "Draft: not published yet" in pages["/articles/notes/en/"][1]
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode in (0, 130), err


def test_new_refuses_a_folder_that_is_not_empty_and_changes_nothing(tmp_path):
    env = dict(os.environ)
    (tmp_path / "full").mkdir()
    (tmp_path / "full/notes.txt").write_text("mine\n")
    (tmp_path / "a-file").write_text("mine too\n")
    before = snapshot(tmp_path)
    for target in ("full", "a-file"):
        result = digest("new", target, cwd=tmp_path, env=env)
        assert result.returncode == 2, result
        assert result.stderr.startswith(f"error: {target}: ") and "nothing was changed" in result.stderr
        assert result.stdout == ""
    assert snapshot(tmp_path) == before

    (tmp_path / "empty").mkdir()
    assert digest("new", "empty", cwd=tmp_path, env=env).returncode == 0
    assert (tmp_path / "empty/digest.toml").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_generated_digest_toml_has_every_key_with_its_default_and_a_comment(tmp_path):
    text = config_toml()
    (tmp_path / "digest.toml").write_text(text, encoding="utf-8")
    assert load_config(tmp_path) == Config(root=tmp_path)
    data = tomllib.loads(text)
    assert set(data) == set(SECTIONS)
    lines = text.splitlines()
    for section, cls in SECTIONS.items():
        assert set(data[section]) == {f.name for f in fields(cls)}, section
        for f in fields(cls):
            (at,) = [i for i, line in enumerate(lines) if line.startswith(f"{f.name} = ")]
            comment = lines[at - 1]
            assert comment.startswith("# ") and len(comment) > 10, (f.name, comment)


def test_the_repository_keeps_a_current_sample_digest_toml():
    # If this fails: python -c 'from digest.commands.starter import config_toml; print(config_toml(), end="")' > digest.toml
    assert (REPO / "digest.toml").read_text(encoding="utf-8") == config_toml()
