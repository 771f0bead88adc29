"""Compiled templates across processes: Jinja's code for a template, by a hash of what makes it.

Every process that renders (the build, each of its render workers) would otherwise parse and
compile each template it uses from source: about 30 ms a template, a third of a second for
the default theme. :class:`TemplateCode` is the environment's bytecode cache, one file per
template in ``.digest-cache/templates/``, named by a SHA-256 of everything the compiled code
depends on: the template's name, file and source, the Jinja and Python versions, and the
environment's compile options (delimiters, whitespace handling, autoescaping of that name, the
filters and tests it may call and what each is passed).

A file is used only if it is whole and is the one its name says: it carries a SHA-256 of its
key and its code, checked before the code is unmarshalled. Anything else (a truncated or
damaged file, one copied from another key, one this version did not write) is ignored, the
template is compiled from source, and the file written again. No pickle: the code is
``marshal``-ed, as Python's own ``.pyc`` files are. Writing is best effort (a read-only cache
folder only costs the compile).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import types
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

FOLDER = "templates"
"""The folder under the cache folder (``.digest-cache``) holding compiled templates."""
MAGIC = b"digest-template-code 1\n"
_SUFFIX = ".code"


def _options(env: jinja2.Environment, name: str) -> str:
    """The environment's settings that shape the code Jinja compiles for template ``name``."""
    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    # The code calls each filter and test by name, passing the context, the evaluation context
    # or the environment as the function asks (its ``jinja_pass_arg``): those shape it too.
    calls = sorted((kind, called, str(getattr(func, "jinja_pass_arg", None)))
                   for kind, table in (("filter", env.filters), ("test", env.tests)) for called, func in table.items())
    return repr((calls, jinja2.__version__, sys.implementation.cache_tag, env.block_start_string,
                 env.block_end_string, env.variable_start_string, env.variable_end_string, env.comment_start_string,
                 env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                 env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
                 env.is_async, env.finalize is not None, sorted(env.extensions), bool(autoescape)))


class TemplateCode(jinja2.BytecodeCache):
    """Jinja's bytecode cache in ``folder``, content-addressed (see the module's notes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        """The bucket of template ``name`` (from ``filename``) as ``source`` gives it, its code
        loaded if a good file holds it."""
        key = hashlib.sha256("\0".join((_options(environment, name), name, filename or "", source))
                             .encode("utf-8", "surrogatepass")).hexdigest()
        # The file's name starts with a hash of the template's name and file, so that a new
        # version of a template replaces the last one's file rather than adding to them.
        place = hashlib.sha256(f"{name}\0{filename}".encode("utf-8", "surrogatepass")).hexdigest()[:16]
        bucket = Bucket(environment, f"{place}-{key}", key)
        self.load_bytecode(bucket)
        return bucket

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_SUFFIX}"

    def load_bytecode(self, bucket: Bucket) -> None:
        """Give ``bucket`` the code its file holds, if the file is whole and is its key's."""
        try:
            data = self._path(bucket.key).read_bytes()
        except OSError:
            return
        head, payload = data[:len(MAGIC) + 64], data[len(MAGIC) + 64:]
        if head != MAGIC + _check(bucket.key, payload).encode():
            return
        try:
            code = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(code, types.CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write ``bucket``'s code to its file, atomically; a failure is ignored."""
        if bucket.code is None:
            return
        payload = marshal.dumps(bucket.code)
        path = self._path(bucket.key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(MAGIC + _check(bucket.key, payload).encode() + payload)
                os.replace(temp, path)
            except BaseException:
                os.unlink(temp)
                raise
            place = bucket.key.split("-", 1)[0]
            for old in self.folder.glob(f"{place}-*{_SUFFIX}"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            return

    def clear(self) -> None:
        """Remove every compiled template of the folder."""
        for path in self.folder.glob(f"*{_SUFFIX}"):
            path.unlink(missing_ok=True)


def _check(key: str, payload: bytes) -> str:
    """The SHA-256 a file of ``key`` holding ``payload`` carries."""
    return hashlib.sha256(key.encode() + b"\0" + payload).hexdigest()
