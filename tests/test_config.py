import pytest
from helpers import write_project

from digest.config import load_config
from digest.errors import ConfigError


def test_defaults_without_file(tmp_path):
    config = load_config(tmp_path)
    assert config.site.source_language == "ar"
    assert config.output_dir == tmp_path / "site"
    assert config.translation.compute_type == "auto"


def test_values_and_overrides(tmp_path):
    write_project(tmp_path, {"digest.toml": '[site]\ntitle_en = "Gulf Digest"\nbase_url = "https://example.org/digest/"\n'
                                           '[paths]\noutput = "public"\n[translation]\nbeam_size = 2\n'})
    config = load_config(tmp_path, {"paths": {"output": None, "content": "articles"}})
    assert config.site.title_en == "Gulf Digest"
    assert config.base_path == "/digest/"
    assert config.paths.output == "public"  # a None override never masks the file
    assert config.paths.content == "articles"
    assert config.translation.beam_size == 2


def test_all_errors_reported_together(tmp_path):
    write_project(tmp_path, {"digest.toml": '[site]\ntitel = "x"\npage_size = "ten"\n[translation]\ndevice = "tpu"\n'
                                           'beam_size = true\n[extras]\na = 1\n'})
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert "digest.toml" in message
    for needle in ("site.titel: unknown key", "site.page_size: expected an integer", "translation.device",
                   "translation.beam_size: expected an integer", "extras: unknown section"):
        assert needle in message
    assert len(info.value.problems) == 5


def test_config_is_frozen(tmp_path):
    config = load_config(tmp_path)
    with pytest.raises(AttributeError):
        config.site.title_en = "x"


def test_invalid_toml_names_the_file(tmp_path):
    write_project(tmp_path, {"digest.toml": "[site\n"})
    with pytest.raises(ConfigError, match=r"digest.toml(.|\n)*not valid TOML"):
        load_config(tmp_path)


def test_out_of_range_numbers_and_unknown_compute_types_are_reported_together(tmp_path):
    write_project(tmp_path, {"digest.toml": "[site]\npage_size = 0\n[translation]\nbeam_size = 0\n"
                                           'inter_threads = -3\nbatch_tokens = 0\ncompute_type = "int4"\n'})
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    file = tmp_path / "digest.toml"
    assert sorted(p.split(": ")[1] for p in info.value.problems) == [
        "site.page_size", "translation.batch_tokens", "translation.beam_size", "translation.compute_type",
        "translation.inter_threads"]
    assert f"{file}:5: translation.inter_threads: must be at least 1, got -3" in info.value.problems


def test_languages_must_be_codes_and_differ(tmp_path):
    write_project(tmp_path, {"digest.toml": '[site]\nsource_language = "arabic"\ntarget_language = "arabic"\n'})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    file = tmp_path / "digest.toml"
    assert caught.value.problems == [f"{file}:2: site.source_language: 'arabic' is not a language code (such as ar or en)",
                                     f"{file}:3: site.target_language: 'arabic' is not a language code (such as ar or en)",
                                     f"{file}:3: site.target_language: the same as site.source_language"]


def test_key_lines_finds_tables_keys_dotted_and_quoted_keys_but_not_string_contents():
    from digest.configsource import key_lines

    text = ('# comment\n[site]\ntitle_en = "x = y"\n"page_size" = 3\n\n[ paths ]  # folders\ncontent = "c"\n'
            'text.agencies = [\n  "a = b",\n]\n[translation]\nnote = """\nbeam_size = 9\n"""\nbeam_size = 2\n')
    lines = key_lines(text)
    assert lines["site"] == 2 and lines["site.title_en"] == 3 and lines["site.page_size"] == 4
    assert lines["paths"] == 6 and lines["paths.content"] == 7 and lines["paths.text.agencies"] == 8
    assert lines["translation.beam_size"] == 15  # not line 13, inside a multi-line string


def test_problems_name_the_line_or_the_flag_never_a_missing_file(tmp_path):
    write_project(tmp_path, {"digest.toml": '[site]\n\npage_size = "ten"\ntheme = 5\n[translation]\nbeam_size = 0\n'})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"site": {"base_url": "nowhere", "theme": "mine"}})
    file = tmp_path / "digest.toml"
    assert caught.value.problems == [f"{file}:3: site.page_size: expected an integer, got str 'ten'",
                                     f"{file}:4: site.theme: expected a string, got int 5",  # the file is wrong
                                     "--base-url nowhere: 'nowhere' is not an absolute URL",
                                     f"{file}:6: translation.beam_size: must be at least 1, got 0"]
    file.unlink()
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {"site": {"theme": "nosuch"}}, check_folders=True)
    assert caught.value.path is None and "digest.toml" not in str(caught.value)
    assert caught.value.problems == [
        f"{tmp_path / 'content'}: the content folder does not exist (create it, set paths.content or pass --content)",
        "--theme nosuch: no theme 'nosuch' (themes here: default)"]
