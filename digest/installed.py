"""The versions of installed distributions, read from their folders' names.

:func:`importlib.metadata.version` imports ``importlib.metadata`` (and the ``email``
package it parses metadata with): 20-35 ms in a new process, on the way of every
``digest build`` (the memo's key names the libraries that shape a page; the search
index's keys, Pagefind's version). A wheel installs its metadata in a folder named
``NAME-VERSION.dist-info``, so one listing of each ``sys.path`` folder says the same in
under a millisecond.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable


def versions(names: Iterable[str]) -> dict[str, str]:
    """The versions of the distributions ``names`` installed as wheels, from the names of
    their ``NAME-VERSION.dist-info`` folders on ``sys.path`` (the first found, as
    :func:`importlib.metadata.version` takes it); a name not found so is left out."""
    wanted = {_normal(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            if not item.endswith(".dist-info"):
                continue
            name, _, version = item[:-len(".dist-info")].partition("-")
            key = wanted.get(_normal(name))
            if key is not None and key not in found and version:
                found[key] = version
    return found


def version(name: str) -> str | None:
    """The installed version of ``name`` (:func:`versions`, then ``importlib.metadata`` for
    a distribution not installed as a wheel); None if it is not installed."""
    found = versions([name]).get(name)
    if found is not None:
        return found
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _normal(name: str) -> str:
    """A distribution's name as the packaging standards compare it."""
    return re.sub(r"[-_.]+", "_", name).lower()
