"""XSS attempts in titles, bodies and links come out inert; raw HTML never passes through."""

import re

import pytest
from helpers import FakeTranslator, write_project

from digest.build import Builder
from digest.config import load_config
from digest.translate.result import TranslationResult

EVIL_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)>'
EVIL_BODY = """
<script>alert('body')</script>

<div onclick="alert(1)">نص</div>

[اضغط](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:x)
[مسافة](  java\tscript:alert(1)) [كيان](&#106;avascript:alert(1)) ![صورة](javascript:alert(2))

<a href="javascript:alert(3)">رابط</a> [جيد](https://example.org/ok) [نسبي](../other/) [بريد](mailto:a@example.org)
"""


THEME_SCRIPTS = re.compile(
    r'<script src="(?:\.\./)*(?:pagefind/pagefind-ui|static/search|static/align)\.js" defer></script>'
    r'|<script type="application/ld\+json">[^<]*</script>'
)


def _without_theme_scripts(html: str) -> str:
    """The page minus the theme's own scripts: search UI and JSON-LD (whose text has no ``<``)."""
    return THEME_SCRIPTS.sub("", html)


def build(tmp_path, translator=None):
    config = load_config(tmp_path)
    return Builder(config, translator=translator).build()


@pytest.mark.slow
def test_xss_in_markdown_title_body_and_links_is_inert(tmp_path):
    write_project(tmp_path, {
        "content/evil.md": f"---\ntitle: '{EVIL_TITLE}'\ntags: ['<b>x</b>']\nsource: '<i>s</i>'\n---\n{EVIL_BODY}",
        "content/evil2.txt": f"{EVIL_TITLE}\n<script>alert('raw')</script>\n",
    })
    result = build(tmp_path, FakeTranslator())
    assert not result.problems
    for path, data in result.files.items():
        if not path.endswith(".html"):
            continue
        html = _without_theme_scripts(data.decode())
        assert "<script" not in html.lower(), path
        # Quoted attribute values are escaped text (og:title may quote a hostile title).
        assert not re.search(r"<[^>]+\son\w+\s*=", re.sub(r'"[^"]*"', '""', html), re.I), path
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
        for href in hrefs:
            assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), (path, href)
    page = result.files["articles/evil/index.html"].decode()
    assert 'href="https://example.org/ok"' in page
    assert 'href="../other/"' in page
    assert 'href="mailto:a@example.org"' in page
    assert "&lt;script&gt;" in page  # shown as text, not run


@pytest.mark.slow
def test_machine_output_with_html_is_escaped(tmp_path):
    class Hostile(FakeTranslator):
        def translate(self, texts):
            return TranslationResult.plain(['<script>alert("mt")</script>' for _ in texts])

    write_project(tmp_path, {"content/a.md": "---\ntitle: أ\n---\nنص.\n"})
    result = build(tmp_path, Hostile())
    page = result.files["articles/a/en/index.html"].decode()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_bidi_isolation_never_cuts_an_entity():
    from digest.content.markup import render_inline

    html = render_inline("بقيمة 5 مليارات <b>عاجل</b> وشركة AT&T", plain=True, rtl=True)
    assert "&lt;<bdi dir=\"ltr\">b</bdi>&gt;عاجل" in html
    assert "&gt</bdi>" not in html and "&amp</bdi>" not in html
    assert "AT</bdi>&amp;" in html
