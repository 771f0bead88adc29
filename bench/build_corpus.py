"""The corpus of the full-build benchmark, written as a digest project and as a Hugo site.

Every article is an Arabic ``.md`` with a human English translation (``name.en.md``), about
600 words per language in 8 paragraphs, 2 of 50 tags, dated over two years. Hugo gets the
same text as ``content/articles/<slug>.ar.md`` and ``<slug>.en.md`` (translation by file
name), with a site of two languages and article, list (20 per page), tag and RSS pages in
both, so each tool makes about the same pages.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

ARABIC = ("أعلنت الحكومة اليوم عن خطة جديدة لتطوير البنية التحتية في المدن الساحلية والقرى "
          "وقال وزير الاقتصاد إن المشروع يوفر آلاف فرص العمل للشباب خلال السنوات المقبلة "
          "وأضاف أن الميزانية تشمل بناء مدارس ومستشفيات وطرق حديثة تربط المحافظات ببعضها "
          "وأكد المتحدث باسم الوزارة أن العمل سيبدأ الشهر القادم بمشاركة شركات محلية ودولية "
          "فيما رحب خبراء بالخطة لكنهم طالبوا بمزيد من الشفافية في إدارة الأموال العامة").split()
ENGLISH = ("the government announced today a new plan to develop infrastructure in coastal cities and "
           "villages the economy minister said the project would create thousands of jobs for young "
           "people over the coming years adding that the budget includes building modern schools "
           "hospitals and roads linking the provinces a ministry spokesman confirmed that work will "
           "start next month with local and international companies while experts welcomed the plan "
           "but called for more transparency in managing public money").split()
TAGS_AR = [f"وسم{i}" for i in range(50)]
WORDS_PER_LANGUAGE = 600
PARAGRAPHS = 8
FIRST_DAY = datetime.date(2025, 1, 1)


def _paragraphs(rng: random.Random, words: list[str]) -> list[str]:
    per = WORDS_PER_LANGUAGE // PARAGRAPHS
    return [" ".join(rng.choices(words, k=per)).capitalize() + "." for _ in range(PARAGRAPHS)]


def articles(count: int, seed: int = 14):
    """``(slug, date, tags, title_ar, body_ar, title_en, body_en)`` for ``count`` articles."""
    rng = random.Random(seed)
    for i in range(count):
        date = FIRST_DAY + datetime.timedelta(days=i * 730 // max(count, 1))
        tags = rng.sample(range(len(TAGS_AR)), 2)
        yield (f"article-{i:05d}", date.isoformat(), tags,
               " ".join(rng.choices(ARABIC, k=8)), "\n\n".join(_paragraphs(rng, ARABIC)),
               " ".join(rng.choices(ENGLISH, k=8)).capitalize(), "\n\n".join(_paragraphs(rng, ENGLISH)))


def write_digest(root: Path, count: int) -> Path:
    """A digest project of ``count`` articles in ``root``."""
    content = root / "content"
    content.mkdir(parents=True)
    (root / "digest.toml").write_text('[site]\nbase_url = "https://bench.example/"\n', encoding="utf-8")
    for slug, date, tags, title_ar, body_ar, title_en, body_en in articles(count):
        names = ", ".join(TAGS_AR[t] for t in tags)
        (content / f"{date}-{slug}.md").write_text(
            f"---\ntitle: {title_ar}\ndate: {date}\nslug: {slug}\ntags: [{names}]\n---\n{body_ar}\n", encoding="utf-8")
        (content / f"{date}-{slug}.en.md").write_text(f"---\ntitle: {title_en}\n---\n{body_en}\n", encoding="utf-8")
    return root


HUGO_CONFIG = """\
baseURL = "https://bench.example/"
title = "Bench"
defaultContentLanguage = "ar"
defaultContentLanguageInSubdir = true
disableKinds = ["sitemap", "robotsTXT", "404"]

[pagination]
pagerSize = 20

[taxonomies]
tag = "tags"

[outputs]
home = ["html", "rss"]
section = ["html", "rss"]
taxonomy = ["html"]
term = ["html", "rss"]

[languages.ar]
languageName = "العربية"
languageDirection = "rtl"
weight = 1
[languages.en]
languageName = "English"
languageDirection = "ltr"
weight = 2
"""

LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="{{ .Language.Lang }}" dir="{{ .Language.Direction }}">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}
</head>
<body><nav><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<a href="{{ "tags/" | relLangURL }}">tags</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ range .Translations }}<a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.Label }}</a>
{{ end }}
</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .RegularPagesRecursive }}
<ul>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ .Summary | plainify | truncate 200 }}</li>{{ end }}</ul>
{{ with $pager.Next }}<a href="{{ .URL }}">next</a>{{ end }}{{ with $pager.Prev }}<a href="{{ .URL }}">prev</a>{{ end }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> ({{ len .Pages }})</li>{{ end }}</ul>
{{ end }}
""",
}


def write_hugo(root: Path, count: int) -> Path:
    """A Hugo site of the same ``count`` articles in ``root``."""
    content = root / "content/articles"
    content.mkdir(parents=True)
    (root / "layouts").mkdir()
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    for slug, date, tags, title_ar, body_ar, title_en, body_en in articles(count):
        names = ", ".join(f'"{TAGS_AR[t]}"' for t in tags)
        (content / f"{slug}.ar.md").write_text(
            f'---\ntitle: "{title_ar}"\ndate: {date}\ntags: [{names}]\n---\n{body_ar}\n', encoding="utf-8")
        # Tags in both languages, as digest puts the English page under the same tags.
        (content / f"{slug}.en.md").write_text(
            f'---\ntitle: "{title_en}"\ndate: {date}\ntags: [{names}]\n---\n{body_en}\n', encoding="utf-8")
    return root


def edit_one(root: Path, hugo: bool) -> None:
    """Append a sentence to the first article's Arabic text (the one-edit build)."""
    content = root / "content"
    path = content / "articles/article-00000.ar.md" if hugo else next(content.glob("*-article-00000.md"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\nوأضاف المتحدث أن التفاصيل ستعلن لاحقا.\n")
