"""How this digest was started, so a hint names a command the user can run as it is.

A person who typed ``.venv/bin/digest build`` is told ``.venv/bin/digest models install ar
en``, not ``digest models install ar en``, which their shell may not find.
"""

from __future__ import annotations

import os
import shutil
import sys


def invoked_as(argv0: str | None = None, orig_argv: list[str] | None = None, anywhere: bool = False) -> str:
    """The command that started this process, ready to put in front of a sub-command.

    ``python -m digest`` (as typed: the interpreter's name or path) when run as a module;
    ``digest`` when the console script was found on PATH; otherwise the script's path as
    typed (``.venv/bin/digest``). Defaults read :data:`sys.argv` and :data:`sys.orig_argv`.
    With ``anywhere`` a relative path is made absolute, for a hint that starts with ``cd``.
    """
    here = os.path.abspath if anywhere else str
    argv0 = sys.argv[0] if argv0 is None else argv0
    orig = list(getattr(sys, "orig_argv", [])) if orig_argv is None else orig_argv
    name = os.path.basename(argv0)
    if name in ("__main__.py", "-m", "-c", ""):
        python = orig[0] if orig else "python"
        return f"{_quote(here(python) if os.sep in python else python)} -m digest"
    if os.sep not in argv0:
        return _quote(argv0)
    # The shell hands a PATH lookup's full path to the interpreter: the user typed the name.
    found = shutil.which(name)
    if found and os.path.isabs(argv0) and os.path.realpath(found) == os.path.realpath(argv0):
        return name
    return _quote(here(argv0))


def _quote(word: str) -> str:
    """``word`` as a shell word: quoted only when it needs to be."""
    if word and all(c.isalnum() or c in "@%+=:,./-_" for c in word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def command(*words: str) -> str:
    """The full command line for a sub-command, e.g. ``command("models", "install", "ar", "en")``."""
    return " ".join([invoked_as(), *words])
