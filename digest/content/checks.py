"""What an editor should hear about an article that loaded: ignored keys, notes, unpaired
blocks, a missing date. Warnings, not problems: the article is built all the same."""

from __future__ import annotations

from .articles import KNOWN_KEYS, Article


def article_warnings(article: Article) -> list[str]:
    """The warnings about ``article`` (and its human translation), each naming its file."""
    found: list[str] = []
    if article.ignored_keys:
        found.append(f"{article.path}: front matter key(s) ignored: {', '.join(article.ignored_keys)} "
                     f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    human = article.human
    for path, note in [(article.path, n) for n in article.notes] + (
            [(human.path, n) for n in human.notes] if human is not None else []):
        found.append(f"{path}: {note}")
    if human is not None and len(human.blocks) != len(article.blocks):
        found.append(f"{human.path}: {len(human.blocks)} block(s) against {len(article.blocks)} in "
                     f"{article.path.name}: the parallel page pairs them in order, some unpaired")
    if article.undated:
        where = ("a date line above or under the title" if article.path.suffix == ".txt"
                 else "a date in front matter")
        found.append(f"{article.path}: no date ({where}, or a YYYY-MM-DD- file name prefix): "
                     "dated by the file's modification time, which every save moves")
    return found
