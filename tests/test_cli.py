import os
import subprocess
import sys
import time

import pytest
from helpers import REPO, write_project

# Every test starts Python processes.
pytestmark = pytest.mark.slow

DIGEST = [sys.executable, "-m", "digest"]


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([*DIGEST, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_help_is_fast_and_imports_nothing_heavy():
    started = time.perf_counter()
    result = run("--help")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0 and "build" in result.stdout and "serve" in result.stdout
    assert elapsed < 1.0, elapsed
    probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "digest", "--help"], capture_output=True,
                           text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    for heavy in ("argostranslate", "ctranslate2", "torch", "jinja2", "markdown_it", "watchdog"):
        assert f" {heavy}" not in probe.stderr, heavy


def test_build_with_overrides_and_strict(tmp_path):
    write_project(tmp_path, {
        "proj/content/a.md": "---\ntitle: أ\n---\nنص.\n",
        "proj/posts/b.md": "---\ntitle: ب\n---\nنص.\n",
        "proj/digest.toml": '[translation]\nengine = "none"\n',
    })
    result = run("build", "--project", str(tmp_path / "proj"), "--content", "posts", "--output", "public")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "proj/public/articles/b/index.html").is_file()
    assert not (tmp_path / "proj/public/articles/a").exists()
    write_project(tmp_path, {"proj/posts/broken.md": "---\ntitle: [\n---\n"})
    lenient = run("build", "--project", str(tmp_path / "proj"), "--content", "posts", "--output", "public")
    assert lenient.returncode == 0 and "broken.md" in lenient.stderr
    strict = run("build", "--project", str(tmp_path / "proj"), "--content", "posts", "--output", "public", "--strict")
    assert strict.returncode == 1 and "broken.md" in strict.stderr


def test_build_without_model_says_how_to_install_and_strict_says_why_it_fails(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.txt": "عنوان\nنص.\n"})
    env_dir = tmp_path / "argos"
    env = dict(os.environ, PYTHONPATH=str(REPO), ARGOS_PACKAGES_DIR=str(env_dir), HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "d"), XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_CACHE_HOME=str(tmp_path / "k"))
    result = subprocess.run([*DIGEST, "build"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "digest models install ar en" in result.stderr
    assert "English translation coming soon" in (tmp_path / "site/articles/a/en/index.html").read_text()
    strict = subprocess.run([*DIGEST, "build", "--strict"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert strict.returncode == 1
    assert "error: --strict: 0 file error(s) and 1 warning(s) above count as failures" in strict.stderr


def test_a_mistyped_content_folder_exits_2_and_leaves_the_site(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "digest.toml": '[translation]\nengine = "none"\n'})
    assert run("build", cwd=tmp_path).returncode == 0
    before = sorted(p for p in (tmp_path / "site").rglob("*"))
    result = run("build", "--content", "contnt", cwd=tmp_path)
    assert result.returncode == 2
    assert "contnt" in result.stderr and "the content folder does not exist" in result.stderr
    result = run("build", "--theme", "./themez", cwd=tmp_path)
    assert result.returncode == 2 and "themez" in result.stderr and "no such theme folder" in result.stderr
    assert sorted(p for p in (tmp_path / "site").rglob("*")) == before


def test_a_missing_project_folder_exits_2_and_makes_nothing(tmp_path):
    for command in (["build"], ["cache", "stats"], ["cache", "prune"], ["models", "list"]):
        result = run(*command, "--project", str(tmp_path / "nowhere"), cwd=tmp_path)
        assert result.returncode == 2 and "the project folder does not exist" in result.stderr, command
    assert list(tmp_path.iterdir()) == []


def test_bad_config_exits_2_listing_every_problem(tmp_path):
    write_project(tmp_path, {"digest.toml": '[site]\nbogus = 1\npage_size = "x"\n'})
    result = run("build", cwd=tmp_path)
    assert result.returncode == 2
    assert "site.bogus" in result.stderr and "site.page_size" in result.stderr and "digest.toml" in result.stderr


def test_models_install_needs_both_languages_or_a_file_not_both(tmp_path):
    result = run("models", "install", "ar", cwd=tmp_path)
    assert result.returncode == 2 and "give both languages" in result.stderr
    result = run("models", "install", "ar", "en", "--file", "x.argosmodel", cwd=tmp_path)
    assert result.returncode == 2 and "not both" in result.stderr


def test_config_errors_are_listed_together_each_naming_its_source(tmp_path):
    # A bad page_size used to hide the missing content folder, which hid the unknown theme.
    write_project(tmp_path, {"digest.toml": '[site]\ntitle_en = "x"\npage_size = 0\n\n[paths]\ncontent = "posts"\n',
                             "themes/mine/strings.toml": ""})
    result = run("build", "--theme", "nosuch", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert "digest.toml:3: site.page_size: must be at least 1, got 0" in [s.strip() for s in lines]
    assert "digest.toml:6: paths.content: the content folder does not exist (posts)" in [s.strip() for s in lines]
    assert "--theme nosuch: no theme 'nosuch' (themes here: default, mine)" in [s.strip() for s in lines]
    assert not (tmp_path / "site").exists()


def test_without_digest_toml_a_bad_flag_names_the_flag_only(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n"})
    result = run("build", "--theme", "nosuch", "--base-url", "example.org", cwd=tmp_path)
    assert result.returncode == 2
    assert "--theme nosuch: no theme 'nosuch' (themes here: default)" in result.stderr
    assert "--base-url example.org: 'example.org' is not an absolute URL" in result.stderr
    assert "digest.toml" not in result.stderr
    result = run("build", "--content", "nowhere", cwd=tmp_path)
    assert result.returncode == 2 and "--content nowhere: the content folder does not exist" in result.stderr
    assert "digest.toml" not in result.stderr


def test_a_command_left_out_lists_the_commands_to_choose_from(tmp_path):
    alone = run(cwd=tmp_path)
    assert alone.returncode == 2 and alone.stdout == "", alone.stderr
    assert "usage: digest" in alone.stderr and "build the site into the output folder" in alone.stderr
    assert "serve" in alone.stderr and "required" not in alone.stderr
    models = run("models", cwd=tmp_path)
    assert models.returncode == 2 and "usage: digest models" in models.stderr, models.stderr
    assert "install a package from the index" in models.stderr and "installed packages" in models.stderr


def test_a_mistyped_option_prints_the_commands_usage_and_the_option_meant(tmp_path):
    result = run("build", "--stirct", "--outptu=site2", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("usage: digest build"), result.stderr
    assert result.stderr.endswith("unrecognized arguments: --stirct --outptu=site2 "
                                  "(did you mean --strict or --output?)\n"), result.stderr
    result = run("serve", "--prot", "9000", cwd=tmp_path)
    assert result.returncode == 2 and "--prot 9000 (did you mean --port?)" in result.stderr, result.stderr
    result = run("build", "--bogus", "stray", cwd=tmp_path)  # nothing close: no guess
    assert result.stderr.endswith("unrecognized arguments: --bogus stray\n"), result.stderr
    assert not (tmp_path / "site").exists() and not (tmp_path / "site2").exists()


def test_an_abbreviated_option_is_refused_not_taken_for_the_long_one(tmp_path):
    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n", "elsewhere/keep.txt": "mine\n"})
    result = run("build", "--out", "elsewhere", cwd=tmp_path)  # argparse would read --output
    assert result.returncode == 2, result.stderr
    assert "unrecognized arguments: --out elsewhere (did you mean --output?)" in result.stderr, result.stderr
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["keep.txt"]
    assert not (tmp_path / "site").exists()


def test_no_model_is_mentioned_when_every_article_has_a_human_translation(tmp_path):
    write_project(tmp_path, {"content/2026-11-01-a.md": "---\ntitle: عنوان\n---\nنص.\n",
                             "content/2026-11-01-a.en.md": "---\ntitle: Title\n---\nText.\n"})
    env = dict(os.environ, PYTHONPATH=str(REPO), ARGOS_PACKAGES_DIR=str(tmp_path / "argos"), HOME=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "d"), XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_CACHE_HOME=str(tmp_path / "k"))
    strict = subprocess.run([*DIGEST, "build", "--strict"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert strict.returncode == 0 and "translation model" not in strict.stdout + strict.stderr, strict.stderr
    assert "Translation pending" not in (tmp_path / "site/articles/a/en/index.html").read_text()
    write_project(tmp_path, {"content/2026-11-02-b.txt": "عنوان آخر\nنص.\n"})  # one article with no translation
    pending = subprocess.run([*DIGEST, "build"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert pending.returncode == 0 and "digest models install ar en" in pending.stderr


def test_an_empty_content_folder_builds_and_says_how_to_add_articles(tmp_path):
    write_project(tmp_path, {"proj/digest.toml": "[site]\nsearch = false\n", "proj/content/notes/readme.rst": "x\n"})
    for _ in range(2):  # the second build is replayed by the whole-build memo: the same note
        result = run("build", "--project", str(tmp_path / "proj"))
        assert result.returncode == 0, result.stderr
        assert "built 0 articles" in result.stdout
        assert "holds no articles yet" in result.stderr and " new DIR" in result.stderr, result.stderr
    write_project(tmp_path, {"proj/content/a.md": "---\ntitle: أ\n---\nنص.\n"})
    result = run("build", "--project", str(tmp_path / "proj"))
    assert result.returncode == 0 and "no articles yet" not in result.stderr, result.stderr


def test_messages_name_paths_from_the_current_folder_but_leave_addresses_and_other_paths_alone():
    from digest.text import shown_here

    here = "/work/news"
    said = shown_here("/work/news/content/a.md: bad; see file:///work/news/site/index.html, /work/newsroom/x.md, "
                      "/other/work/news/b.md and '/work/news/site'", here)
    assert said == ("content/a.md: bad; see file:///work/news/site/index.html, /work/newsroom/x.md, "
                    "/other/work/news/b.md and 'site'")
    assert shown_here("/etc/passwd", "/") == "/etc/passwd" and shown_here("/work/news/a.md", "/work/news/") == "a.md"


def test_messages_follow_the_current_folder_of_the_moment(tmp_path, monkeypatch):
    from digest.commands import said

    (tmp_path / "a").mkdir()
    path = str(tmp_path / "a" / "x.md")
    monkeypatch.chdir(tmp_path)
    assert said(f"{path}: bad") == "a/x.md: bad"
    monkeypatch.chdir(tmp_path / "a")  # a process that runs several commands (the tests) moves
    assert said(f"{path}: bad") == "x.md: bad"
