"""Frozen dataclasses made in bulk without their generated ``__init__``.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``: a call per
field, for every article, translation, entry and page of every new build process (30,000 pages
at 10,000 articles). Where the values are already checked (rows read back from the build
store, fields copied from another instance), :func:`made` sets them all at once instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def made(cls: type[T], fields: Mapping[str, Any] | None = None, /, **more: Any) -> T:
    """An instance of the frozen dataclass ``cls`` holding ``fields`` and then ``more``, made
    without calling its ``__init__``: every field must be given (no defaults are filled in and
    no ``__post_init__`` runs), so callers pass whole, checked values."""
    instance = object.__new__(cls)
    instance.__dict__.update(fields or (), **more)
    return instance
