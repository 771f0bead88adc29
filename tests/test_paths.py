"""classify(): what a changed path means to the rebuild loop, case by case."""

from pathlib import Path

import pytest

from digest.config import load_config
from digest.serve.paths import CONFIG, CONTENT, IGNORED, THEME, Layout, classify

ROOT = Path("/proj")
LAYOUT = Layout(config_file=ROOT / "digest.toml", content=ROOT / "content",
                themes=(ROOT / "themes/mine", ROOT / "themes/default"),
                excluded=(ROOT / "site", ROOT / ".digest-cache"))

CASES = [
    ("content/2026-11-01-news.md", CONTENT),
    ("content/world/2026-11-01-news.txt", CONTENT),
    ("content/news.en.md", CONTENT),
    ("content/new-folder", CONTENT),
    ("content", CONTENT),
    ("content/image.jpg", CONTENT),
    ("content/.news.md.swp", IGNORED),
    ("content/news.md.swp", IGNORED),
    ("content/news.md.swo", IGNORED),
    ("content/news.md~", IGNORED),
    ("content/.#news.md", IGNORED),
    ("content/#news.md#", IGNORED),
    ("content/4913", IGNORED),
    ("content/news.md.part", IGNORED),
    ("content/news.md.crdownload", IGNORED),
    ("content/.hidden.md", IGNORED),
    ("content/.git/HEAD", IGNORED),
    ("content/.drafts/news.md", IGNORED),
    ("content/.DS_Store", IGNORED),
    ("digest.toml", CONFIG),
    ("digest.toml~", IGNORED),
    (".digest.toml.swp", IGNORED),
    ("themes/mine/templates/base.html", THEME),
    ("themes/default/static/style.css", THEME),
    ("themes/default/strings.toml", THEME),
    ("themes/default/templates/.base.html.swp", IGNORED),
    ("themes/other/templates/base.html", IGNORED),
    ("site/index.html", IGNORED),
    ("site/articles/x/index.html", IGNORED),
    (".digest-cache/translations.sqlite", IGNORED),
    (".git/index.lock", IGNORED),
    ("README.md", IGNORED),
    ("/elsewhere/content/news.md", IGNORED),
]


@pytest.mark.parametrize("rel, kind", CASES)
def test_classify(rel, kind):
    assert classify(ROOT / rel, LAYOUT) == kind


def test_output_inside_content_is_ignored():
    layout = Layout(config_file=ROOT / "digest.toml", content=ROOT, excluded=(ROOT / "site",))
    assert classify(ROOT / "site/index.html", layout) == IGNORED
    assert classify(ROOT / "news.md", layout) == CONTENT


def test_hidden_folder_above_the_project_does_not_hide_it():
    root = Path("/home/.me/proj")
    layout = Layout(config_file=root / "digest.toml", content=root / "content")
    assert classify(root / "content/news.md", layout) == CONTENT


def test_layout_of_config(tmp_path):
    config = load_config(tmp_path, {"paths": {"output": "public"}})
    layout = Layout.of(config, [tmp_path / "themes/default"])
    assert classify(tmp_path / "content/a.md", layout) == CONTENT
    assert classify(tmp_path / "public/a.html", layout) == IGNORED
    assert classify(tmp_path / "themes/default/templates/base.html", layout) == THEME
    assert classify(tmp_path / "digest.toml", layout) == CONFIG


def test_the_themes_folder_and_the_chosen_theme_appearing_are_theme_changes():
    layout = Layout(config_file=ROOT / "digest.toml", content=ROOT / "content",
                    theme_places=(ROOT / "themes", ROOT / "themes/mine"))
    assert classify(ROOT / "themes", layout) == THEME
    assert classify(ROOT / "themes/mine", layout) == THEME
    assert classify(ROOT / "themes/other", layout) == IGNORED
