"""``digest serve``: build, serve with live reload, rebuild on change until interrupted."""

from __future__ import annotations

import dataclasses
import errno
import sys
import threading
import webbrowser

from ..serve.editguard import editing_allowed
from ..serve.preview import LIVE, exposure_warning, start_serving
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
    editing, edit_warning = editing_allowed(args.host, args.allow_remote_edits)
    if edit_warning:
        reporter.warning(edit_warning)
    served: list[str] = []

    def configure():
        # The pages link to the address actually served (its port too, one the system chose
        # for --port 0), not to site.base_url, unless --base-url says otherwise.
        config = load(args)
        if served and not args.base_url:
            config = dataclasses.replace(config, site=dataclasses.replace(config.site, base_url=served[0]))
        return config

    # reload re-reads digest.toml with the same command-line overrides when the file changes.
    project = Project(config, reporter, reload=configure, strict=args.strict, standing=True)
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.verbose else None
    try:
        preview, watcher = start_serving(project, args.host, args.port, args.poll, log=log, bound=served.append,
                                         editing=editing)
    except OSError as exc:
        # Most often a second `digest serve` (or another server) on the default port.
        hint = (f"; try another port (--port {args.port + 1}), or --port 0 for any free one"
                if exc.errno == errno.EADDRINUSE else "")
        print(f"error: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}{hint}", file=sys.stderr)
        return 1
    reporter.notes(project.config, project.first.result if project.first else None, live=True)
    reporter.info(f"serving {project.config.output_dir} at {preview.url} (Ctrl-C to stop)")
    reporter.info(f"review page: {preview.url}{LIVE[1:]}review/"
                  + (" (click an English paragraph of a parallel page to post-edit it)" if editing else ""))
    if args.open:
        # In the background: a browser command may not return until the browser closes.
        threading.Thread(target=_open, args=(preview.url, reporter), name="digest-open", daemon=True).start()
    try:
        watcher.run_until_interrupted()
    finally:
        preview.close()
        project.close()
    return 0


def _open(url: str, reporter: ConsoleReporter) -> None:
    try:
        opened = webbrowser.open(url)
    except Exception:  # noqa: BLE001 - a missing browser never stops the preview
        opened = False
    if not opened:
        reporter.warning(f"could not open a browser: open {url} yourself")
