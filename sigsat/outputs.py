"""Writing into the output folder safely: one render at a time, and every change committed in
one step.

`OUT/<quality>` is a symbolic link to a version of the folder, `OUT/.<quality>.versions/<id>/`.
A render builds the next version privately (the current one's files hard-linked in, then
its new files written over them), and commits it with one rename: a new link replacing the
old. A reader opening `OUT/<quality>/...` sees the old folder or the new one, never a mix, and
a render killed at any moment leaves one of the two whole. The previous version is kept until
the next commit, for readers still inside it.

A render holds an exclusive lock on `OUT/.<quality>.lock` (fcntl.flock; the kernel drops it
if the process dies), beside the link, since the folder behind the link changes.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sigsat_core.files import link_or_copy, read_regular, replace_atomically, sha256_file

TMP_SUFFIX = ".sigsat-tmp"
LOCK = ".lock"
VERSIONS = ".versions"
PARTIAL = ".partial"
# Left over from the layout before versions, or a writer's temporary: not carried into a version.
NOT_CARRIED = (LOCK,)


def lock_path(folder: Path) -> Path:
    """`OUT/.<quality>.lock`: the render lock of `OUT/<quality>`."""
    return folder.parent / f".{folder.name}{LOCK}"


def versions_dir(folder: Path) -> Path:
    """`OUT/.<quality>.versions/`: where the versions behind the link live."""
    return folder.parent / f".{folder.name}{VERSIONS}"


class Busy(RuntimeError):
    """Another render holds the output folder."""


# Locks this process holds, by path (see `holding`).
_HELD: set[str] = set()


def holding(folder: Path) -> bool:
    """Whether this process holds the folder's render lock already: a second flock on a new
    open file of it would wait for the first forever."""
    return os.path.realpath(lock_path(folder)) in _HELD


@contextmanager
def locked(folder: Path, wait: bool) -> Iterator[None]:
    """Hold the folder's render lock; Busy at once when taken, unless `wait`."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(lock_path(folder))
    handle = open_lock(lock_path(folder))
    mine = False
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise Busy(f"another render is writing to {folder}; wait for it (--wait) "
                           "or use another --out") from None
            raise
        mine = key not in _HELD
        _HELD.add(key)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%S')}\n")
        handle.flush()
        yield
    finally:
        if mine:
            _HELD.discard(key)
        handle.close()  # closing drops the flock


def open_lock(path: Path, create: bool = True) -> IO[str]:
    """A lock file opened for writing, never through a symbolic link planted in its place
    (ELOOP instead: a link would let the lock's line overwrite the file it points at), and
    never waiting on a FIFO (opened non-blocking, then refused)."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | (os.O_CREAT if create else 0)
    fd = os.open(path, flags, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO opened non-blocking: refuse it
            raise OSError(errno.EISDIR if stat.S_ISDIR(os.fstat(fd).st_mode) else errno.EINVAL,
                          "not a regular file", str(path))
        os.set_blocking(fd, True)
        return open(fd, "a+", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise


def tmp_name(dest: Path) -> Path:
    """The temporary name a file is written under before it replaces `dest`."""
    return dest.with_name(f".{dest.name}{TMP_SUFFIX}")


def remove_stale_tmp(folder: Path) -> list[Path]:
    """Temporary files and staged folders a killed command left behind (call with the lock held)."""
    gone = []
    for path in sorted(folder.rglob(f".*{TMP_SUFFIX}")):
        if path in gone or any(parent in gone for parent in path.parents):
            continue
        _discard(path)
        gone.append(path)
    return gone


def _discard(path: Path) -> None:
    """Remove what is at `path`: a folder with its contents, or a file or link (never followed)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def staged(dest: Path) -> Iterator[Path]:
    """An empty folder to fill in place of the folder `dest`: it replaces `dest` whole when the
    block ends, and is removed if the block fails, so `dest` is never left half-written."""
    staging = tmp_name(dest)
    _discard(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        _discard(staging)
        raise
    if dest.is_dir() and not dest.is_symlink() and _exchange(staging, dest):
        _discard(staging)  # the old folder, now under the staging name
    else:
        _discard(dest)
        os.rename(staging, dest)


def _fsync(path: Path) -> None:
    """Flush a file, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_tree(src: Path, dest: Path) -> None:
    """`dest` as a copy of the tree `src` whose files are hard links (symbolic links copied as
    links), without the old layout's lock and writers' temporary files."""
    for path in sorted(src.iterdir()):
        if path.name in NOT_CARRIED or path.name.endswith(TMP_SUFFIX):
            continue
        target = dest / path.name
        if path.is_symlink():
            os.symlink(os.readlink(path), target)
        elif path.is_dir():
            target.mkdir()
            _link_tree(path, target)
        elif path.is_file():
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)


RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two names in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def current(folder: Path) -> Path | None:
    """The real folder `OUT/<quality>` shows now (a version, or a plain folder of the layout
    before versions), or None when there is none."""
    if folder.is_dir():
        return folder.resolve()
    return None


class Version:
    """The next version of `OUT/<quality>`: built privately, committed in one rename.

    Write into `root` (`file`, `copy`, `text` and `remove` take paths under it); a file carried
    over from the current version is a hard link to it, so each write first unlinks it and
    never changes the current version's bytes.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store = versions_dir(folder)
        self.id = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"
        self.root = self.store / f".{self.id}{PARTIAL}"
        self.unchanged: list[Path] = []
        self._written: list[Path] = []

    def begin(self) -> Version:
        """Start from a copy of the current version (hard links)."""
        self.root.mkdir(parents=True)
        now = current(self.folder)
        if now is not None:
            _link_tree(now, self.root)
        return self

    def file(self, dest: Path) -> Path:
        """`dest`, free for a tool to write (e.g. ffmpeg)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        else:
            dest.unlink(missing_ok=True)
        self._written.append(dest)
        return dest

    def copy(self, src: Path, dest: Path, sha256: str | None = None) -> None:
        """`dest` will be a copy of `src` (left as it is when it already has the same bytes)."""
        if dest.is_file() and sha256 is not None and sha256_file(dest) == sha256:
            self.unchanged.append(dest)
            return
        shutil.copyfile(src, self.file(dest))

    def link(self, src: Path, dest: Path, sha256: str | None = None) -> None:
        """`dest` will be a hard link to `src` (a copy where links fail), left as it is when it
        already is one: identical files of many lecture folders share their bytes on the disk."""
        if dest.is_file() and os.path.samefile(src, dest):
            self.unchanged.append(dest)
            return
        link_or_copy(src, self.file(dest))

    def text(self, data: str, dest: Path) -> None:
        """`dest` will hold this text (left as it is when it already does)."""
        raw = data.encode("utf-8")
        if dest.is_file() and dest.read_bytes() == raw:
            self.unchanged.append(dest)
            return
        self.file(dest).write_bytes(raw)

    def remove(self, path: Path) -> None:
        """`path` will not be in the new version."""
        path.unlink(missing_ok=True)

    def commit(self) -> Path:
        """Make the new version what `OUT/<quality>` shows, in one rename; the one it replaces is
        kept (readers may still be in it), older ones go. Returns the version's folder."""
        for path in self._written:
            if path.is_file():
                _fsync(path)
        for folder in sorted({p.parent for p in self._written} | {self.root}):
            if folder.is_dir():
                _fsync(folder)
        final = self.store / self.id
        os.rename(self.root, final)
        _fsync(self.store)
        link = self.folder.parent / f".{self.folder.name}.{uuid.uuid4().hex}.link"
        os.symlink(os.path.relpath(final, self.folder.parent), link)
        previous = current(self.folder)
        if self.folder.is_dir() and not self.folder.is_symlink():
            # The layout before versions: the plain folder becomes the previous version.
            previous = self.store / f"0-{self.id}-before"  # sorts before every version
            if _exchange(link, self.folder):  # one atomic step: the link in, the folder out
                os.rename(link, previous)
            else:  # no renameat2: for a moment there is no folder (never a mixed one)
                os.rename(self.folder, previous)
                os.replace(link, self.folder)
        else:
            os.replace(link, self.folder)
        _fsync(self.folder.parent)
        for old in self.store.iterdir():
            if old.resolve() not in (final.resolve(), previous.resolve() if previous else None) \
                    and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        self.root = final
        return final

    def abort(self) -> None:
        """Drop the unfinished version."""
        shutil.rmtree(self.root, ignore_errors=True)


def recover(folder: Path) -> list[Path]:
    """Mend what a killed render left (call with the lock held): unfinished versions and links
    go, and a folder missing between the two renames of the first commit is linked again to
    its newest version. Returns what was removed."""
    gone: list[Path] = []
    store = versions_dir(folder)
    if store.is_dir():
        for path in store.iterdir():
            if path.name.startswith(".") and path.name.endswith(PARTIAL):
                shutil.rmtree(path, ignore_errors=True)
                gone.append(path)
    if folder.parent.is_dir():
        for link in folder.parent.glob(f".{folder.name}.*.link"):
            if link.is_dir() and not link.is_symlink():  # a plain folder exchanged for the link
                store.mkdir(exist_ok=True)
                os.rename(link, store / f"0-{link.name.strip('.')}-before")
            else:
                link.unlink(missing_ok=True)
                gone.append(link)
    if not folder.exists() and not folder.is_symlink() and store.is_dir():
        versions = sorted(p for p in store.iterdir() if not p.name.startswith(".") and p.is_dir())
        if versions:
            os.symlink(os.path.relpath(versions[-1], folder.parent), folder)
    return gone


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` under a temporary name, then rename it into place; leave an
    identical file be (a render that changed nothing touches nothing). True if written."""
    raw = text.encode("utf-8")
    try:
        if read_regular(path) == raw:
            return False
    except OSError:  # missing, or not a plain file: replaced by the rename below
        pass
    replace_atomically(path, raw, tmp_name(path))
    return True
