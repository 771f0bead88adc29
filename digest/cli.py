"""The ``digest`` command line: arguments only; :mod:`digest.commands` does the work.

Only the standard library is imported at start-up so ``digest --help`` answers at once;
each command imports what it needs.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from pathlib import Path

from . import __version__

STRICT_HELP = {
    "build": "exit 1 if a content file has an error or the build warns (no model installed, "
             "a rejected machine translation, an out-of-date post-edit...)",
    "serve": "show warnings as errors in the browser's error overlay",
    "watch": "report warnings as errors",
}


class Parser(argparse.ArgumentParser):
    """An argument parser whose ``--help`` starts with its one-line description, then the usage.

    Options are never abbreviated: ``--out`` is not taken for ``--output`` (a folder that
    is written to) but refused with a suggestion, and adding an option can never change
    what an abbreviation in someone's script meant."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)  # the command parsers are made by this class too
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        description, self.description = self.description, None
        try:
            text = super().format_help()
        finally:
            self.description = description
        return f"{description}\n\n{text}" if description else text


def _command(sub, name: str, helptext: str) -> argparse.ArgumentParser:
    """A sub-command whose help line in the list is also the first line of its ``--help``;
    its own errors (``digest build --bogus``) print its own usage (see :func:`main`)."""
    p = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
    p.set_defaults(_parser=p)
    return p


def _project_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", type=Path, default=Path("."), metavar="DIR",
                   help="project folder holding digest.toml and content/ (default: current folder)")


def _project_args(p: argparse.ArgumentParser, command: str) -> None:
    _project_arg(p)
    p.add_argument("--content", metavar="DIR", help="content folder (overrides paths.content)")
    p.add_argument("--output", metavar="DIR", help="output folder (overrides paths.output)")
    p.add_argument("--force-output", action="store_true",
                   help="build into a non-empty output folder digest did not make (only the files "
                        "digest writes are touched)")
    p.add_argument("--theme", metavar="NAME_OR_DIR", help="theme name under themes/, or a theme folder")
    p.add_argument("--base-url", metavar="URL", help="base URL for this build (overrides site.base_url)")
    p.add_argument("--strict", action="store_true", help=STRICT_HELP[command])
    p.add_argument("--drafts", action="store_true",
                   help="include articles marked draft: true, with a visible draft marker")
    p.add_argument("--no-search", action="store_true",
                   help="no search index or search pages this run (overrides site.search)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")


def _cluster_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", metavar="ADDRESS", help="translate on a Ray cluster: local, or an address such "
                   "as ray://head:10001 (overrides translation.cluster; needs digest[ray])")


def make_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="digest",
        description="Build a bilingual Arabic/English news digest from content/ into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(sub, "new", "create a project folder: digest.toml, sample content and themes/")
    p.add_argument("dir", type=Path, metavar="DIR", help="the folder to create (new, or empty)")

    p = _command(sub, "build", "build the site into the output folder")
    _project_args(p, "build")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes rendering pages at once (overrides build.workers; 0: one per core, "
                        "1: no pool)")
    _cluster_arg(p)

    p = _command(sub, "translate", "fill the translation cache for all content (or FILEs), without building")
    _project_arg(p)
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="content files (default: all of them)")
    p.add_argument("--content", metavar="DIR", help="content folder (overrides paths.content)")
    _cluster_arg(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors, warnings and the summary")

    for name, helptext in (("serve", "build, serve with live reload, rebuild on change"),
                           ("watch", "build and rebuild on change, without a server")):
        p = _command(sub, name, helptext)
        _project_args(p, name)
        p.add_argument("--poll", action="store_true",
                       help="poll the file system (for network mounts, containers, WSL)")
        if name == "serve":
            p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
            p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0: any free port)")
            p.add_argument("--open", action="store_true", help="open the site in a browser after the first build")
            p.add_argument("--verbose", action="store_true", help="print one access-log line per request")
            p.add_argument("--allow-remote-edits", action="store_true",
                           help="keep editing in place on when --host is not this machine only (anyone who "
                                "reaches the preview can then change .edits.toml files)")

    p = _command(sub, "models", "list or install Argos Translate models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    mp = _command(msub, "list", "installed packages, marking the one builds use")
    _project_arg(mp)
    mp = _command(msub, "install", "install a package from the index (default: the pair in "
                         "digest.toml), or --file")
    _project_arg(mp)
    mp.add_argument("source", nargs="?", help="source language code, e.g. ar")
    mp.add_argument("target", nargs="?", help="target language code, e.g. en")
    mp.add_argument("--file", type=Path, metavar="PATH", help="a local .argosmodel file")

    p = _command(sub, "cache", "inspect or prune the translation cache")
    csub = p.add_subparsers(dest="cache_command", metavar="ACTION")
    for action, helptext in (("stats", "entries, size and hit counts"),
                             ("prune", "drop entries no current content uses")):
        cp = _command(csub, action, helptext)
        _project_arg(cp)
    return parser


def _did_you_mean(parser: argparse.ArgumentParser, unknown: list[str]) -> str:
    """The hint " (did you mean --strict?)" when an unknown option is close to one of
    ``parser``'s (argparse suggests only from Python 3.14 on, and only when asked)."""
    import difflib

    options = [o for action in parser._actions for o in action.option_strings if o.startswith("--")]
    close = [match for word in unknown if word.startswith("--")
             for match in difflib.get_close_matches(word.split("=", 1)[0], options, n=1)]
    return f" (did you mean {' or '.join(dict.fromkeys(close))}?)" if close else ""


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digest`` console script."""
    parser = make_parser()
    args, unknown = parser.parse_known_args(argv)
    command = getattr(args, "_parser", parser)
    if unknown:
        # The command's own usage, not the top-level one that lists every command.
        command.error(f"unrecognized arguments: {' '.join(unknown)}{_did_you_mean(command, unknown)}")
    if None in (args.command, getattr(args, "models_command", ""), getattr(args, "cache_command", "")):
        # `digest` (or `digest models`) alone: the commands to choose from, not just their metavar.
        command.print_help(sys.stderr)
        return 2
    del args._parser
    from .commands import run

    return run(args)


def program() -> None:
    """The ``digest`` program (the console script, ``python -m digest``): :func:`main`, then
    the process ends without freeing its heap object by object.

    A build keeps its site model to the end: Python's teardown freed its millions of objects
    one by one, 0.45-0.6 s of a 10,000-article edit build's 4 s. Registered before anything
    else, :func:`_end` is the last exit handler: the others (a pool's, a temporary folder's,
    logging's) and the wait for running threads come first; then the output is flushed and
    the process ends with the exit code. Only the program does this, never :func:`main`
    called in a process that goes on (the tests)."""
    from . import commands

    code: object = 1  # an uncaught exception's, its traceback printed
    atexit.register(_end)
    commands.held = []  # what a command holds is never freed either (commands.hold)
    try:
        code = main()
    except SystemExit as stop:  # argparse's --help, --version and usage errors
        code = stop.code
        raise
    finally:
        # sys.exit's meaning of a code: None is success, a message (printed) is failure.
        _exit_code[0] = 0 if code is None else code if isinstance(code, int) else 1
    sys.exit(code)


_exit_code = [1]
"""The code :func:`_end` exits with (:func:`program` sets it)."""


def _end() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`digest build | head`): nothing to say more
            pass
    os._exit(_exit_code[0])


if __name__ == "__main__":
    program()
