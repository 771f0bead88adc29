"""``digest models list`` and ``digest models install``."""

from __future__ import annotations

import sys
from pathlib import Path

from ..config import Config
from ..errors import PackageError
from ..invocation import command
from ..translate.packages import (
    find_package,
    install_file,
    install_from_index,
    installed_packages,
    package_folders,
)
from . import load


def run(args) -> int:
    """Dispatch ``list`` and ``install``; 2 for a contradictory command line."""
    config = load(args)
    if args.models_command == "list":
        return list_packages(config)
    if args.file is not None and args.source is not None:
        print(f"error: give the languages ({command('models', 'install', 'ar', 'en')}) or --file "
              "PATH.argosmodel, not both", file=sys.stderr)
        return 2
    if args.source is not None and args.target is None:
        print(f"error: give both languages ({command('models', 'install', 'ar', 'en')}) or none (the "
              "pair in digest.toml)", file=sys.stderr)
        return 2
    return install(config, args.source, args.target, args.file)


def install(config: Config, source: str | None, target: str | None, file: Path | None) -> int:
    """``digest models install [ar en]`` (default: the configured pair) or ``--file PATH``; one
    message, exit code 0 or 1."""
    before = {Path(p.package_path) for p in installed_packages()}
    try:
        if file is not None:
            path = install_file(Path(file))
        else:
            path = install_from_index(source or config.site.source_language, target or config.site.target_language)
    except PackageError as exc:
        print(f"error: {exc}; nothing was installed", file=sys.stderr)
        return 1
    if path in before:
        print(f"installed {path}, replacing the package that was there (if its model changed, builds "
              "translate again: the cache is keyed by the model's files)")
    else:
        print(f"installed {path}")
    return 0


def list_packages(config: Config) -> int:
    """``digest models list``: installed packages, the one builds use marked with ``*``."""
    src, tgt = config.site.source_language, config.site.target_language
    packages = installed_packages()
    used = find_package(src, tgt)
    print("looked in: " + ", ".join(str(f) + ("" if f.is_dir() else " (not there)") for f in package_folders()))
    if not packages:
        print(f"no translation packages installed; run: {command('models', 'install', src, tgt)}")
        return 0
    for pkg in sorted(packages, key=lambda p: (p.from_code, p.to_code, str(p.package_path))):
        mark = "*" if used is not None and Path(pkg.package_path) == Path(used.package_path) else " "
        version = getattr(pkg, "package_version", "?")
        print(f"{mark} {pkg.from_code}->{pkg.to_code}  {version}  {pkg.package_path}")
    if used is None:
        print(f"no {src}->{tgt} package: builds leave translations pending")
    return 0
