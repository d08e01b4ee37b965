"""File helpers every floor above uses: a file's sha256, linking the same bytes elsewhere, and
reading and writing files without following links or waiting on FIFOs."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from pathlib import Path


def sha256_file(path: Path) -> str:
    """The file's sha256, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def link_or_copy(src: Path, dest: Path) -> None:
    """`dest` as a hard link to `src` (the same bytes, no copy), or a copy where links fail."""
    try:
        os.link(src, dest)
    except OSError as e:
        if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES):
            raise
        shutil.copyfile(src, dest)


class NotRegular(OSError):
    """A path that is a link, a FIFO, a device or a folder where a regular file was expected."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file `path`, read without following a link and without waiting
    on a FIFO or device (opened non-blocking, checked by fstat); NotRegular otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegular(errno.ELOOP, f"{path} is a symbolic link, not a file", str(path)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(errno.EINVAL, f"{path} is {_kind(mode)}, not a file", str(path))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes) -> None:
    """Write `data` to `path`, which must not exist yet: created exclusively and never through a
    link (a name planted in advance, even a dangling link, is an error, FileExistsError)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            f.write(data)
    finally:
        os.close(fd)


def replace_atomically(path: Path, data: bytes, tmp: Path | None = None) -> None:
    """`path` holds `data`, written under a temporary name then renamed over it (a rename
    replaces a link planted at `path`, never writes through it). A file left at the temporary
    name by a killed writer, or a link planted there, is removed first, not followed."""
    tmp = tmp or path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    try:
        write_new(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
