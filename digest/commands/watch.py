"""``digest watch``: build, then rebuild on every change until interrupted."""

from __future__ import annotations

from ..serve.project import Project
from ..serve.watcher import Watcher
from . import load
from .console import ConsoleReporter


def run(args) -> int:
    """Watch until Ctrl-C."""
    config = load(args)
    reporter = ConsoleReporter(quiet=args.quiet)
    project = Project(config, reporter, reload=lambda: load(args), strict=args.strict, standing=True)
    # Watching first: a change made during the first build is in the first batch.
    watcher = Watcher(project, project.rebuild, poll=args.poll).start()
    reporter.notes(project.config, project.rebuild().result, live=True)
    reporter.info(f"watching {config.content_dir}, the theme and digest.toml (Ctrl-C to stop)")
    try:
        watcher.run_until_interrupted()
    finally:
        project.close()
    return 0
