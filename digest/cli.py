"""The ``digest`` command: build, serve, watch, models, cache.

Only the standard library is imported at start-up so ``digest --help`` answers at once;
each command imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:8000/"  # same as config.SiteConfig.base_url, without importing it


STRICT_HELP = {
    "build": "exit 1 if a content file has an error or the build warns (no model installed, "
             "a rejected machine translation, an out-of-date post-edit...)",
    "serve": "show warnings as errors in the browser's error overlay",
    "watch": "report warnings as errors",
}


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
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build a bilingual Arabic/English news digest from content/ into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", help="build the site into the output folder")
    _project_args(p, "build")

    for name, helptext in (("serve", "build, serve with live reload, rebuild on change"),
                           ("watch", "build and rebuild on change, without a server")):
        p = sub.add_parser(name, help=helptext)
        _project_args(p, name)
        p.add_argument("--poll", action="store_true",
                       help="poll the file system (for network mounts, containers, WSL)")
        if name == "serve":
            p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
            p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")

    p = sub.add_parser("models", help="list or install Argos Translate models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    mp = msub.add_parser("list", help="installed packages, marking the one builds use")
    _project_arg(mp)
    mp = msub.add_parser("install", help="install a package from the index (default: the pair in "
                         "digest.toml), or --file")
    _project_arg(mp)
    mp.add_argument("source", nargs="?", help="source language code, e.g. ar")
    mp.add_argument("target", nargs="?", help="target language code, e.g. en")
    mp.add_argument("--file", type=Path, metavar="PATH", help="a local .argosmodel file")

    p = sub.add_parser("cache", help="inspect or prune the translation cache")
    csub = p.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    for action, helptext in (("stats", "entries, size and hit counts"),
                             ("prune", "drop entries no current content uses")):
        cp = csub.add_parser(action, help=helptext)
        _project_arg(cp)
    return parser


def load(args: argparse.Namespace):
    """The project configuration with command-line overrides applied."""
    from .config import ConfigError, load_config

    if not args.project.is_dir():
        # Nothing may be made there (a cache, a site): it is most likely a mistyped path.
        what = "is not a folder" if args.project.exists() else "does not exist"
        raise ConfigError(args.project, [f"the project folder {what} (--project)"])

    theme = getattr(args, "theme", None)
    theme_dir = None
    if theme and ("/" in theme or Path(theme).is_dir()):
        theme_dir, theme = str(Path(theme).resolve()), None
    overrides = {
        "site": {"theme": theme, "base_url": getattr(args, "base_url", None)},
        "paths": {"content": getattr(args, "content", None), "output": getattr(args, "output", None)},
        "theme_dir": theme_dir,
        "force_output": getattr(args, "force_output", False),
    }
    return load_config(args.project, overrides)


def cmd_build(args) -> int:
    from .build import Builder
    from .report import ConsoleReporter
    from .search import release as release_search

    reporter = ConsoleReporter(quiet=args.quiet)
    config = load(args)
    try:
        result = Builder(config, reporter).build()
    finally:
        release_search()
    if not args.quiet and config.site.base_url == DEFAULT_BASE_URL:
        print(f"note: site.base_url is {DEFAULT_BASE_URL} (the local preview); set it in digest.toml or "
              "pass --base-url before publishing, so canonical links, feeds and the sitemap are right.",
              file=sys.stderr)
    if result.translator is None and result.stats.segments and not args.quiet:
        print("note: translations are pending; run `digest models install ar en` (or "
              "`digest models install --file PATH.argosmodel`) and build again.", file=sys.stderr)
    if args.strict and (result.problems or reporter.warnings):
        print(f"error: --strict: {len(result.problems)} file error(s) and {reporter.warnings} warning(s) "
              "above count as failures", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args) -> int:
    from .preview import serve

    # reload re-reads digest.toml with the same command-line overrides when the file changes.
    return serve(load(args), host=args.host, port=args.port, poll=args.poll, strict=args.strict,
                 quiet=args.quiet, reload=lambda: load(args))


def cmd_watch(args) -> int:
    from .watcher import watch

    return watch(load(args), poll=args.poll, strict=args.strict, quiet=args.quiet, reload=lambda: load(args))


def cmd_models(args) -> int:
    from . import models

    config = load(args)
    if args.models_command == "list":
        return models.cmd_list(config)
    if args.file is not None and args.source is not None:
        print("error: give the languages (digest models install ar en) or --file PATH.argosmodel, "
              "not both", file=sys.stderr)
        return 2
    if args.source is not None and args.target is None:
        print("error: give both languages (digest models install ar en) or none (the pair in "
              "digest.toml)", file=sys.stderr)
        return 2
    return models.cmd_install(config, args.source, args.target, args.file)


def cmd_cache(args) -> int:
    from . import cache

    config = load(args)
    return cache.cmd_stats(config) if args.cache_command == "stats" else cache.cmd_prune(config)


COMMANDS = {"build": cmd_build, "serve": cmd_serve, "watch": cmd_watch, "models": cmd_models,
            "cache": cmd_cache}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``digest`` console script."""
    args = make_parser().parse_args(argv)
    from .config import ConfigError
    from .output import OutputError
    from .render import ThemeError
    from .translation import TranslationError

    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ThemeError, OutputError, TranslationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder that cannot be made...: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
