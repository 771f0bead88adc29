"""``digest models``: list installed Argos packages, install one from the index or a file.

Packages live where argostranslate keeps them (``ARGOS_PACKAGES_DIR`` and its other
settings are honoured), so ``argospm`` sees what digest installs and the other way round.
A package file is checked before anything touches the packages folder, then extracted into
a temporary folder there and renamed into place: an install either happens or leaves
nothing behind. ``argostranslate.translate`` is never imported.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import PackageError
from ..invocation import command

TIMEOUT = 30.0
"""Seconds allowed for each network request of ``models install``."""


def validate_package(path: Path) -> tuple[str, dict]:
    """Check an ``.argosmodel`` file; return (its top-level folder, its metadata).

    Raises :class:`PackageError` naming the first thing wrong.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path}: not a readable .argosmodel (zip) file: {exc}") from None
    with archive:
        names = [n for n in archive.namelist() if n.strip("/")]
        tops = {PurePosixPath(n).parts[0] for n in names}
        if len(tops) != 1:
            raise PackageError(f"{path}: must hold exactly one top-level folder, found {len(tops)}")
        (top,) = tops
        for name in names:
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts or "\\" in name:
                raise PackageError(f"{path}: unsafe path inside the archive: {name!r}")
        if top in names and not any(n.startswith(top + "/") for n in names):
            raise PackageError(f"{path}: must hold one top-level folder, not a single file")
        inside = {n[len(top) + 1:] for n in names}
        try:
            metadata = json.loads(archive.read(f"{top}/metadata.json"))
        except KeyError:
            raise PackageError(f"{path}: no metadata.json in {top}/") from None
        except (ValueError, zipfile.BadZipFile) as exc:
            raise PackageError(f"{path}: metadata.json is not valid JSON: {exc}") from None
        if archive.testzip() is not None:
            raise PackageError(f"{path}: the archive is corrupt")
    if not isinstance(metadata, dict) or not all(isinstance(metadata.get(k), str) for k in ("from_code", "to_code")):
        raise PackageError(f"{path}: metadata.json needs from_code and to_code")
    if metadata.get("type", "translate") == "translate":
        if not ({"sentencepiece.model", "bpe.model"} & inside):
            raise PackageError(f"{path}: no tokenizer (sentencepiece.model or bpe.model)")
        if "model/model.bin" not in inside:
            raise PackageError(f"{path}: no CTranslate2 model (model/model.bin)")
    return top, metadata


def install_file(path: Path) -> Path:
    """Validate and install a local ``.argosmodel``; return the installed folder."""
    from argostranslate import settings

    top, _ = validate_package(path)
    packages = Path(settings.package_data_dir)
    packages.mkdir(parents=True, exist_ok=True)
    final = packages / top
    staging = Path(tempfile.mkdtemp(prefix=".digest-install-", dir=packages))
    try:
        with zipfile.ZipFile(path) as archive:
            archive.extractall(staging)
        old = None
        if final.exists():
            old = packages / f".digest-old-{staging.name}"
            final.rename(old)
        (staging / top).rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def installed_packages() -> list:
    """Every installed translate package, through argostranslate's own lookup.

    A folder without metadata.json (an install in progress, a broken one) makes
    argostranslate's lookup raise; then the folders are read one by one, skipping it.
    """
    from argostranslate import package, settings

    try:
        found = package.get_installed_packages()
    except (FileNotFoundError, ValueError, OSError):
        found = []
        for folder in settings.package_dirs:
            for path in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []:
                if (path / "metadata.json").is_file() and not path.name.startswith("."):
                    try:
                        found.append(package.Package(path))
                    except (OSError, ValueError):
                        continue
    return [p for p in found if getattr(p, "type", "translate") == "translate"
            and not Path(p.package_path).name.startswith(".")]


def find_package(source: str, target: str):
    """The installed package a build uses for ``source -> target`` (highest version), or None."""
    matches = [p for p in installed_packages() if p.from_code == source and p.to_code == target]
    return max(matches, key=lambda p: _version_key(str(getattr(p, "package_version", "0")))) if matches else None


def _version_key(version: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in version.split("."))


def fetch(url: str, timeout: float = TIMEOUT) -> bytes:
    """GET ``url`` once, time-boxed (argostranslate's own helpers retry without a limit)."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


BROWSE_INDEX = "https://www.argosopentech.com/argospm/index/"
"""The Argos package index as a web page, with a download link for every package."""


def where_packages_come_from(source: str, target: str) -> str:
    """What to do without a network: where ``.argosmodel`` files are published, and how to
    install one that was downloaded elsewhere."""
    from argostranslate import settings

    return (f"Offline? .argosmodel files come from the Argos package index ({BROWSE_INDEX}, "
            f"read by digest from {settings.remote_package_index}) and the mirrors each of its "
            f"entries lists (translate-{source}_{target}-*.argosmodel); download one where there is "
            f"a network, then install it with: {command('models', 'install', '--file', 'PATH.argosmodel')}")


def package_folders() -> list[Path]:
    """The folders installed packages are looked for in (argostranslate's settings, so
    ``ARGOS_PACKAGES_DIR`` counts); a new package goes into the first."""
    from argostranslate import settings

    folders = [Path(settings.package_data_dir)]
    folders += [Path(f) for f in settings.package_dirs if Path(f) not in folders]
    return folders


def packages_stamp() -> tuple[tuple[str, int | None], ...]:
    """Each package folder with its mtime: it changes when a package is installed or removed
    (an install renames its folder into place), so a process that found no model can tell
    when looking again is worth it."""
    stamp: list[tuple[str, int | None]] = []
    for folder in package_folders():
        try:
            stamp.append((str(folder), folder.stat().st_mtime_ns))
        except OSError:
            stamp.append((str(folder), None))
    return tuple(stamp)


def install_from_index(source: str, target: str, timeout: float = TIMEOUT) -> Path:
    """Download the index entry for ``source -> target`` and install it."""
    from argostranslate import package, settings

    try:
        data = fetch(settings.remote_package_index, timeout)
        index = json.loads(data)
    except (OSError, ValueError) as exc:
        raise PackageError(f"cannot read the package index {settings.remote_package_index}: {exc}. "
                           + where_packages_come_from(source, target)) from None
    Path(settings.local_package_index).write_bytes(data)
    available = [package.AvailablePackage(m) for m in index if isinstance(m, dict)]
    wanted = [p for p in available if p.from_code == source and p.to_code == target
              and getattr(p, "type", "translate") == "translate"]
    if not wanted:
        raise PackageError(f"the package index has no {source}->{target} package")
    chosen = max(wanted, key=lambda p: _version_key(str(getattr(p, "package_version", "0"))))
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / f"{source}_{target}.argosmodel"
        for link in getattr(chosen, "links", []) or []:
            try:
                file.write_bytes(fetch(link, timeout))
                break
            except OSError as exc:
                errors.append(f"{link}: {exc}")
        else:
            raise PackageError(f"download of the {source}->{target} package failed: "
                               + ("; ".join(errors) or "the index lists no link") + ". "
                               + where_packages_come_from(source, target))
        return install_file(file)
