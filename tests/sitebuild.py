"""A small bilingual project for the feed, SEO, link and search tests, built in a temp folder.

Articles span two months so archives exist, and ``page_size`` is 2 so indexes, tags and
archives paginate. English comes from :class:`Glossary`, a fake translator that turns each
known Arabic text into real English words (so the English pages can be searched).
"""

from __future__ import annotations

from pathlib import Path

from helpers import write_project

from digest.build import Builder
from digest.buildresult import BuildResult
from digest.config import load_config
from digest.events import RecordingReporter
from digest.translate.result import TranslationResult

BASE_URL = "https://example.org/digest/"

ARTICLES = {
    "content/2026-10-05-harvest.md": """---
title: موسم حصاد القمح يبدأ في الجزيرة
date: 2026-10-05
tags: [زراعة]
source: وكالات
---
بدأ المزارعون حصاد القمح في الجزيرة وسط توقعات بإنتاج وفير هذا العام.

![حقل قمح عند الغروب](https://images.example.net/field.jpg)
""",
    "content/2026-11-02-library.md": """---
title: مكتبة جديدة للأطفال في المدينة القديمة
date: 2026-11-02
tags: [ثقافة]
author: سلمى
---
افتتحت البلدية مكتبةً جديدةً للأطفال تضم آلاف الكتب المصوّرة.
""",
    "content/2026-11-10-rain.md": """---
title: أمطار غزيرة على الساحل
date: 2026-11-10
tags: [طقس, زراعة]
---
هطلت أمطار غزيرة على القرى الساحلية، وأعلنت السلطات حالة التأهب في المدى القريب.
""",
    "content/2026-11-20-port.md": """---
title: توسعة الميناء التجاري
date: 2026-11-20
tags: [اقتصاد]
source: رويترز
---
أعلنت هيئة الموانئ عن توسعة الميناء التجاري لاستقبال سفن الحاويات الكبيرة.
""",
    "content/2026-11-20-port.en.md": """---
title: The commercial port expands
---
The port authority announced an expansion of the commercial port for large container ships.
""",
}

ENGLISH = {
    "موسم حصاد القمح يبدأ في الجزيرة": "Wheat harvest season begins in the peninsula",
    "بدأ المزارعون حصاد القمح في الجزيرة وسط توقعات بإنتاج وفير هذا العام.":
        "Farmers began the wheat harvest amid expectations of an abundant crop this year.",
    "![حقل قمح عند الغروب](https://images.example.net/field.jpg)": "![Wheat field at sunset](https://images.example.net/field.jpg)",
    "مكتبة جديدة للأطفال في المدينة القديمة": "New children's library in the old city",
    "افتتحت البلدية مكتبةً جديدةً للأطفال تضم آلاف الكتب المصوّرة.":
        "The municipality opened a new children's library holding thousands of picture books.",
    "أمطار غزيرة على الساحل": "Heavy rain on the coast",
    "هطلت أمطار غزيرة على القرى الساحلية، وأعلنت السلطات حالة التأهب في المدى القريب.":
        "Heavy rain fell on coastal villages, and the authorities declared an alert for the near term.",
}


class Glossary:
    """A fake translator: known texts get their English, anything else a placeholder."""

    name = "glossary"
    version = "1.0"

    def __init__(self) -> None:
        self.calls = 0

    def translate(self, texts):
        self.calls += 1
        return TranslationResult.plain([ENGLISH.get(t, f"Untranslated text {i}") for i, t in enumerate(texts)])


def build_sample(root: Path, **site) -> tuple[Path, BuildResult, RecordingReporter]:
    """Write the sample project under ``root``, build it, return (output, result, reporter)."""
    write_project(root, dict(ARTICLES))
    out = root / "site"
    config = load_config(root, {"site": {"base_url": BASE_URL, "page_size": 2} | site,
                                "paths": {"output": str(out)}})
    reporter = RecordingReporter()
    result = Builder(config, reporter, Glossary()).build()
    return out, result, reporter
