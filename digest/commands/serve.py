"""``digest serve``: build, serve with live reload, rebuild on change until interrupted."""

from __future__ import annotations

import sys

from ..serve.preview import exposure_warning, start_serving
from ..serve.project import Project
from . import load
from .console import ConsoleReporter


def run(args) -> int:
    """Serve until Ctrl-C; 1 when the address cannot be bound."""
    config = load(args)
    reporter = ConsoleReporter(quiet=args.quiet)
    warning = exposure_warning(args.host)
    if warning:
        reporter.warning(warning)
    # reload re-reads digest.toml with the same command-line overrides when the file changes.
    project = Project(config, reporter, reload=lambda: load(args), strict=args.strict)
    try:
        preview, watcher = start_serving(project, args.host, args.port, args.poll)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    reporter.info(f"serving {config.output_dir} at {preview.url} (Ctrl-C to stop)")
    try:
        watcher.run_until_interrupted()
    finally:
        preview.close()
    return 0
