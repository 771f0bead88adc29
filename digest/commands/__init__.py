"""The commands behind ``digest``: each turns parsed arguments into work, messages and an exit code.

Printing and exit codes live here and nowhere else; the layers below report through a
:class:`~digest.events.Reporter` and raise the errors of :mod:`digest.errors`. Only the
standard library is imported here, so ``digest --help`` stays fast: :func:`run` imports
the one command asked for.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

held: list[object] | None = None
"""Set to a list by :func:`digest.cli.program`, which ends the process with ``os._exit``:
what :func:`hold` is given then stays there, never freed."""


def hold(value: object) -> None:
    """Keep ``value`` (a one-off build's builder: its site model, millions of objects) to the
    end of the program, where the process ends without freeing it: freed when the command
    returns, it took 0.12 s of a 10,000-article edit build's 2.8 s. Nothing is held when the
    command runs in a process that goes on (:func:`digest.cli.main` in the tests)."""
    if held is not None:
        held.append(value)


def load(args: argparse.Namespace):
    """The project configuration with command-line overrides applied."""
    from ..config import load_config
    from ..errors import ConfigError

    if not args.project.is_dir():
        # Nothing may be made there (a cache, a site): it is most likely a mistyped path.
        what = "is not a folder" if args.project.exists() else "does not exist"
        raise ConfigError(args.project, [f"the project folder {what} (--project)"])

    theme = getattr(args, "theme", None)
    theme_dir = None
    if theme and ("/" in theme or Path(theme).is_dir()):
        theme_dir, theme = str(Path(theme).resolve()), None
    overrides = {
        "site": {"theme": theme, "base_url": getattr(args, "base_url", None),
                 "search": False if getattr(args, "no_search", False) else None},
        "paths": {"content": getattr(args, "content", None), "output": getattr(args, "output", None)},
        "translation": {"cluster": getattr(args, "cluster", None)},
        "build": {"workers": getattr(args, "workers", None)},
        "theme_dir": theme_dir,
        "drafts": getattr(args, "drafts", False),
        "force_output": getattr(args, "force_output", False),
    }
    # build, serve and watch need the content folder and the theme: checked with the rest.
    return load_config(args.project, overrides, check_folders=hasattr(args, "theme"))


def said(text: str) -> str:
    """``text``, a message about to be printed, with the paths under the current folder
    shown relative to it (:func:`digest.text.shown_here`): the project's paths are absolute,
    so that a build keys its caches the same way wherever it is started from."""
    from ..text import shown_here

    try:
        return shown_here(text, os.getcwd())
    except OSError:  # the current folder was deleted
        return text


def run(args: argparse.Namespace) -> int:
    """Run the command ``args.command`` names; the exit code of ``digest``."""
    from ..errors import ConfigError, OutputError, ThemeError, TranslationError
    from ..text import printable

    try:
        return importlib.import_module(f"{__name__}.{args.command}").run(args)
    except ConfigError as exc:
        print(f"error: {said(str(exc))}", file=sys.stderr)
        return 2
    except (ThemeError, OutputError, TranslationError) as exc:
        print(f"error: {said(str(exc))}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder that cannot be made...: one line, not a traceback
        where = f"{printable(said(str(exc.filename)))}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
