"""Renders sharing one cache: each run's own folder and lock, the entries it uses, and clean-ups
that never touch what a live run holds.

A run is `CACHE/work/<id>/` (chapter work, pinned entries, its logs while it runs) and
`CACHE/runs/<id>.lock`, which it holds with an exclusive flock while it lives (the kernel
drops the lock when the process dies, however it dies). Whoever cleans up tries that lock
without blocking: taken, the run is alive and everything it names stays; free, it is dead.
A run lists the cache keys it uses in `CACHE/work/<id>/keys.json` before it looks at the
cache, holding `CACHE/.gc.lock` shared; `sigsat clean` holds it exclusively, so it sees every
live run's keys or runs before that run has looked.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sigsat_core.files import replace_atomically

from .cache import Cache, remove
from .outputs import open_lock

KEYS = "keys.json"
GC_LOCK = ".gc.lock"


def _try_lock(handle: IO[str], exclusive: bool = True) -> bool:
    try:
        fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


@contextmanager
def gc_lock(cache: Cache, exclusive: bool) -> Iterator[None]:
    """`CACHE/.gc.lock`: shared while a run lists and pins what it uses, exclusive to clean."""
    cache.root.mkdir(parents=True, exist_ok=True)
    with open_lock(cache.root / GC_LOCK) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


class Run:
    """This render's own place in a cache, alive while the context is open."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._handle: IO[str] | None = None
        self._keys: set[str] = set()
        self._name()

    def _name(self) -> None:
        self.id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.folder = self.cache.work / self.id
        self.lock_file = self.cache.runs / f"{self.id}.lock"

    def __enter__(self) -> Run:
        self.cache.runs.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open_lock(self.lock_file)
            fcntl.flock(handle, fcntl.LOCK_EX)
            # A sweep that took the lock between our open and our flock saw a dead run and
            # removed the file: a lock on a removed file proves nothing, so take another id.
            try:
                same = os.fstat(handle.fileno()).st_ino == self.lock_file.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            handle.close()
            self._name()
        handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        handle.flush()
        self._handle = handle
        self.folder.mkdir(parents=True)
        return self

    def __exit__(self, *exc: object) -> None:
        remove(self.folder)
        self.lock_file.unlink(missing_ok=True)
        if self._handle is not None:
            self._handle.close()  # drops the flock
            self._handle = None

    def uses(self, keys: Iterable[str]) -> None:
        """Say which cache keys (of entries and of parts) this run uses, besides the ones it
        said before (clean keeps them while it lives); call it holding gc_lock shared."""
        self._keys.update(keys)
        replace_atomically(self.folder / KEYS, json.dumps(sorted(self._keys)).encode("utf-8"))


def _alive(cache: Cache, run_id: str) -> bool | None:
    """Whether the run holds its lock (None: it has no lock file, so it is gone)."""
    try:
        handle = open_lock(cache.runs / f"{run_id}.lock", create=False)
    except FileNotFoundError:
        return None
    except OSError:  # a link or a FIFO planted as the lock: no run holds it
        return None
    with handle:
        return not _try_lock(handle)


def live_keys(cache: Cache) -> set[str]:
    """The keys every live run uses."""
    keys: set[str] = set()
    if not cache.work.is_dir():
        return keys
    for folder in cache.work.iterdir():
        if _alive(cache, folder.name):
            try:
                keys.update(json.loads((folder / KEYS).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                pass  # not listed yet: it has not looked at the cache either (see gc_lock)
    return keys


def sweep(cache: Cache) -> list[Path]:
    """Remove what dead runs left: their work folders and locks, half-published and
    half-discarded entries. What live runs hold stays. Returns what went."""
    gone: list[Path] = []
    if cache.work.is_dir():
        for folder in cache.work.iterdir():
            if folder.is_dir() and not _alive(cache, folder.name):
                remove(folder)
                gone.append(folder)
    if cache.runs.is_dir():
        for lock in cache.runs.glob("*.lock"):
            try:
                handle = open_lock(lock, create=False)
            except FileNotFoundError:
                continue
            except OSError:  # not a lock file any run made (a link, a FIFO): it goes
                lock.unlink(missing_ok=True)
                continue
            with handle:
                if _try_lock(handle):  # dead: its work went above (or had not been made)
                    if not (cache.work / lock.stem).exists():
                        lock.unlink(missing_ok=True)
    for path in cache.stale():
        remove(path)
        gone.append(path)
    return gone
