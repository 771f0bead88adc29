"""Pagefind's Python API (``pagefind.index``) driven from a build: records in, bundle out.

Pagefind's service reads one reply every 0.1 s (``PagefindService._wait_for_responses``
sleeps before each), so 2,000 records took 200 s. :class:`_Service` reads replies as they
come and writes requests as UTF-8 JSON, each as soon as it is encoded (the package escapes
every Arabic letter to six bytes); everything else is the package's own ``PagefindIndex``.

Each language is indexed by its own Pagefind process, one after the other or (``together``)
at the same time: a process holds one language's index, not both (at 10,000 articles the
single process of the old mirror peaked at 2.8 GB). Each hands its bundle back through the
pipe; the files do not clash but for ``pagefind-entry.json`` (which lists the languages),
merged here.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import SearchCancelled, SearchUnavailable
from ..installed import version

if TYPE_CHECKING:
    import asyncio

ENTRY = "pagefind-entry.json"
REPLY_LIMIT = 2**30
"""The largest reply read from Pagefind (the whole bundle of one language)."""


class Record(NamedTuple):
    """One page as the search index holds it."""

    url: str
    """Root-relative, with a leading ``/`` (Pagefind's results are joined to the UI's base URL)."""
    language: str
    content: str
    """The searchable text, Arabic folded."""
    meta: tuple[tuple[str, str], ...]
    """What a result shows (title, summary, image): Pagefind stores it, does not search it."""


def rows(records: Iterable[Record]) -> list[list]:
    """``records`` as JSON rows (``[url, language, content, [[key, value], ...]]``): how the
    build store and Pagefind's helper processes keep them."""
    return [[r.url, r.language, r.content, [list(m) for m in r.meta]] for r in records]


def from_rows(value: object) -> tuple[Record, ...] | None:
    """The records JSON ``value`` holds (:func:`rows`); None for anything else."""
    if type(value) is not list or not value:
        return None
    out = []
    for row in value:
        if not (type(row) is list and len(row) == 4 and all(type(x) is str for x in row[:3])
                and type(row[3]) is list
                and all(type(m) is list and len(m) == 2 and type(m[0]) is str and type(m[1]) is str for m in row[3])):
            return None
        out.append(Record(row[0], row[1], row[2], tuple((m[0], m[1]) for m in row[3])))
    return tuple(out)


def pagefind_version() -> str:
    """The installed ``pagefind`` package's version: part of every key of what it made."""
    return version("pagefind") or "unknown"


def ready() -> None:
    """Import what :func:`build_bundle` needs (asyncio, Pagefind's package: ~0.05 s), if it
    is installed: a helper does it before its first job comes."""
    try:
        _service_class()
    except ImportError:
        pass  # said by the job: Pagefind is not installed


def _service_class() -> Any:
    """A ``PagefindService`` that hands on each reply as soon as it is read."""
    import asyncio

    from pagefind.service import PagefindService

    class _Service(PagefindService):
        async def launch(self) -> "_Service":
            # The bundle comes back in one reply (get_files): tens of MB at 10,000 articles,
            # where the package's launch caps a reply at 2 MiB. Pagefind's log lines go
            # nowhere: on stdout they would be read as replies.
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL, limit=REPLY_LIMIT)
            self._poll_task = self._loop.create_task(self._wait_for_responses())
            return self

        def post(self, payload: dict) -> asyncio.Future:
            """Write one request; its reply resolves the future returned. UTF-8 JSON: the
            package's ``send`` escapes every Arabic letter to six bytes (Pagefind then reads
            three times the text) and formats each request, text and all, for a debug log."""
            assert self._backend.stdin is not None
            self._message_id += 1
            future = self._loop.create_future()
            self._responses[self._message_id] = future
            request = json.dumps({"message_id": self._message_id, "payload": payload}, ensure_ascii=False,
                                 separators=(",", ":"))
            self._backend.stdin.write(base64.b64encode(request.encode()) + b",")
            return future

        async def send(self, payload: Any) -> Any:
            future = self.post(payload)
            assert self._backend.stdin is not None
            await self._backend.stdin.drain()
            return await future

        async def _wait_for_responses(self) -> None:
            assert self._backend.stdout is not None
            try:
                while True:
                    await self._read_one()
            except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                # Pagefind died or spoke nonsense: whoever waits learns it now, not at the timeout.
                for waiting in self._responses.values():
                    if not waiting.done():
                        waiting.set_exception(SearchUnavailable(f"Pagefind stopped: {exc or type(exc).__name__}"))

        async def _read_one(self) -> None:
            assert self._backend.stdout is not None
            chunk = await self._backend.stdout.readuntil(b",")
            reply = json.loads(base64.b64decode(chunk[:-1]))
            if reply is None:
                return
            payload: Any = reply.get("payload") or {}
            number = reply.get("message_id")
            if number is None and payload.get("original_message"):
                number = json.loads(payload["original_message"]).get("message_id")
            waiting = self._responses.pop(number, None) if number is not None else None
            if waiting is None or waiting.done():
                return
            if payload.get("type") == "Error":
                waiting.set_exception(SearchUnavailable(f"Pagefind: {payload.get('message')}"))
            else:
                waiting.set_result(payload)

    return _Service


async def _index_language(records: Sequence[Record], out: dict[str, bytes], cancel: threading.Event | None) -> dict:
    """Index ``records`` (one language) in a Pagefind process; put its bundle's files into
    ``out``; return that language's ``pagefind-entry.json``."""
    import asyncio

    service = await _service_class()().launch()
    watching = asyncio.ensure_future(_stop_when(cancel, service))
    try:
        index = await service.create_index({})
        # Every request written as it is encoded, its reply awaited at the end: Pagefind
        # always has the next one. The pipe's buffer bounds what waits in memory.
        replies = []
        stdin = service._backend.stdin
        for number, record in enumerate(records):
            if cancel is not None and cancel.is_set():
                raise SearchCancelled()
            replies.append(service.post({
                "type": "AddRecord", "index_id": index._index_id, "url": record.url, "content": record.content,
                "language": record.language, "meta": dict(record.meta), "filters": None, "sort": None}))
            if number % 64 == 63:
                await stdin.drain()
        await asyncio.gather(*replies)
        # The bundle through the pipe, not write_files: its reply came before every file was
        # on disk (under load the entry file was read empty), and no folder is needed.
        for item in await index.get_files():
            out[item["path"]] = item["content"]
        return json.loads(out[ENTRY])
    except SearchUnavailable:
        if cancel is not None and cancel.is_set():
            raise SearchCancelled() from None  # stopped by _stop_when, not broken
        raise
    finally:
        watching.cancel()
        service._poll_task.cancel()
        try:
            service._backend.terminate()
        except ProcessLookupError:  # killed by _stop_when, or died
            pass
        await service._backend.wait()


async def _stop_when(cancel: threading.Event | None, service: Any) -> None:
    """Stop Pagefind as soon as ``cancel`` is set, even while it writes the bundle."""
    import asyncio

    if cancel is None:
        return
    while not cancel.is_set():
        await asyncio.sleep(0.05)
    service._backend.kill()


async def _index_all(records: Sequence[Record], out: dict[str, bytes], cancel: threading.Event | None,
                     timeout: float, together: bool = False) -> bytes:
    import asyncio

    languages = sorted({r.language for r in records})
    outs: list[dict[str, bytes]] = [{} for _ in languages]

    def run(i: int) -> Awaitable[dict]:
        return asyncio.wait_for(_index_language([r for r in records if r.language == languages[i]], outs[i], cancel),
                                timeout)

    if together:
        parts = await asyncio.gather(*map(run, range(len(languages))))
    else:
        parts = [await run(i) for i in range(len(languages))]
    for files in outs:
        out.update(files)
    return merged_entry(parts)  # in the languages' order, however they ran


def merged_entry(parts: Iterable[Mapping[str, Any]]) -> bytes:
    """The ``pagefind-entry.json`` of a bundle made of some languages' bundles, from each
    one's own entry (``parts``, in the languages' order): one entry listing every language.
    The files of one language's bundle are those of the same language in a bundle of
    several (each language is indexed by a Pagefind process of its own), so a shard's
    bundle can be put together from languages indexed at different times."""
    entry: dict[str, Any] = {}
    for part in parts:
        languages_seen = {**entry.get("languages", {}), **part.get("languages", {})}
        entry = {**part, "languages": languages_seen}
    # Sorted keys: an unchanged site writes a byte-identical entry file.
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def build_bundle(records: Iterable[Record], *, cancel: threading.Event | None = None,
                 timeout: float = 600, together: bool = False) -> dict[str, bytes]:
    """The Pagefind bundle of ``records`` as ``{path in the bundle: bytes}``; with
    ``together``, the languages' Pagefind processes run at the same time (the same bytes).

    Raises :class:`SearchUnavailable` when Pagefind is missing or fails, and
    :class:`SearchCancelled` as soon as ``cancel`` is set.
    """
    # Here, not at the top: the build imports this module for :class:`Record`, and needs
    # asyncio only in Pagefind's helper processes.
    import asyncio

    files: dict[str, bytes] = {}
    try:
        entry = asyncio.run(_index_all(list(records), files, cancel, timeout, together))
    except (SearchUnavailable, SearchCancelled):
        raise
    except (TimeoutError, asyncio.TimeoutError):
        raise SearchUnavailable(f"Pagefind did not finish within {timeout:.0f} s") from None
    except (OSError, ValueError, KeyError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        if cancel is not None and cancel.is_set():
            # Killed by _stop_when while a record was being sent: a broken pipe, not a failure.
            raise SearchCancelled() from None
        raise SearchUnavailable(f"Pagefind failed: {exc!r}") from None
    files[ENTRY] = entry
    return dict(sorted(files.items()))
