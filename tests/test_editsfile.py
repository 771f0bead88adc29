"""Post-edits saved from the browser: written into name.edits.toml as post-edits are read, comments
and other entries kept, atomically; removing one restores the machine text."""

from __future__ import annotations

import pytest

from digest.translate.editsfile import EditsFileError, save_post_edit
from digest.translate.postedits import load_post_edits, paragraph_key

EXISTING = """# Corrections checked by the desk on Monday.
[[edit]]
arabic = "ارتفعت أسعار النفط."  # the lead
english = "Oil prices rose."

[[edit]]
arabic = "تراجع المخزون."
english = "Stocks fell."
"""


def article(tmp_path):
    path = tmp_path / "content" / "2026-11-01-oil.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: نفط\n---\nارتفعت أسعار النفط.\n\nتراجع المخزون.\n\nقال محللون.\n", encoding="utf-8")
    return path


def test_a_new_post_edit_is_added_and_read_back_under_its_paragraph_key(tmp_path):
    path = article(tmp_path)
    assert save_post_edit(path, "قال **محللون**.", "Analysts said.")
    edits, problems = load_post_edits(path)
    assert problems == [] and edits[paragraph_key("قال محللون.")].english == "Analysts said."
    assert list(tmp_path.joinpath("content").iterdir()) == [path, path.with_name("2026-11-01-oil.edits.toml")]


def test_saving_keeps_comments_and_other_entries_and_updates_in_place(tmp_path):
    path = article(tmp_path)
    edits_file = path.with_name("2026-11-01-oil.edits.toml")
    edits_file.write_text(EXISTING, encoding="utf-8")
    assert save_post_edit(path, "ارتفعت أسعار النفط.", "Oil prices climbed.")
    assert save_post_edit(path, "قال محللون.", "Analysts said.")
    text = edits_file.read_text(encoding="utf-8")
    assert text.startswith("# Corrections checked by the desk on Monday.\n")
    assert '# the lead\nenglish = "Oil prices climbed."' in text and text.count("[[edit]]") == 3
    edits, _ = load_post_edits(path)
    assert sorted(e.english for e in edits.values()) == ["Analysts said.", "Oil prices climbed.", "Stocks fell."]
    assert not save_post_edit(path, "قال محللون.", "Analysts said.")  # the same text: nothing written


def test_removing_a_post_edit_leaves_the_rest_and_a_missing_one_changes_nothing(tmp_path):
    path = article(tmp_path)
    edits_file = path.with_name("2026-11-01-oil.edits.toml")
    edits_file.write_text(EXISTING, encoding="utf-8")
    assert save_post_edit(path, "تراجع  المخزون.", None)  # the same paragraph, spaced differently
    text = edits_file.read_text(encoding="utf-8")
    assert "Stocks fell." not in text and "# Corrections checked" in text and "Oil prices rose." in text
    before = edits_file.stat().st_mtime_ns
    assert not save_post_edit(path, "قال محللون.", None)
    assert edits_file.stat().st_mtime_ns == before


@pytest.mark.parametrize("bad", ["[[edit]\narabic = 1\n", "edit = 3\n", b"\xff\xfe\x00garbage"])
def test_a_malformed_edits_file_is_refused_and_left_as_it_is(tmp_path, bad):
    path = article(tmp_path)
    edits_file = path.with_name("2026-11-01-oil.edits.toml")
    data = bad.encode() if isinstance(bad, str) else bad
    edits_file.write_bytes(data)
    with pytest.raises(EditsFileError, match="edits.toml"):
        save_post_edit(path, "قال محللون.", "Analysts said.")
    assert edits_file.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, edits_file.name])  # no temp file left


def test_an_edits_file_that_is_a_symbolic_link_is_not_written_through(tmp_path):
    path = article(tmp_path)
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("", encoding="utf-8")
    path.with_name("2026-11-01-oil.edits.toml").symlink_to(outside)
    with pytest.raises(EditsFileError, match="not a plain file"):
        save_post_edit(path, "قال محللون.", "Analysts said.")
    assert outside.read_text(encoding="utf-8") == ""


def test_an_inline_array_written_by_hand_gets_an_inline_entry_and_stays_valid(tmp_path):
    path = article(tmp_path)
    edits_file = path.with_name("2026-11-01-oil.edits.toml")
    edits_file.write_text('edit = [{arabic = "تراجع المخزون.", english = "Stocks fell."}]  # by hand\n', encoding="utf-8")
    assert save_post_edit(path, "قال محللون.", "Analysts said.")
    edits, problems = load_post_edits(path)
    assert problems == [] and sorted(e.english for e in edits.values()) == ["Analysts said.", "Stocks fell."]
    assert "# by hand" in edits_file.read_text(encoding="utf-8")
