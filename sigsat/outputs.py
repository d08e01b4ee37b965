"""Writing into the output folder safely: one render at a time, every file replaced whole.

A render holds an exclusive lock on `OUT/<quality>/.lock` (fcntl.flock; the kernel drops it
if the process dies). Every output is first written under a temporary name in its own folder
(`.NAME.sigsat-tmp`), then all are renamed into place in one quick burst, the manifest last.
A render killed before that burst leaves the previous outputs untouched; one killed inside it
leaves every file whole (old or new), never half-written.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .cache import sha256_file

TMP_SUFFIX = ".sigsat-tmp"
LOCK = ".lock"


class Busy(RuntimeError):
    """Another render holds the output folder."""


@contextmanager
def locked(folder: Path, wait: bool) -> Iterator[None]:
    """Hold the folder's render lock; Busy at once when taken, unless `wait`."""
    folder.mkdir(parents=True, exist_ok=True)
    handle: IO[str] = open(folder / LOCK, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise Busy(f"another render is writing to {folder}; wait for it (--wait) "
                           "or use another --out") from None
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing drops the flock


def tmp_name(dest: Path) -> Path:
    """The temporary name a file is written under before it replaces `dest`."""
    return dest.with_name(f".{dest.name}{TMP_SUFFIX}")


def remove_stale_tmp(folder: Path) -> list[Path]:
    """Temporary files a killed render left behind (call with the lock held)."""
    gone = []
    for path in folder.rglob(f".*{TMP_SUFFIX}"):
        path.unlink()
        gone.append(path)
    return gone


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """Outputs written under temporary names, then committed together, in order."""

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []
        self.unchanged: list[Path] = []

    def _stage(self, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_name(dest)
        self._pending.append((tmp, dest))
        return tmp

    def copy(self, src: Path, dest: Path, sha256: str | None = None) -> None:
        """`dest` will be a copy of `src` (skipped when it already has the same bytes)."""
        if dest.is_file() and sha256 is not None and sha256_file(dest) == sha256:
            self.unchanged.append(dest)
            return
        tmp = self._stage(dest)
        shutil.copyfile(src, tmp)
        _fsync(tmp)

    def text(self, data: str, dest: Path) -> None:
        """`dest` will hold this text (skipped when it already does)."""
        raw = data.encode("utf-8")
        if dest.is_file() and dest.read_bytes() == raw:
            self.unchanged.append(dest)
            return
        tmp = self._stage(dest)
        tmp.write_bytes(raw)
        _fsync(tmp)

    def file(self, dest: Path) -> Path:
        """A temporary path for a tool to write `dest` into (e.g. ffmpeg)."""
        return self._stage(dest)

    def commit(self) -> list[Path]:
        """Rename everything into place, in the order staged; returns what changed."""
        done = []
        for tmp, dest in self._pending:
            os.replace(tmp, dest)
            done.append(dest)
        for folder in {dest.parent for _, dest in self._pending}:
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        self._pending.clear()
        return done

    def abort(self) -> None:
        """Remove whatever was staged."""
        for tmp, _ in self._pending:
            tmp.unlink(missing_ok=True)
        self._pending.clear()


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` under a temporary name, then rename it into place; leave an
    identical file be (a render that changed nothing touches nothing). True if written."""
    raw = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == raw:
        return False
    tmp = tmp_name(path)
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    return True
